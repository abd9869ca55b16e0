// In jextract 22's output shape for native/include/rfsq.h; regenerate with bindings/jextract.sh.
// HeaderConformanceTest checks this file against the header.

package dev.rfsq4j.bindings;

import java.lang.invoke.*;
import java.lang.foreign.*;
import java.nio.ByteOrder;
import java.util.*;
import java.util.function.*;
import java.util.stream.*;

import static java.lang.foreign.ValueLayout.*;
import static java.lang.foreign.MemoryLayout.PathElement.*;

/**
 * {@snippet lang=c :
 * struct rfsq_lfq_cfg {
 *     int32_t channels;
 *     float commitment_weight;
 *     float entropy_weight;
 *     float diversity_gamma;
 *     float inv_temperature;
 * }
 * }
 */
public class rfsq_lfq_cfg {

    rfsq_lfq_cfg() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        rfsq_h.C_INT.withName("channels"),
        rfsq_h.C_FLOAT.withName("commitment_weight"),
        rfsq_h.C_FLOAT.withName("entropy_weight"),
        rfsq_h.C_FLOAT.withName("diversity_gamma"),
        rfsq_h.C_FLOAT.withName("inv_temperature")
    ).withName("rfsq_lfq_cfg");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final OfInt channels$LAYOUT = (OfInt)$LAYOUT.select(groupElement("channels"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t channels
     * }
     */
    public static final OfInt channels$layout() {
        return channels$LAYOUT;
    }

    private static final long channels$OFFSET = 0;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t channels
     * }
     */
    public static final long channels$offset() {
        return channels$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t channels
     * }
     */
    public static int channels(MemorySegment struct) {
        return struct.get(channels$LAYOUT, channels$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t channels
     * }
     */
    public static void channels(MemorySegment struct, int fieldValue) {
        struct.set(channels$LAYOUT, channels$OFFSET, fieldValue);
    }

    private static final OfFloat commitment_weight$LAYOUT = (OfFloat)$LAYOUT.select(groupElement("commitment_weight"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float commitment_weight
     * }
     */
    public static final OfFloat commitment_weight$layout() {
        return commitment_weight$LAYOUT;
    }

    private static final long commitment_weight$OFFSET = 4;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float commitment_weight
     * }
     */
    public static final long commitment_weight$offset() {
        return commitment_weight$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float commitment_weight
     * }
     */
    public static float commitment_weight(MemorySegment struct) {
        return struct.get(commitment_weight$LAYOUT, commitment_weight$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float commitment_weight
     * }
     */
    public static void commitment_weight(MemorySegment struct, float fieldValue) {
        struct.set(commitment_weight$LAYOUT, commitment_weight$OFFSET, fieldValue);
    }

    private static final OfFloat entropy_weight$LAYOUT = (OfFloat)$LAYOUT.select(groupElement("entropy_weight"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float entropy_weight
     * }
     */
    public static final OfFloat entropy_weight$layout() {
        return entropy_weight$LAYOUT;
    }

    private static final long entropy_weight$OFFSET = 8;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float entropy_weight
     * }
     */
    public static final long entropy_weight$offset() {
        return entropy_weight$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float entropy_weight
     * }
     */
    public static float entropy_weight(MemorySegment struct) {
        return struct.get(entropy_weight$LAYOUT, entropy_weight$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float entropy_weight
     * }
     */
    public static void entropy_weight(MemorySegment struct, float fieldValue) {
        struct.set(entropy_weight$LAYOUT, entropy_weight$OFFSET, fieldValue);
    }

    private static final OfFloat diversity_gamma$LAYOUT = (OfFloat)$LAYOUT.select(groupElement("diversity_gamma"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float diversity_gamma
     * }
     */
    public static final OfFloat diversity_gamma$layout() {
        return diversity_gamma$LAYOUT;
    }

    private static final long diversity_gamma$OFFSET = 12;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float diversity_gamma
     * }
     */
    public static final long diversity_gamma$offset() {
        return diversity_gamma$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float diversity_gamma
     * }
     */
    public static float diversity_gamma(MemorySegment struct) {
        return struct.get(diversity_gamma$LAYOUT, diversity_gamma$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float diversity_gamma
     * }
     */
    public static void diversity_gamma(MemorySegment struct, float fieldValue) {
        struct.set(diversity_gamma$LAYOUT, diversity_gamma$OFFSET, fieldValue);
    }

    private static final OfFloat inv_temperature$LAYOUT = (OfFloat)$LAYOUT.select(groupElement("inv_temperature"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float inv_temperature
     * }
     */
    public static final OfFloat inv_temperature$layout() {
        return inv_temperature$LAYOUT;
    }

    private static final long inv_temperature$OFFSET = 16;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float inv_temperature
     * }
     */
    public static final long inv_temperature$offset() {
        return inv_temperature$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float inv_temperature
     * }
     */
    public static float inv_temperature(MemorySegment struct) {
        return struct.get(inv_temperature$LAYOUT, inv_temperature$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float inv_temperature
     * }
     */
    public static void inv_temperature(MemorySegment struct, float fieldValue) {
        struct.set(inv_temperature$LAYOUT, inv_temperature$OFFSET, fieldValue);
    }

    /**
     * Obtains a slice of {@code arrayParam} which selects the array element at {@code index}.
     * The returned segment has address {@code arrayParam.address() + index * layout().byteSize()}
     */
    public static MemorySegment asSlice(MemorySegment array, long index) {
        return array.asSlice(layout().byteSize() * index);
    }

    /**
     * The size (in bytes) of this struct
     */
    public static long sizeof() { return layout().byteSize(); }

    /**
     * Allocate a segment of size {@code layout().byteSize()} using {@code allocator}
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate(layout());
    }

    /**
     * Allocate an array of size {@code elementCount} using {@code allocator}.
     * The returned segment has size {@code elementCount * layout().byteSize()}.
     */
    public static MemorySegment allocateArray(long elementCount, SegmentAllocator allocator) {
        return allocator.allocate(MemoryLayout.sequenceLayout(elementCount, layout()));
    }

    /**
     * Reinterprets {@code addr} using target {@code arena} and {@code cleanupAction} (if any).
     * The returned segment has size {@code layout().byteSize()}
     */
    public static MemorySegment reinterpret(MemorySegment addr, Arena arena, Consumer<MemorySegment> cleanup) {
        return reinterpret(addr, 1, arena, cleanup);
    }

    /**
     * Reinterprets {@code addr} using target {@code arena} and {@code cleanupAction} (if any).
     * The returned segment has size {@code elementCount * layout().byteSize()}
     */
    public static MemorySegment reinterpret(MemorySegment addr, long elementCount, Arena arena, Consumer<MemorySegment> cleanup) {
        return addr.reinterpret(layout().byteSize() * elementCount, arena, cleanup);
    }
}
