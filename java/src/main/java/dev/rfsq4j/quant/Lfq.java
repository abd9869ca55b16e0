package dev.rfsq4j.quant;

import static dev.rfsq4j.internal.Checks.expect;
import static dev.rfsq4j.internal.Checks.sameDevice;
import static dev.rfsq4j.quant.Ops.in;
import static dev.rfsq4j.quant.Ops.run;
import static dev.rfsq4j.quant.Ops.runAndWait;

import dev.rfsq4j.internal.Checks;
import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.bindings.rfsq_h;
import dev.rfsq4j.bindings.rfsq_lfq_cfg;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Lookup-free quantization (docs/BASELINES.md): C channels, each quantized to sign(x) (0 gives -1), so 2^C codes and
 * C bits per position. The auxiliary loss is w_c times the commitment loss plus w_e times the entropy loss (per-sample
 * entropy minus gamma times codebook entropy); both weights default to 0, as in the reference. Stateless: outputs are
 * allocated in the scope of the op's first tensor argument, which must be on this quantizer's device.
 *
 * <p>Layouts: x and q (B,C,H,W) float32; indices (B,H,W) int32, channel 0 the most significant bit; loss (1) float32.
 */
public final class Lfq {
    /** rfsq.h's limit on channels (a codebook of 2^24 entries). */
    public static final int MAX_CHANNELS = 24;

    /** A training forward's results: the codes, their indices and the auxiliary loss (0 when both weights are 0). */
    public record Output(Tensor q, Tensor indices, Tensor loss) {}

    private final int channels;
    private final double commitmentWeight;
    private final double entropyWeight;
    private final double diversityGamma;
    private final double invTemperature;
    private final Device device;
    private final MemorySegment cfg;

    private Lfq(Builder b, Device device) {
        this.channels = b.channels;
        this.commitmentWeight = b.commitmentWeight;
        this.entropyWeight = b.entropyWeight;
        this.diversityGamma = b.diversityGamma;
        this.invTemperature = b.invTemperature;
        this.device = device;
        // Read-only by native code; kept for the lifetime of this object.
        this.cfg = rfsq_lfq_cfg.allocate(Arena.ofAuto());
        rfsq_lfq_cfg.channels(cfg, channels);
        rfsq_lfq_cfg.commitment_weight(cfg, (float) commitmentWeight);
        rfsq_lfq_cfg.entropy_weight(cfg, (float) entropyWeight);
        rfsq_lfq_cfg.diversity_gamma(cfg, (float) diversityGamma);
        rfsq_lfq_cfg.inv_temperature(cfg, (float) invTemperature);
    }

    public static Builder builder(int channels) {
        return new Builder(channels);
    }

    /** Configuration of an {@link Lfq}; defaults as in the reference: w_c = 0, w_e = 0, gamma = 2.5, tau = 1. */
    public static final class Builder {
        private final int channels;
        private double commitmentWeight = 0;
        private double entropyWeight = 0;
        private double diversityGamma = 2.5;
        private double invTemperature = 1;

        private Builder(int channels) {
            if (channels < 1 || channels > MAX_CHANNELS) {
                throw new IllegalArgumentException("channels must be 1.." + MAX_CHANNELS + ", got " + channels);
            }
            this.channels = channels;
        }

        /** Weight w_c >= 0 of the commitment loss mean (x - q)^2. */
        public Builder commitmentWeight(double w) {
            this.commitmentWeight = nonNegative("commitment weight", w);
            return this;
        }

        /** Weight w_e >= 0 of the entropy loss; its cost grows with 2^C per position. */
        public Builder entropyWeight(double w) {
            this.entropyWeight = nonNegative("entropy weight", w);
            return this;
        }

        /** gamma: weight of the codebook entropy inside the entropy loss. */
        public Builder diversityGamma(double gamma) {
            if (!Double.isFinite(gamma)) {
                throw new IllegalArgumentException("diversity gamma must be finite, got " + gamma);
            }
            this.diversityGamma = gamma;
            return this;
        }

        /** tau > 0: the inverse temperature of the distance softmax. */
        public Builder invTemperature(double tau) {
            if (!(tau > 0) || !Double.isFinite(tau)) {
                throw new IllegalArgumentException("inverse temperature must be a finite number > 0, got " + tau);
            }
            this.invTemperature = tau;
            return this;
        }

        public Lfq build(Device device) {
            return new Lfq(this, java.util.Objects.requireNonNull(device, "device"));
        }

        private static double nonNegative(String what, double w) {
            if (!(w >= 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + w);
            }
            return w;
        }
    }

    public int channels() {
        return channels;
    }

    /** C: one bit per channel. */
    public double bitsPerPosition() {
        return channels;
    }

    public long codebookSize() {
        return 1L << channels;
    }

    public double commitmentWeight() {
        return commitmentWeight;
    }

    public double entropyWeight() {
        return entropyWeight;
    }

