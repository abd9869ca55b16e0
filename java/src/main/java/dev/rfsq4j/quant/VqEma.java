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
import dev.rfsq4j.bindings.rfsq_vq_cfg;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Vector quantization with an EMA codebook (docs/BASELINES.md): M codes of dimension D = the latent's channels. A
 * training forward quantizes with the current codebook, then folds the batch into the EMA state; the codebook gets
 * no gradient. State (codebook (M,D), cluster size (M), embed average (M,D), float32) lives in the scope the
 * quantizer was built in, so checkpoints copy into and out of those tensors. Outputs are allocated in the scope of
 * the op's first tensor argument, which must be on the quantizer's device.
 *
 * <p>Layouts: x and zq (B,D,H,W) float32; indices (B,H,W) int32; loss (1) float32 = w_c mean (x - zq)^2.
 */
public final class VqEma {
    /** rfsq.h's limits. */
    public static final int MAX_CODES = 1 << 24;
    public static final int MAX_DIM = 1 << 16;

    /** A forward's results: the codes, their indices and the commitment loss. */
    public record Output(Tensor zq, Tensor indices, Tensor loss) {}

    private final int codes;
    private final int dim;
    private final double decay;
    private final double eps;
    private final double commitmentWeight;
    private final double deadThreshold;
    private final Device device;
    private final MemorySegment cfg;
    private final Tensor codebook;
    private final Tensor clusterSize;
    private final Tensor embedAvg;

    private VqEma(Builder b, Scope scope, long seed) {
        this.codes = b.codes;
        this.dim = b.dim;
        this.decay = b.decay;
        this.eps = b.eps;
        this.commitmentWeight = b.commitmentWeight;
        this.deadThreshold = b.deadThreshold;
        this.device = scope.device();
        // Read-only by native code; kept for the lifetime of this object.
        this.cfg = rfsq_vq_cfg.allocate(Arena.ofAuto());
        rfsq_vq_cfg.codes(cfg, codes);
        rfsq_vq_cfg.dim(cfg, dim);
        rfsq_vq_cfg.decay(cfg, (float) decay);
        rfsq_vq_cfg.eps(cfg, (float) eps);
        rfsq_vq_cfg.commitment_weight(cfg, (float) commitmentWeight);
        rfsq_vq_cfg.dead_threshold(cfg, (float) deadThreshold);
        float[] init = initialCodebook(codes, dim, seed);
        this.codebook = scope.fromArray(init, codes, dim);
        this.clusterSize = scope.fromArray(new float[codes], codes);
        this.embedAvg = scope.fromArray(init, codes, dim);
    }

