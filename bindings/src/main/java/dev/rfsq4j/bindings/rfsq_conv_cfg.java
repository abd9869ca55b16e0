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
 * struct rfsq_conv_cfg {
 *     int32_t in_channels;
 *     int32_t out_channels;
 *     int32_t kernel;
 *     int32_t stride;
 *     int32_t padding;
 *     int32_t transposed;
 * }
 * }
 */
public class rfsq_conv_cfg {

    rfsq_conv_cfg() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        rfsq_h.C_INT.withName("in_channels"),
        rfsq_h.C_INT.withName("out_channels"),
        rfsq_h.C_INT.withName("kernel"),
        rfsq_h.C_INT.withName("stride"),
        rfsq_h.C_INT.withName("padding"),
        rfsq_h.C_INT.withName("transposed")
    ).withName("rfsq_conv_cfg");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final OfInt in_channels$LAYOUT = (OfInt)$LAYOUT.select(groupElement("in_channels"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t in_channels
     * }
     */
    public static final OfInt in_channels$layout() {
        return in_channels$LAYOUT;
    }

    private static final long in_channels$OFFSET = 0;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t in_channels
     * }
     */
    public static final long in_channels$offset() {
        return in_channels$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t in_channels
     * }
     */
    public static int in_channels(MemorySegment struct) {
        return struct.get(in_channels$LAYOUT, in_channels$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t in_channels
     * }
     */
    public static void in_channels(MemorySegment struct, int fieldValue) {
        struct.set(in_channels$LAYOUT, in_channels$OFFSET, fieldValue);
    }

    private static final OfInt out_channels$LAYOUT = (OfInt)$LAYOUT.select(groupElement("out_channels"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t out_channels
     * }
     */
    public static final OfInt out_channels$layout() {
        return out_channels$LAYOUT;
    }

    private static final long out_channels$OFFSET = 4;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t out_channels
     * }
     */
    public static final long out_channels$offset() {
        return out_channels$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t out_channels
     * }
     */
    public static int out_channels(MemorySegment struct) {
        return struct.get(out_channels$LAYOUT, out_channels$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t out_channels
     * }
     */
    public static void out_channels(MemorySegment struct, int fieldValue) {
        struct.set(out_channels$LAYOUT, out_channels$OFFSET, fieldValue);
    }

    private static final OfInt kernel$LAYOUT = (OfInt)$LAYOUT.select(groupElement("kernel"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t kernel
     * }
     */
    public static final OfInt kernel$layout() {
        return kernel$LAYOUT;
    }

    private static final long kernel$OFFSET = 8;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t kernel
     * }
     */
    public static final long kernel$offset() {
        return kernel$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t kernel
     * }
     */
    public static int kernel(MemorySegment struct) {
        return struct.get(kernel$LAYOUT, kernel$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t kernel
     * }
     */
    public static void kernel(MemorySegment struct, int fieldValue) {
        struct.set(kernel$LAYOUT, kernel$OFFSET, fieldValue);
    }

    private static final OfInt stride$LAYOUT = (OfInt)$LAYOUT.select(groupElement("stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t stride
     * }
     */
    public static final OfInt stride$layout() {
        return stride$LAYOUT;
    }

    private static final long stride$OFFSET = 12;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t stride
     * }
     */
    public static final long stride$offset() {
        return stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t stride
     * }
     */
    public static int stride(MemorySegment struct) {
        return struct.get(stride$LAYOUT, stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t stride
     * }
     */
    public static void stride(MemorySegment struct, int fieldValue) {
        struct.set(stride$LAYOUT, stride$OFFSET, fieldValue);
    }

    private static final OfInt padding$LAYOUT = (OfInt)$LAYOUT.select(groupElement("padding"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t padding
     * }
     */
    public static final OfInt padding$layout() {
        return padding$LAYOUT;
    }

    private static final long padding$OFFSET = 16;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t padding
     * }
     */
    public static final long padding$offset() {
        return padding$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t padding
     * }
     */
    public static int padding(MemorySegment struct) {
        return struct.get(padding$LAYOUT, padding$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t padding
     * }
     */
    public static void padding(MemorySegment struct, int fieldValue) {
        struct.set(padding$LAYOUT, padding$OFFSET, fieldValue);
    }

    private static final OfInt transposed$LAYOUT = (OfInt)$LAYOUT.select(groupElement("transposed"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t transposed
     * }
     */
    public static final OfInt transposed$layout() {
        return transposed$LAYOUT;
    }

    private static final long transposed$OFFSET = 20;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t transposed
     * }
     */
    public static final long transposed$offset() {
        return transposed$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t transposed
     * }
     */
    public static int transposed(MemorySegment struct) {
        return struct.get(transposed$LAYOUT, transposed$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t transposed
     * }
     */
    public static void transposed(MemorySegment struct, int fieldValue) {
        struct.set(transposed$LAYOUT, transposed$OFFSET, fieldValue);
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
