package dev.rfsq4j.nn;

import dev.rfsq4j.DType;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.bindings.rfsq_h;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every learnable parameter of a model in one flat float32 buffer, with its gradient in a second one of the same
 * layout: the optimizer, gradient clipping and checkpoints then see all of them in one native call each, and each
 * layer works on views of its own slice. Names and shapes follow PyTorch's state_dict of the reference model.
 * A frozen store ({@link #allocateFrozen}) has no gradients: layers bound to it compute input gradients only (a
 * fixed network inside a loss, such as LPIPS's VGG16).
 */
public final class ParameterStore {
    /** One parameter: its state_dict name, shape, and first element in the flat buffers. */
    public record Entry(String name, long[] shape, long offset, long count) {}

    /** The layout, built before any memory exists. */
    public static final class Layout {
        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private long count;

        public Layout add(String name, long... shape) {
            long n = 1;
            for (long d : shape) {
                if (d <= 0) {
                    throw new IllegalArgumentException("parameter " + name + " has a dimension <= 0: " + Tensor.shapeString(shape));
                }
                n = Math.multiplyExact(n, d);
            }
            if (entries.putIfAbsent(name, new Entry(name, shape.clone(), count, n)) != null) {
                throw new IllegalArgumentException("parameter " + name + " is declared twice");
            }
            count += n;
            return this;
        }

        public long count() {
            return count;
        }
    }

    private final Map<String, Entry> entries;
    private final long count;
    private final Tensor values;
    private final Tensor grads;
    private final Tensor sumOfSquares;

    private ParameterStore(Layout layout, Scope scope, boolean gradients) {
        if (layout.count == 0) {
            throw new IllegalArgumentException("a parameter store needs at least one parameter");
        }
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(layout.entries));
        this.count = layout.count;
        this.values = scope.allocate(DType.F32, count);
        this.grads = gradients ? scope.allocate(DType.F32, count) : null;
        if (gradients) {
            grads.copyFrom(new float[Math.toIntExact(count)]);
        }
        this.sumOfSquares = scope.allocate(DType.F32, 1);
    }

    /** Allocates the values (uninitialized) and gradients (zero) in scope. */
    public static ParameterStore allocate(Layout layout, Scope scope) {
        return new ParameterStore(layout, scope, true);
    }

    /** Allocates the values (uninitialized) only: {@link #grads()} and {@link #grad} are null. */
    public static ParameterStore allocateFrozen(Layout layout, Scope scope) {
        return new ParameterStore(layout, scope, false);
    }

    /** Whether this store has gradients (it is not frozen). */
    public boolean hasGradients() {
        return grads != null;
    }

    public long count() {
        return count;
    }

    /** All values, flat. */
    public Tensor values() {
        return values;
    }

    /** All gradients, flat, in the layout of {@link #values()}; null for a frozen store. */
    public Tensor grads() {
        return grads;
    }

    /**
     * The sum of the squares of all values, in float32 (waits for the device): NaN or infinite once any value is not
     * finite, or so large (|w| > ~1e19) that training has diverged.
     */
    public double sumOfSquares() {
        sumOfSquares.device().call("rfsq_sum_squares",
                ctx -> rfsq_h.rfsq_sum_squares(ctx, values.address(), count, sumOfSquares.address()), values, sumOfSquares);
        return sumOfSquares.toFloatArray()[0];
    }

    public List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no parameter named " + name + "; known: " + entries.keySet());
        }
        return e;
    }

    /** A view of one parameter's values, in its shape. */
    public Tensor value(String name) {
        Entry e = entry(name);
        return values.view(e.offset(), e.shape());
    }

    /** A view of one parameter's gradient, in its shape; null for a frozen store. */
    public Tensor grad(String name) {
        Entry e = entry(name);
        return grads == null ? null : grads.view(e.offset(), e.shape());
    }
}
