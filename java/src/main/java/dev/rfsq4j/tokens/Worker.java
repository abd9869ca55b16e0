package dev.rfsq4j.tokens;

import dev.rfsq4j.Backend;
import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.Native;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.ImageNormalization;
import dev.rfsq4j.nn.LfqQuantizer;
import dev.rfsq4j.nn.RfsqQuantizer;
import dev.rfsq4j.nn.VqEmaQuantizer;
import dev.rfsq4j.nn.VqVae;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.train.CheckpointConfig;
import dev.rfsq4j.train.StateDict;
import java.lang.foreign.MemorySegment;

/**
 * One native context with its own copy of the trained model: what one tokenizer worker thread owns. Not
 * thread-safe; only its worker thread calls it. Inputs and outputs of a call live in a scope of that call.
 */
final class Worker implements AutoCloseable {
    /** Indices (B,H,W,K) and the statistics (K,B,C,2) or null, on the host. */
    record Encoded(int[] indices, float[] stats) {}

    private final Device device;
    private final Scope scope;
    private final VqVae model;
    private final ImageNormalization normalization;

    /** Made on the worker's thread: cpuThreads is what the CPU ops of that thread use. */
    Worker(Backend backend, CheckpointConfig config, SafeTensors weights, int cpuThreads) {
        Native.setCpuThreads(cpuThreads);
        this.device = Device.open(backend);
        try {
            this.scope = Scope.open(device);
            this.model = new VqVae(config.quantizer(), scope, 0);
            StateDict.load(model, weights);
            this.normalization = new ImageNormalization(scope, config.mean(), config.std());
        } catch (RuntimeException | Error e) {
            device.close();
            throw e;
        }
    }

    Device device() {
        return device;
    }

    /** Tokens of images (B,3,H,W) float32 in [0, 1], given as a native segment or a float[]. */
    Encoded encode(Object pixels, long b, long h, long w) {
        try (Scope call = Scope.open(device)) {
            Tensor x = call.allocate(DType.F32, b, 3, h, w);
            switch (pixels) {
                case MemorySegment segment -> x.copyFrom(segment);
                case float[] array -> x.copyFrom(array);
                default -> throw new IllegalArgumentException("pixels must be a MemorySegment or a float[]");
            }
            normalization.normalize(x, x);
            Tensor z = model.encode(x);
            return switch (model.quantizer()) {
                case RfsqQuantizer r -> {
                    Rfsq.Encoded e = r.rfsq().encode(z);
                    try {
                        yield new Encoded(e.indices().toIntArray(), e.stats() == null ? null : e.stats().toFloatArray());
                    } finally {
                        e.indices().free();
                        if (e.stats() != null) {
                            e.stats().free();
                        }
                    }
                }
                case LfqQuantizer l -> new Encoded(hostAndFree(l.lfq().encode(z)), null);
                case VqEmaQuantizer v -> new Encoded(hostAndFree(v.vq().encode(z)), null);
            };
        }
    }

    /** Pixels (B,3,4H,4W) in [0, 1] of the first k stages of tokens. */
    float[] decode(Tokens tokens, int k) {
        long b = tokens.batch(), h = tokens.height(), w = tokens.width();
        try (Scope call = Scope.open(device)) {
            Tensor zhat = switch (model.quantizer()) {
                case RfsqQuantizer r -> {
                    Tensor idx = call.fromArray(tokens.indices(), b, h, w, tokens.stages());
                    Tensor stats = tokens.hasStats()
                            ? call.fromArray(tokens.stats(), tokens.stages(), b, tokens.channels(), 2)
                            : null;
                    yield r.rfsq().decode(idx, stats, k);
                }
                case LfqQuantizer l -> l.lfq().decode(call.fromArray(tokens.indices(), b, h, w));
                case VqEmaQuantizer v -> v.vq().decode(call.fromArray(tokens.indices(), b, h, w));
            };
            Tensor xhat = model.decode(zhat);
            Tensor pixels = call.allocate(DType.F32, xhat.shape());
            normalization.denormalize(xhat, pixels);
            float[] out = pixels.toFloatArray();
            for (int i = 0; i < out.length; i++) {
                out[i] = Math.clamp(out[i], 0f, 1f);
            }
            return out;
        }
    }

    @Override
    public void close() {
        device.close();
    }

    private static int[] hostAndFree(Tensor t) {
        try {
            return t.toIntArray();
        } finally {
            t.free();
        }
    }
}
