package dev.rfsq4j.nn;

import dev.rfsq4j.DType;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Activation and gradient buffers of a training step, allocated on first use and kept while the batch shape stays
 * the same, so a step allocates nothing (no cudaMalloc/cudaFree per step, and a fixed set of addresses).
 */
public final class WorkBuffers {
    private final Scope scope;
    private final Map<String, Tensor> buffers = new HashMap<>();

    public WorkBuffers(Scope scope) {
        this.scope = scope;
    }

    /** The buffer called key, of this dtype and shape (its contents are whatever the last user left). */
    public Tensor get(String key, DType dtype, long... shape) {
        Tensor t = buffers.get(key);
        if (t != null && t.dtype() == dtype && Arrays.equals(t.shape(), shape)) {
            return t;
        }
        if (t != null) {
            t.free();
        }
        t = scope.allocate(dtype, shape);
        buffers.put(key, t);
        return t;
    }

    public Tensor floats(String key, long... shape) {
        return get(key, DType.F32, shape);
    }

    public Scope scope() {
        return scope;
    }
}
