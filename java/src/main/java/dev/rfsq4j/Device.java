package dev.rfsq4j;

import dev.rfsq4j.bindings.rfsq_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One native context ({@code rfsq_ctx}): a CPU or one CUDA device with its stream and scratch memory.
 *
 * <p>Thread-safe: the C context is not re-entrant, so every call on it runs under one lock, and the native error
 * message (thread-local) is read inside that lock. Closing the device closes its open scopes first, so no buffer
 * outlives its context.
 */
public final class Device implements AutoCloseable {
    /** One native call on this device's context; returns an rfsq.h status. */
    @FunctionalInterface
    public interface NativeCall {
        int call(MemorySegment ctx);
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Backend backend;
    private final int ordinal;
    private final Set<Scope> scopes = new LinkedHashSet<>();
    private final Set<Graph> graphs = new LinkedHashSet<>();
    private List<Tensor> recording; // operands of the ops a graph records, while one is being recorded
    private MemorySegment ctx;

    private Device(Backend backend, int ordinal, MemorySegment ctx) {
        this.backend = backend;
        this.ordinal = ordinal;
        this.ctx = ctx;
    }

    /** Opens the backend's first device (AUTO: CUDA when a GPU is usable, else CPU). */
    public static Device open(Backend backend) {
        return open(backend, 0);
    }

    /**
     * Opens a device; {@code ordinal} picks the CUDA device and must be 0 for the CPU.
     *
     * @throws RfsqException for CUDA when no usable GPU (or no such ordinal) is present
     */
    public static Device open(Backend backend, int ordinal) {
        Backend resolved = backend.resolve();
        if (ordinal < 0 || (resolved == Backend.CPU && ordinal != 0)) {
            throw new IllegalArgumentException("device ordinal must be 0 for the CPU and >= 0 for CUDA, got " + ordinal);
        }
        if (resolved == Backend.CUDA) {
            int count = Native.cudaDeviceCount();
            if (ordinal >= count) {
                throw new RfsqException(rfsq_h.RFSQ_E_NO_DEVICE(), count == 0
                        ? "CUDA backend requested, but no usable CUDA device is present (no GPU, driver or CUDA build)"
                        : "CUDA device " + ordinal + " requested, but only " + count + " usable CUDA device(s) are present");
            }
        }
        int nativeDevice = resolved == Backend.CUDA ? ordinal : rfsq_h.RFSQ_DEVICE_CPU();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(rfsq_h.C_POINTER);
            Status.check(rfsq_h.rfsq_ctx_create(nativeDevice, out), "rfsq_ctx_create");
            return new Device(resolved, ordinal, out.get(rfsq_h.C_POINTER, 0));
        }
    }

    /** CPU or CUDA (never AUTO). */
    public Backend backend() {
        return backend;
    }

    public boolean isCuda() {
        return backend == Backend.CUDA;
    }