    public double diversityGamma() {
        return diversityGamma;
    }

    public double invTemperature() {
        return invTemperature;
    }

    public Device device() {
        return device;
    }

    /** Training forward of x (B,C,H,W): codes, indices and the auxiliary loss, queued (bad data fails at the next sync). */
    public Output forward(Tensor x) {
        expectLatent(x);
        long b = x.dim(0), h = x.dim(2), w = x.dim(3);
        Scope scope = x.scope();
        Tensor q = scope.allocate(DType.F32, x.shape());
        Tensor idx = scope.allocate(DType.I32, b, h, w);
        Tensor loss = scope.allocate(DType.F32, 1);
        run(device, "rfsq_lfq_forward",
                ctx -> rfsq_h.rfsq_lfq_forward(ctx, cfg, x.address(), b, h, w, q.address(), idx.address(), loss.address()),
                in(x), q, idx, loss);
        return new Output(q, idx, loss);
    }

    /** {@link #forward(Tensor)} into caller-owned outputs (a training loop's buffers): q like x, indices, loss (1). */
    public void forward(Tensor x, Output into) {
        expectLatent(x);
        long b = x.dim(0), h = x.dim(2), w = x.dim(3);
        expect(into.q(), "q", DType.F32, " like x", Checks.exactly(x.shape()));
        expect(into.indices(), "indices", DType.I32, " for x", Checks.exactly(b, h, w));
        expect(into.loss(), "loss", DType.F32, "", Checks.exactly(1));
        run(device, "rfsq_lfq_forward",
                ctx -> rfsq_h.rfsq_lfq_forward(ctx, cfg, x.address(), b, h, w, into.q().address(), into.indices().address(),
                        into.loss().address()),
                in(x, into.q(), into.indices(), into.loss()));
    }

    /** {@link #backward(Tensor, Tensor)} into a caller-owned dx (like x). */
    public void backward(Tensor x, Tensor dq, Tensor dx) {
        expectLatent(x);
        expect(dq, "dq", DType.F32, " like x", Checks.exactly(x.shape()));
        expect(dx, "dx", DType.F32, " like x", Checks.exactly(x.shape()));
        long b = x.dim(0), h = x.dim(2), w = x.dim(3);
        run(device, "rfsq_lfq_backward",
                ctx -> rfsq_h.rfsq_lfq_backward(ctx, cfg, x.address(), b, h, w, dq.address(), dx.address()), in(x, dq, dx));
    }

    /** dx = dq (straight-through) + the gradient of the auxiliary loss at x. */
    public Tensor backward(Tensor x, Tensor dq) {
        expectLatent(x);
        expect(dq, "dq", DType.F32, " like x", Checks.exactly(x.shape()));
        sameDevice(device, "dq", dq);
        long b = x.dim(0), h = x.dim(2), w = x.dim(3);
        Tensor dx = x.scope().allocate(DType.F32, x.shape());
        run(device, "rfsq_lfq_backward",
                ctx -> rfsq_h.rfsq_lfq_backward(ctx, cfg, x.address(), b, h, w, dq.address(), dx.address()),
                in(x, dq), dx);
        return dx;
    }

    /** Indices (B,H,W) of x; on CUDA it waits, so bad data fails this call. */
    public Tensor encode(Tensor x) {
        expectLatent(x);
        long b = x.dim(0), h = x.dim(2), w = x.dim(3);
        Tensor q = x.scope().allocate(DType.F32, x.shape());
        Tensor idx = x.scope().allocate(DType.I32, b, h, w);
        try {
            runAndWait(device, "rfsq_lfq_forward",
                    ctx -> rfsq_h.rfsq_lfq_forward(ctx, cfg, x.address(), b, h, w, q.address(), idx.address(),
                            MemorySegment.NULL),
                    in(x), idx);
        } finally {
            q.free();
        }
        return idx;
    }

    /** Codes (B,C,H,W) of indices (B,H,W); an index outside [0, 2^C) fails this call. */
    public Tensor decode(Tensor indices) {
        expect(indices, "indices", DType.I32, " for LFQ", "B", "H", "W");
        sameDevice(device, "indices", indices);
        long b = indices.dim(0), h = indices.dim(1), w = indices.dim(2);
        Tensor q = indices.scope().allocate(DType.F32, b, channels, h, w);
        runAndWait(device, "rfsq_lfq_decode",
                ctx -> rfsq_h.rfsq_lfq_decode(ctx, cfg, indices.address(), b, h, w, q.address()), in(indices), q);
        return q;
    }

    @Override
    public String toString() {
        return "Lfq[" + channels + " channels, w_c " + commitmentWeight + ", w_e " + entropyWeight + ", gamma "
                + diversityGamma + ", tau " + invTemperature + "]";
    }

    private void expectLatent(Tensor x) {
        expect(x, "x", DType.F32, " for LFQ with " + channels + " channels", "B", channels, "H", "W");
        sameDevice(device, "x", x);
    }
}
