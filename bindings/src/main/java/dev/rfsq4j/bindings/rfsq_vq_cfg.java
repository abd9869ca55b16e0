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
 * struct rfsq_vq_cfg {
 *     int32_t codes;
 *     int32_t dim;
 *     float decay;
 *     float eps;
 *     float commitment_weight;
 *     float dead_threshold;
 * }
 * }
 */
public class rfsq_vq_cfg {

    rfsq_vq_cfg() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        rfsq_h.C_INT.withName("codes"),
        rfsq_h.C_INT.withName("dim"),
        rfsq_h.C_FLOAT.withName("decay"),
        rfsq_h.C_FLOAT.withName("eps"),
        rfsq_h.C_FLOAT.withName("commitment_weight"),
        rfsq_h.C_FLOAT.withName("dead_threshold")
    ).withName("rfsq_vq_cfg");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final OfInt codes$LAYOUT = (OfInt)$LAYOUT.select(groupElement("codes"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t codes
     * }
     */
    public static final OfInt codes$layout() {
        return codes$LAYOUT;
    }

    private static final long codes$OFFSET = 0;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t codes
     * }
     */
    public static final long codes$offset() {
        return codes$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t codes
     * }
     */
    public static int codes(MemorySegment struct) {
        return struct.get(codes$LAYOUT, codes$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t codes
     * }
     */
    public static void codes(MemorySegment struct, int fieldValue) {
        struct.set(codes$LAYOUT, codes$OFFSET, fieldValue);
    }

    private static final OfInt dim$LAYOUT = (OfInt)$LAYOUT.select(groupElement("dim"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t dim
     * }
     */
    public static final OfInt dim$layout() {
        return dim$LAYOUT;
    }

    private static final long dim$OFFSET = 4;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t dim
     * }
     */
    public static final long dim$offset() {
        return dim$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t dim
     * }
     */
    public static int dim(MemorySegment struct) {
        return struct.get(dim$LAYOUT, dim$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t dim
     * }
     */
    public static void dim(MemorySegment struct, int fieldValue) {
        struct.set(dim$LAYOUT, dim$OFFSET, fieldValue);
    }

    private static final OfFloat decay$LAYOUT = (OfFloat)$LAYOUT.select(groupElement("decay"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float decay
     * }
     */
    public static final OfFloat decay$layout() {
        return decay$LAYOUT;
    }

    private static final long decay$OFFSET = 8;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float decay
     * }
     */
    public static final long decay$offset() {
        return decay$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float decay
     * }
     */
    public static float decay(MemorySegment struct) {
        return struct.get(decay$LAYOUT, decay$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float decay
     * }
     */
    public static void decay(MemorySegment struct, float fieldValue) {
        struct.set(decay$LAYOUT, decay$OFFSET, fieldValue);
    }

    private static final OfFloat eps$LAYOUT = (OfFloat)$LAYOUT.select(groupElement("eps"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float eps
     * }
     */
    public static final OfFloat eps$layout() {
        return eps$LAYOUT;
    }

    private static final long eps$OFFSET = 12;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float eps
     * }
     */
    public static final long eps$offset() {
        return eps$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float eps
     * }
     */
    public static float eps(MemorySegment struct) {
        return struct.get(eps$LAYOUT, eps$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float eps
     * }
     */
    public static void eps(MemorySegment struct, float fieldValue) {
        struct.set(eps$LAYOUT, eps$OFFSET, fieldValue);
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

    private static final long commitment_weight$OFFSET = 16;

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

    private static final OfFloat dead_threshold$LAYOUT = (OfFloat)$LAYOUT.select(groupElement("dead_threshold"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float dead_threshold
     * }
     */
    public static final OfFloat dead_threshold$layout() {
        return dead_threshold$LAYOUT;
    }

    private static final long dead_threshold$OFFSET = 20;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float dead_threshold
     * }
     */
    public static final long dead_threshold$offset() {
        return dead_threshold$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float dead_threshold
     * }
     */
    public static float dead_threshold(MemorySegment struct) {
        return struct.get(dead_threshold$LAYOUT, dead_threshold$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float dead_threshold
     * }
     */
    public static void dead_threshold(MemorySegment struct, float fieldValue) {
        struct.set(dead_threshold$LAYOUT, dead_threshold$OFFSET, fieldValue);
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