    /** The reference's initial codebook: row-major (M,D), each entry U(-1/M, 1/M) from SplittableRandom(seed). */
    public static float[] initialCodebook(int codes, int dim, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] e = new float[Math.multiplyExact(codes, dim)];
        double bound = 1.0 / codes;
        for (int i = 0; i < e.length; i++) {
            e[i] = (float) random.nextDouble(-bound, bound);
        }
        return e;
    }

    public static Builder builder(int codes, int dim) {
        return new Builder(codes, dim);
    }

    /** Configuration of a {@link VqEma}; defaults: decay 0.99, eps 1e-5, commitment weight 1, no dead-code restart. */
    public static final class Builder {
        private final int codes;
        private final int dim;
        private double decay = 0.99;
        private double eps = 1e-5;
        private double commitmentWeight = 1.0;
        private double deadThreshold;

        private Builder(int codes, int dim) {
            if (codes < 1 || codes > MAX_CODES) {
                throw new IllegalArgumentException("codes must be 1.." + MAX_CODES + ", got " + codes);
            }
            if (dim < 1 || dim > MAX_DIM) {
                throw new IllegalArgumentException("dim must be 1.." + MAX_DIM + ", got " + dim);
            }
            if ((long) codes * dim > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("codebook " + codes + " x " + dim + " exceeds a Java array");
            }
            this.codes = codes;
            this.dim = dim;
        }

        /** Weight of the old statistics in each EMA update, in [0, 1). */
        public Builder decay(double decay) {
            if (!(decay >= 0 && decay < 1)) {
                throw new IllegalArgumentException("decay must be in [0, 1), got " + decay);
            }
            this.decay = decay;
            return this;
        }

        /** Laplace smoothing of the cluster sizes, > 0. */
        public Builder eps(double eps) {
            if (!(eps > 0) || !Double.isFinite(eps)) {
                throw new IllegalArgumentException("eps must be a finite number > 0, got " + eps);
            }
            this.eps = eps;
            return this;
        }

        /** Weight w_c >= 0 of the commitment loss mean (x - zq)^2. */
        public Builder commitmentWeight(double w) {
            if (!(w >= 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("commitment weight must be a finite number >= 0, got " + w);
            }
            this.commitmentWeight = w;
            return this;
        }

        /**
         * Dead-code restart (docs/BASELINES.md): after each EMA update, a code whose cluster size is below t takes a
         * latent of the batch. 0 (the default) never restarts.
         */
        public Builder deadCodeThreshold(double t) {
            if (!(t >= 0) || !Double.isFinite(t)) {
                throw new IllegalArgumentException("dead-code threshold must be a finite number >= 0, got " + t);
            }
            this.deadThreshold = t;
            return this;
        }

        /** Allocates the state in {@code scope}: codebook from {@link #initialCodebook}, cluster size 0, embed average = codebook. */
        public VqEma build(Scope scope, long seed) {
            return new VqEma(this, Objects.requireNonNull(scope, "scope"), seed);
        }
    }

    public int codes() {
        return codes;
    }

    public int dim() {
        return dim;
    }

    public double decay() {
        return decay;
    }

    public double eps() {
        return eps;
    }

    public double commitmentWeight() {
        return commitmentWeight;
    }

    /** Cluster size below which the EMA update restarts a code (0: never). */
    public double deadCodeThreshold() {
        return deadThreshold;
    }

    /** log2(M) bits per position. */
    public double bitsPerPosition() {
        return Math.log(codes) / Math.log(2);
    }

    public Device device() {
        return device;
    }

    /** The codebook (M,D), updated in place by every training forward. */
    public Tensor codebook() {
        return codebook;
    }

    /** EMA of the per-code counts (M). */
    public Tensor clusterSize() {
        return clusterSize;
    }

    /** EMA of the per-code sums of latents (M,D). */
    public Tensor embedAvg() {
        return embedAvg;
    }

    /** Training forward: output and loss from the current codebook, then the EMA update of the state (queued). */
    public Output forward(Tensor x) {
        Output out = quantize(x, false);
        emaUpdate(x, out.indices());
        return out;
    }

    /** {@link #forward(Tensor)} into caller-owned outputs (a training loop's buffers): zq like x, indices, loss (1). */
    public void forward(Tensor x, Output into) {
        expectLatent(x);
        long b = x.dim(0), h = x.dim(2), w = x.dim(3);
        expect(into.zq(), "zq", DType.F32, " like x", Checks.exactly(x.shape()));
        expect(into.indices(), "indices", DType.I32, " for x", Checks.exactly(b, h, w));
        expect(into.loss(), "loss", DType.F32, "", Checks.exactly(1));
        run(device, "rfsq_vq_forward", ctx -> rfsq_h.rfsq_vq_forward(ctx, cfg, x.address(), b, h, w, codebook.address(),
                into.zq().address(), into.indices().address(), into.loss().address()),
                in(x, codebook, into.zq(), into.indices(), into.loss()));
        emaUpdate(x, into.indices());
    }

    /** {@link #backward(Tensor, Tensor, Tensor)} into a caller-owned dx (like x). */
    public void backward(Tensor x, Tensor zq, Tensor dzq, Tensor dx) {
        expectLatent(x);
        expect(zq, "zq", DType.F32, " like x", Checks.exactly(x.shape()));
        expect(dzq, "dzq", DType.F32, " like x", Checks.exactly(x.shape()));
        expect(dx, "dx", DType.F32, " like x", Checks.exactly(x.shape()));
        long b = x.dim(0), h = x.dim(2), w = x.dim(3);
        run(device, "rfsq_vq_backward",
                ctx -> rfsq_h.rfsq_vq_backward(ctx, cfg, x.address(), zq.address(), b, h, w, dzq.address(), dx.address()),
                in(x, zq, dzq, dx));
    }

    private void emaUpdate(Tensor x, Tensor idx) {
        long b = x.dim(0), h = x.dim(2), w = x.dim(3);
        run(device, "rfsq_vq_ema_update",
                ctx -> rfsq_h.rfsq_vq_ema_update(ctx, cfg, x.address(), b, h, w, idx.address(), clusterSize.address(),
                        embedAvg.address(), codebook.address()),
                in(x, idx, clusterSize, embedAvg, codebook));
    }

    /** Inference: output and loss, no update; on CUDA it waits, so bad data fails this call. */
    public Output quantize(Tensor x) {
        return quantize(x, true);
    }

    /** dx = dzq (straight-through) + 2 w_c (x - zq) / (B D H W), with zq from the forward. */
    public Tensor backward(Tensor x, Tensor zq, Tensor dzq) {
        expectLatent(x);
        expect(zq, "zq", DType.F32, " like x", Checks.exactly(x.shape()));
        expect(dzq, "dzq", DType.F32, " like x", Checks.exactly(x.shape()));
        sameDevice(device, "zq", zq);
        sameDevice(device, "dzq", dzq);
        long b = x.dim(0), h = x.dim(2), w = x.dim(3);
        Tensor dx = x.scope().allocate(DType.F32, x.shape());
        run(device, "rfsq_vq_backward",
                ctx -> rfsq_h.rfsq_vq_backward(ctx, cfg, x.address(), zq.address(), b, h, w, dzq.address(), dx.address()),
                in(x, zq, dzq), dx);
        return dx;
    }

    /** Indices (B,H,W) of the nearest codes; on CUDA it waits, so bad data fails this call. */
    public Tensor encode(Tensor x) {
        expectLatent(x);
        long b = x.dim(0), h = x.dim(2), w = x.dim(3);
        Tensor zq = x.scope().allocate(DType.F32, x.shape());
        Tensor idx = x.scope().allocate(DType.I32, b, h, w);
        try {
            runAndWait(device, "rfsq_vq_forward",
                    ctx -> rfsq_h.rfsq_vq_forward(ctx, cfg, x.address(), b, h, w, codebook.address(), zq.address(),
                            idx.address(), MemorySegment.NULL),
                    in(x, codebook), idx);
        } finally {
            zq.free();
        }
        return idx;
    }

    /** Codes (B,D,H,W) of indices (B,H,W); an index outside [0, M) fails this call. */
    public Tensor decode(Tensor indices) {
        expect(indices, "indices", DType.I32, " for VQ", "B", "H", "W");
        sameDevice(device, "indices", indices);
        long b = indices.dim(0), h = indices.dim(1), w = indices.dim(2);
        Tensor zq = indices.scope().allocate(DType.F32, b, dim, h, w);
        runAndWait(device, "rfsq_vq_decode",
                ctx -> rfsq_h.rfsq_vq_decode(ctx, cfg, codebook.address(), indices.address(), b, h, w, zq.address()),
                in(indices, codebook), zq);
        return zq;
    }

    @Override
    public String toString() {
        return "VqEma[" + codes + " x " + dim + ", decay " + decay + ", eps " + eps + ", w_c " + commitmentWeight
                + ", dead-code threshold " + deadThreshold + "]";
    }

    private Output quantize(Tensor x, boolean wait) {
        expectLatent(x);
        long b = x.dim(0), h = x.dim(2), w = x.dim(3);
        Scope scope = x.scope();
        Tensor zq = scope.allocate(DType.F32, x.shape());
        Tensor idx = scope.allocate(DType.I32, b, h, w);
        Tensor loss = scope.allocate(DType.F32, 1);
        Device.NativeCall call = ctx -> rfsq_h.rfsq_vq_forward(ctx, cfg, x.address(), b, h, w, codebook.address(),
                zq.address(), idx.address(), loss.address());
        if (wait) {
            runAndWait(device, "rfsq_vq_forward", call, in(x, codebook), zq, idx, loss);
        } else {
            run(device, "rfsq_vq_forward", call, in(x, codebook), zq, idx, loss);
        }
        return new Output(zq, idx, loss);
    }

    private void expectLatent(Tensor x) {
        expect(x, "x", DType.F32, " for VQ of dim " + dim, "B", dim, "H", "W");
        sameDevice(device, "x", x);
    }
}