    /**
     * The instruction set this CPU device's kernels run: "avx512", "avx2" or "baseline" (x86-64), the best this CPU
     * has unless the environment variable RFSQ_CPU_ISA chose one when the device was opened; every one gives the
     * same bits. Null on CUDA.
     */
    public String cpuIsa() {
        if (isCuda()) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(rfsq_h.C_INT);
            call("rfsq_ctx_cpu_isa", c -> rfsq_h.rfsq_ctx_cpu_isa(c, out));
            int isa = out.get(rfsq_h.C_INT, 0);
            return isa == rfsq_h.RFSQ_CPU_ISA_AVX512() ? "avx512" : isa == rfsq_h.RFSQ_CPU_ISA_AVX2() ? "avx2" : "baseline";
        }
    }

    /** Waits for queued work; reports bad data an earlier op found on CUDA (NaN input, out-of-range index). */
    public void sync() {
        call("rfsq_ctx_sync", rfsq_h::rfsq_ctx_sync);
    }

    /**
     * Runs one native call on this context under the device lock and turns a failed status into an
     * {@link RfsqException}. Every operand is checked first: it must live on this device in an open scope.
     */
    public void call(String op, NativeCall call, Tensor... operands) {
        invoke(op, call, false, operands);
    }

    /**
     * Like {@link #call}, then on CUDA waits for the queued op under the same lock, so bad data it finds (NaN input,
     * out-of-range index) fails this call, and never a call another thread makes later.
     */
    public void callAndWait(String op, NativeCall call, Tensor... operands) {
        invoke(op, call, isCuda(), operands);
    }

    /**
     * CUDA only: records the ops that body queues on this device into a {@link Graph} instead of running them. The
     * device stays locked for the recording, so no other thread's op lands in it. Ops that cannot be replayed
     * (allocation, freeing, syncs, host copies) fail inside a recording; so does an op whose scratch memory does
     * not exist yet: run the ops once before recording them. If body fails, the recording is discarded. The graph
     * remembers the tensors its ops use and refuses to launch once one of them is freed. Record on a platform
     * thread (CUDA's capture is per OS thread).
     *
     * @throws RfsqException on a CPU device, or if an op could not be recorded
     */
    public Graph record(Runnable body) {
        lock.lock();
        try {
            MemorySegment context = context();
            Status.check(rfsq_h.rfsq_graph_begin(context), "rfsq_graph_begin");
            List<Tensor> operands = new ArrayList<>();
            recording = operands;
            try (Arena arena = Arena.ofConfined()) {
                try {
                    body.run();
                } catch (RuntimeException | Error e) {
                    recording = null;
                    try {
                        Status.check(rfsq_h.rfsq_graph_end(context, MemorySegment.NULL), "rfsq_graph_end");
                    } catch (RfsqException end) {
                        e.addSuppressed(end);
                    }
                    throw e;
                }
                recording = null;
                MemorySegment out = arena.allocate(rfsq_h.C_POINTER);
                Status.check(rfsq_h.rfsq_graph_end(context, out), "rfsq_graph_end");
                Graph graph = new Graph(this, out.get(rfsq_h.C_POINTER, 0), operands);
                graphs.add(graph);
                return graph;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes the device's graphs and open scopes (freeing their tensors), then the context. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (ctx == null) {
                return;
            }
            RuntimeException first = null;
            for (Graph graph : new ArrayList<>(graphs)) {
                try {
                    graph.close();
                } catch (RuntimeException e) {
                    first = first == null ? e : first;
                }
            }
            for (Scope scope : new ArrayList<>(scopes)) {
                try {
                    scope.close();
                } catch (RuntimeException e) {
                    first = first == null ? e : first;
                }
            }
            MemorySegment context = ctx;
            ctx = null;
            Status.check(rfsq_h.rfsq_ctx_destroy(context), "rfsq_ctx_destroy");
            if (first != null) {
                throw first;
            }
        } finally {
            lock.unlock();
        }
    }

    public boolean isOpen() {
        lock.lock();
        try {
            return ctx != null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return isCuda() ? "cuda:" + ordinal : "cpu";
    }

    private void invoke(String op, NativeCall call, boolean wait, Tensor... operands) {
        lock.lock();
        try {
            MemorySegment context = context();
            for (Tensor t : operands) {
                if (t != null) {
                    t.checkUsableOn(this);
                    if (recording != null) {
                        recording.add(t);
                    }
                }
            }
            Status.check(call.call(context), op);
            if (wait) {
                Status.check(rfsq_h.rfsq_ctx_sync(context), "rfsq_ctx_sync");
            }
        } finally {
            lock.unlock();
        }
    }

    <T> T locked(Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    void register(Scope scope) {
        locked(() -> {
            context();
            scopes.add(scope);
            return null;
        });
    }

    void unregister(Scope scope) {
        locked(() -> scopes.remove(scope));
    }

    void unregister(Graph graph) {
        locked(() -> graphs.remove(graph));
    }

    private MemorySegment context() {
        if (ctx == null) {
            throw new IllegalStateException("device " + this + " is closed");
        }
        return ctx;
    }
}
