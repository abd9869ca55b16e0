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
 * struct rfsq_adam_cfg {
 *     double lr;
 *     double beta1;
 *     double beta2;
 *     double eps;
 *     double weight_decay;
 *     double max_grad_norm;
 *     int32_t decoupled;
 *     int32_t step;
 * }
 * }
 */
public class rfsq_adam_cfg {

    rfsq_adam_cfg() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        rfsq_h.C_DOUBLE.withName("lr"),
        rfsq_h.C_DOUBLE.withName("beta1"),
        rfsq_h.C_DOUBLE.withName("beta2"),
        rfsq_h.C_DOUBLE.withName("eps"),
        rfsq_h.C_DOUBLE.withName("weight_decay"),
        rfsq_h.C_DOUBLE.withName("max_grad_norm"),
        rfsq_h.C_INT.withName("decoupled"),
        rfsq_h.C_INT.withName("step")
    ).withName("rfsq_adam_cfg");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final OfDouble lr$LAYOUT = (OfDouble)$LAYOUT.select(groupElement("lr"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * double lr
     * }
     */
    public static final OfDouble lr$layout() {
        return lr$LAYOUT;
    }

    private static final long lr$OFFSET = 0;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * double lr
     * }
     */
    public static final long lr$offset() {
        return lr$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * double lr
     * }
     */
    public static double lr(MemorySegment struct) {
        return struct.get(lr$LAYOUT, lr$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * double lr
     * }
     */
    public static void lr(MemorySegment struct, double fieldValue) {
        struct.set(lr$LAYOUT, lr$OFFSET, fieldValue);
    }

    private static final OfDouble beta1$LAYOUT = (OfDouble)$LAYOUT.select(groupElement("beta1"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * double beta1
     * }
     */
    public static final OfDouble beta1$layout() {
        return beta1$LAYOUT;
    }

    private static final long beta1$OFFSET = 8;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * double beta1
     * }
     */
    public static final long beta1$offset() {
        return beta1$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * double beta1
     * }
     */
    public static double beta1(MemorySegment struct) {
        return struct.get(beta1$LAYOUT, beta1$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * double beta1
     * }
     */
    public static void beta1(MemorySegment struct, double fieldValue) {
        struct.set(beta1$LAYOUT, beta1$OFFSET, fieldValue);
    }

    private static final OfDouble beta2$LAYOUT = (OfDouble)$LAYOUT.select(groupElement("beta2"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * double beta2
     * }
     */
    public static final OfDouble beta2$layout() {
        return beta2$LAYOUT;
    }

    private static final long beta2$OFFSET = 16;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * double beta2
     * }
     */
    public static final long beta2$offset() {
        return beta2$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * double beta2
     * }
     */
    public static double beta2(MemorySegment struct) {
        return struct.get(beta2$LAYOUT, beta2$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * double beta2
     * }
     */
    public static void beta2(MemorySegment struct, double fieldValue) {
        struct.set(beta2$LAYOUT, beta2$OFFSET, fieldValue);
    }

    private static final OfDouble eps$LAYOUT = (OfDouble)$LAYOUT.select(groupElement("eps"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * double eps
     * }
     */
    public static final OfDouble eps$layout() {
        return eps$LAYOUT;
    }

    private static final long eps$OFFSET = 24;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * double eps
     * }
     */
    public static final long eps$offset() {
        return eps$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * double eps
     * }
     */
    public static double eps(MemorySegment struct) {
        return struct.get(eps$LAYOUT, eps$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * double eps
     * }
     */
    public static void eps(MemorySegment struct, double fieldValue) {
        struct.set(eps$LAYOUT, eps$OFFSET, fieldValue);
    }

    private static final OfDouble weight_decay$LAYOUT = (OfDouble)$LAYOUT.select(groupElement("weight_decay"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * double weight_decay
     * }
     */
    public static final OfDouble weight_decay$layout() {
        return weight_decay$LAYOUT;
    }

    private static final long weight_decay$OFFSET = 32;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * double weight_decay
     * }
     */
    public static final long weight_decay$offset() {
        return weight_decay$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * double weight_decay
     * }
     */
    public static double weight_decay(MemorySegment struct) {
        return struct.get(weight_decay$LAYOUT, weight_decay$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * double weight_decay
     * }
     */
    public static void weight_decay(MemorySegment struct, double fieldValue) {
        struct.set(weight_decay$LAYOUT, weight_decay$OFFSET, fieldValue);
    }

    private static final OfDouble max_grad_norm$LAYOUT = (OfDouble)$LAYOUT.select(groupElement("max_grad_norm"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * double max_grad_norm
     * }
     */
    public static final OfDouble max_grad_norm$layout() {
        return max_grad_norm$LAYOUT;
    }

    private static final long max_grad_norm$OFFSET = 40;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * double max_grad_norm
     * }
     */
    public static final long max_grad_norm$offset() {
        return max_grad_norm$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * double max_grad_norm
     * }
     */
    public static double max_grad_norm(MemorySegment struct) {
        return struct.get(max_grad_norm$LAYOUT, max_grad_norm$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * double max_grad_norm
     * }
     */
    public static void max_grad_norm(MemorySegment struct, double fieldValue) {
        struct.set(max_grad_norm$LAYOUT, max_grad_norm$OFFSET, fieldValue);
    }

    private static final OfInt decoupled$LAYOUT = (OfInt)$LAYOUT.select(groupElement("decoupled"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t decoupled
     * }
     */
    public static final OfInt decoupled$layout() {
        return decoupled$LAYOUT;
    }

    private static final long decoupled$OFFSET = 48;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t decoupled
     * }
     */
    public static final long decoupled$offset() {
        return decoupled$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t decoupled
     * }
     */
    public static int decoupled(MemorySegment struct) {
        return struct.get(decoupled$LAYOUT, decoupled$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t decoupled
     * }
     */
    public static void decoupled(MemorySegment struct, int fieldValue) {
        struct.set(decoupled$LAYOUT, decoupled$OFFSET, fieldValue);
    }

    private static final OfInt step$LAYOUT = (OfInt)$LAYOUT.select(groupElement("step"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t step
     * }
     */
    public static final OfInt step$layout() {
        return step$LAYOUT;
    }

    private static final long step$OFFSET = 52;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t step
     * }
     */
    public static final long step$offset() {
        return step$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t step
     * }
     */
    public static int step(MemorySegment struct) {
        return struct.get(step$LAYOUT, step$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t step
     * }
     */
    public static void step(MemorySegment struct, int fieldValue) {
        struct.set(step$LAYOUT, step$OFFSET, fieldValue);
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
