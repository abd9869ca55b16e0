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
 * struct rfsq_rfsq_cfg {
 *     rfsq_levels levels;
 *     int32_t stages;
 *     int32_t strategy;
 * }
 * }
 */
public class rfsq_rfsq_cfg {

    rfsq_rfsq_cfg() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        rfsq_levels.layout().withName("levels"),
        rfsq_h.C_INT.withName("stages"),
        rfsq_h.C_INT.withName("strategy")
    ).withName("rfsq_rfsq_cfg");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final GroupLayout levels$LAYOUT = (GroupLayout)$LAYOUT.select(groupElement("levels"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * rfsq_levels levels
     * }
     */
    public static final GroupLayout levels$layout() {
        return levels$LAYOUT;
    }

    private static final long levels$OFFSET = 0;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * rfsq_levels levels
     * }
     */
    public static final long levels$offset() {
        return levels$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * rfsq_levels levels
     * }
     */
    public static MemorySegment levels(MemorySegment struct) {
        return struct.asSlice(levels$OFFSET, levels$LAYOUT.byteSize());
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * rfsq_levels levels
     * }
     */
    public static void levels(MemorySegment struct, MemorySegment fieldValue) {
        MemorySegment.copy(fieldValue, 0L, struct, levels$OFFSET, levels$LAYOUT.byteSize());
    }

    private static final OfInt stages$LAYOUT = (OfInt)$LAYOUT.select(groupElement("stages"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t stages
     * }
     */
    public static final OfInt stages$layout() {
        return stages$LAYOUT;
    }

    private static final long stages$OFFSET = 68;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t stages
     * }
     */
    public static final long stages$offset() {
        return stages$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t stages
     * }
     */
    public static int stages(MemorySegment struct) {
        return struct.get(stages$LAYOUT, stages$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t stages
     * }
     */
    public static void stages(MemorySegment struct, int fieldValue) {
        struct.set(stages$LAYOUT, stages$OFFSET, fieldValue);
    }

    private static final OfInt strategy$LAYOUT = (OfInt)$LAYOUT.select(groupElement("strategy"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t strategy
     * }
     */
    public static final OfInt strategy$layout() {
        return strategy$LAYOUT;
    }

    private static final long strategy$OFFSET = 72;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t strategy
     * }
     */
    public static final long strategy$offset() {
        return strategy$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t strategy
     * }
     */
    public static int strategy(MemorySegment struct) {
        return struct.get(strategy$LAYOUT, strategy$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t strategy
     * }
     */
    public static void strategy(MemorySegment struct, int fieldValue) {
        struct.set(strategy$LAYOUT, strategy$OFFSET, fieldValue);
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
