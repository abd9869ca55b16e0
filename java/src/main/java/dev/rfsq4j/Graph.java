package dev.rfsq4j;

import dev.rfsq4j.bindings.rfsq_h;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A recorded sequence of ops on one CUDA device (a CUDA graph, see {@link Device#record}): launching it queues the
 * same ops on the same tensors again as one unit, with less CPU work per op. Whatever the ops read is read at
 * launch time, so new data copied into the recorded tensors is what the replay sees. Closed with its device.
 */
public final class Graph implements AutoCloseable {
    private final Device device;
    private final List<Tensor> operands;
    private MemorySegment handle;

    Graph(Device device, MemorySegment handle, List<Tensor> operands) {
        this.device = device;
        this.handle = handle;
        this.operands = List.copyOf(operands);
    }

    /**
     * Queues the recorded ops (bad data they find is reported at the next sync, naming the op).
     *
     * @throws IllegalStateException if the graph was closed, or a tensor its ops use was freed (the replay would
     *     write into memory that is no longer the tensor's)
     */
    public void launch() {
        device.call("rfsq_graph_launch", ctx -> {
            if (handle == null) {
                throw new IllegalStateException("the graph was closed");
            }
            for (Tensor t : operands) {
                if (!t.isLive()) {
                    throw new IllegalStateException("tensor " + t.describe() + " that the graph uses was freed: record again");
                }
            }
            return rfsq_h.rfsq_graph_launch(ctx, handle);
        });
    }

    /** Frees the graph. Idempotent. */
    @Override
    public void close() {
        device.locked(() -> {
            if (handle != null) {
                MemorySegment h = handle;
                handle = null;
                device.unregister(this);
                Status.check(rfsq_h.rfsq_graph_destroy(h), "rfsq_graph_destroy");
            }
            return null;
        });
    }
}
