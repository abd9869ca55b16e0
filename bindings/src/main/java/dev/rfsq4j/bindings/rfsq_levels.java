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
 * struct rfsq_levels {
 *     int32_t count;
 *     int32_t levels[16];
 * }
 * }
 */
public class rfsq_levels {

    rfsq_levels() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        rfsq_h.C_INT.withName("count"),
        MemoryLayout.sequenceLayout(16, rfsq_h.C_INT).withName("levels")
    ).withName("rfsq_levels");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final OfInt count$LAYOUT = (OfInt)$LAYOUT.select(groupElement("count"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t count
     * }
     */
    public static final OfInt count$layout() {
        return count$LAYOUT;
    }

    private static final long count$OFFSET = 0;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t count
     * }
     */
    public static final long count$offset() {
        return count$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t count
     * }
     */
    public static int count(MemorySegment struct) {
        return struct.get(count$LAYOUT, count$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t count
     * }
     */
    public static void count(MemorySegment struct, int fieldValue) {
        struct.set(count$LAYOUT, count$OFFSET, fieldValue);
    }

    private static final SequenceLayout levels$LAYOUT = (SequenceLayout)$LAYOUT.select(groupElement("levels"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t levels[16]
     * }
     */
    public static final SequenceLayout levels$layout() {
        return levels$LAYOUT;
    }

    private static final long levels$OFFSET = 4;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t levels[16]
     * }
     */
    public static final long levels$offset() {
        return levels$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t levels[16]
     * }
     */
    public static MemorySegment levels(MemorySegment struct) {
        return struct.asSlice(levels$OFFSET, levels$LAYOUT.byteSize());
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t levels[16]
     * }
     */
    public static void levels(MemorySegment struct, MemorySegment fieldValue) {
        MemorySegment.copy(fieldValue, 0L, struct, levels$OFFSET, levels$LAYOUT.byteSize());
    }

    private static long[] levels$DIMS = { 16 };

    /**
     * Dimensions for array field:
     * {@snippet lang=c :
     * int32_t levels[16]
     * }
     */
    public static long[] levels$dimensions() {
        return levels$DIMS;
    }
    // Indexed from the field's offset (some jextract versions pass 0L here, which overwrites the fields before it).
    private static final VarHandle levels$ELEM_HANDLE = levels$LAYOUT.varHandle(sequenceElement());

    /**
     * Indexed getter for field:
     * {@snippet lang=c :
     * int32_t levels[16]
     * }
     */
    public static int levels(MemorySegment struct, long index0) {
        return (int)levels$ELEM_HANDLE.get(struct, levels$OFFSET, index0);
    }

    /**
     * Indexed setter for field:
     * {@snippet lang=c :
     * int32_t levels[16]
     * }
     */
    public static void levels(MemorySegment struct, long index0, int fieldValue) {
        levels$ELEM_HANDLE.set(struct, levels$OFFSET, index0, fieldValue);
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
