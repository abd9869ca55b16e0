package dev.rfsq4j.eval;

import dev.rfsq4j.DType;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import java.util.HashMap;
import java.util.Map;

/**
 * Named float32 work buffers that keep their allocation while it is large enough: a smaller batch (the last chunk
 * of a set) gets a view, so repeated passes allocate nothing (and a recorded CUDA graph keeps its addresses).
 */
final class Buffers {
    private final Scope scope;
    private final Map<String, Tensor> buffers = new HashMap<>();

    Buffers(Scope scope) {
        this.scope = scope;
    }

    /** The buffer called key, viewed in this shape (contents: whatever the last user left). */
    Tensor get(String key, long... shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        Tensor t = buffers.get(key);
        if (t == null || t.numel() < n) {
            if (t != null) {
                t.free();
            }
            t = scope.allocate(DType.F32, n);
            buffers.put(key, t);
        }
        return t.view(0, shape);
    }
}
