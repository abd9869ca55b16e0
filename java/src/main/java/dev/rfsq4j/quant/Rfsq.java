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
import dev.rfsq4j.bindings.rfsq_rfsq_cfg;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * Robust residual FSQ (spec §2): K stages of the same levels, each conditioning its residual by a strategy. Every
 * op is one fused native call. Parameters (and running statistics) live in the scope the quantizer was built in;
 * outputs are allocated in the scope of the op's first tensor argument. All tensors must be on the quantizer's
 * device.
 *
 * <p>Layouts (rfsq.h): z and zhat (B,C,H,W) float32; indices (B,H,W,K) int32; per-image stats (K,B,C,2) as
 * (mu, sigma); running stats (K,C,2); rnorm (B,K) = ||r_k|| per image; parameters: scale theta[K], layernorm per
 * stage gamma[C] then beta[C], none: no parameters.
 */
public final class Rfsq {
    /** rfsq.h's RFSQ_MAX_STAGES. */
    public static final int MAX_STAGES = 16;

    /** A forward's results; {@code stats} is null unless the strategy is layernorm with per-image statistics. */
    public record Output(Tensor zhat, Tensor indices, Tensor stats, Tensor rnorm) {}

    /** Gradients of a scalar loss; {@code dparams} is null for the none strategy (no parameters). */
    public record Gradients(Tensor dz, Tensor dparams) {}

    /** What a decoder needs: indices, plus per-image stats for layernorm in parity mode (null otherwise). */
    public record Encoded(Tensor indices, Tensor stats) {}

    private final Levels levels;
    private final int stages;
    private final Strategy strategy;
    private final StatsMode statsMode;
    private final float momentum;
    private final Device device;
    private final MemorySegment cfg;
    private final Tensor params;
    private final Tensor running;

    private Rfsq(Builder b, Scope scope, Tensor storage) {
        this.levels = b.levels;
        this.stages = b.stages;
        this.strategy = b.strategy;
        this.statsMode = b.statsMode;
        this.momentum = (float) b.momentum;
        this.device = scope.device();
        // Read-only by native code; kept for the lifetime of this object.
        this.cfg = rfsq_rfsq_cfg.allocate(Arena.ofAuto());
        levels.writeTo(rfsq_rfsq_cfg.levels(cfg));
        rfsq_rfsq_cfg.stages(cfg, stages);
        rfsq_rfsq_cfg.strategy(cfg, strategy.code());
        float[] init = initialParameters(b.initialScale);
        long count = nativeParamCount();
        if (count != init.length) {
            throw new IllegalStateException("rfsq_rfsq_param_count gives " + count + " parameters for " + this
                    + ", but the layout of rfsq.h has " + init.length);
        }
        if (storage == null) {
            this.params = init.length == 0 ? null : scope.fromArray(init, init.length);
        } else {
            expect(storage, "parameter storage", DType.F32, " for " + init.length + " parameters", init.length);
            sameDevice(device, "parameter storage", storage);
            storage.copyFrom(init);
            this.params = storage;
        }
        this.running = tracksRunningStats() ? scope.fromArray(initialRunningStats(), stages, levels.count(), 2) : null;
    }

    public static Builder builder(Levels levels) {
        return new Builder(levels);
    }

    /** Configuration of an {@link Rfsq}; defaults: 1 stage, none, parity, theta = 0, momentum 0.99. */
    public static final class Builder {
        private final Levels levels;
        private int stages = 1;
        private Strategy strategy = Strategy.NONE;
        private StatsMode statsMode = StatsMode.PARITY;
        private Double initialScale;
        private double momentum = 0.99;

        private Builder(Levels levels) {
            this.levels = Objects.requireNonNull(levels, "levels");
        }

        /** Number of residual stages K, 1..16. */
        public Builder stages(int stages) {
            if (stages < 1 || stages > MAX_STAGES) {
                throw new IllegalArgumentException("stages must be 1.." + MAX_STAGES + ", got " + stages);
            }
            this.stages = stages;
            return this;
        }

        public Builder strategy(Strategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        public Builder statsMode(StatsMode statsMode) {
            this.statsMode = Objects.requireNonNull(statsMode, "statsMode");
            return this;
        }

        /** Scale strategy only: start every stage at scale s0 > 0 (theta = log(expm1(s0))) instead of ln 2. */
        public Builder initialScale(double s0) {
            if (!(s0 > 0) || Double.isInfinite(s0)) {
                throw new IllegalArgumentException("initial scale must be a finite number > 0, got " + s0);
            }
            this.initialScale = s0;
            return this;
        }

        /** Running mode: weight of the old running statistics in each update, in [0, 1). */
        public Builder momentum(double momentum) {
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
            }
            this.momentum = momentum;
            return this;
        }

        /** Allocates the parameters (and running statistics) in {@code scope}, at their initial values. */
        public Rfsq build(Scope scope) {
            checkInitialScale();
            return new Rfsq(this, scope, null);
        }

        /**
         * Like {@link #build(Scope)}, with the parameters kept in {@code storage}, a float32 ({@link #parameterCount()})
         * tensor that is overwritten with the initial values: a trainer's flat parameter buffer, say. Null storage
         * for a configuration without parameters.
         */
        public Rfsq build(Scope scope, Tensor storage) {
            if (storage == null && parameterCount() > 0) {
                throw new IllegalArgumentException("storage for " + parameterCount() + " parameters is needed, got null");
            }
            if (storage != null && parameterCount() == 0) {
                throw new IllegalArgumentException(strategy.label() + " has no parameters; storage must be null");
            }
            checkInitialScale();
            return new Rfsq(this, scope, storage);
        }

        private void checkInitialScale() {
            if (initialScale != null && strategy != Strategy.SCALE) {
                throw new IllegalArgumentException("an initial scale applies to the scale strategy only, not " + strategy.label());
            }
        }

        public Levels levels() {
            return levels;
        }

        public int stages() {
            return stages;
        }

        public Strategy strategy() {
            return strategy;
        }

        /** Number of float parameters of this configuration: scale K, layernorm 2*C*K, none 0. */
        public int parameterCount() {
            return switch (strategy) {
                case NONE -> 0;
                case SCALE -> stages;
                case LAYERNORM -> 2 * levels.count() * stages;
            };
        }
    }

    public Levels levels() {
        return levels;
    }

    public int stages() {
        return stages;
    }

    public Strategy strategy() {
        return strategy;
    }

    public StatsMode statsMode() {
        return statsMode;
    }

    public Device device() {
        return device;
    }

    /** The learnable parameters (scale: theta[K]; layernorm: per stage gamma[C] then beta[C]); null for none. */
    public Tensor parameters() {
        return params;
    }

    /** Running statistics (K,C,2) of layernorm in running mode; null otherwise. */
    public Tensor runningStats() {
        return running;
    }

    /** Bits per latent position: K * log2(codebook size). */
    public double bitsPerPosition() {
        return stages * levels.bits();
    }

    /** Side information per image that decode needs beside the indices: 2*C*K float32 for layernorm in parity mode. */
    public long sideInfoBitsPerImage() {
        return perImageStats() ? 2L * levels.count() * stages * 32 : 0;
    }

    /**
     * Training forward of z (B,C,H,W) with per-image statistics. In running mode (layernorm) it also folds this
     * batch's statistics into the running ones.
     */
    public Output forward(Tensor z) {
        Output out = forward(z, false, true, false);
        updateRunning(z, out.stats());
        return out;
    }

    private void updateRunning(Tensor z, Tensor stats) {
        if (tracksRunningStats()) {
            long b = z.dim(0);
            run(device, "rfsq_rfsq_running_update",
                    ctx -> rfsq_h.rfsq_rfsq_running_update(ctx, cfg, stats.address(), b, momentum, running.address()),
                    in(stats, running));
        }
    }

    /**
     * {@link #forward(Tensor)} into caller-owned outputs (a training loop's buffers): zhat like z, indices (B,H,W,K),
     * stats (K,B,C,2) for layernorm (null otherwise), rnorm (B,K) or null.
     */
    public void forward(Tensor z, Output into) {
        expectLatent(z);
        long b = z.dim(0), h = z.dim(2), w = z.dim(3);
        expect(into.zhat(), "zhat", DType.F32, " like z", Checks.exactly(z.shape()));
        expect(into.indices(), "indices", DType.I32, " for z", Checks.exactly(b, h, w, stages));
        if (strategy == Strategy.LAYERNORM) {
            expect(into.stats(), "stats", DType.F32, " for z", Checks.exactly(stages, b, levels.count(), 2));
        } else if (into.stats() != null) {
            throw new IllegalArgumentException("stats must be null for " + strategy.label() + ", got " + into.stats().describe());
        }
        if (into.rnorm() != null) {
            expect(into.rnorm(), "rnorm", DType.F32, " for z", Checks.exactly(b, stages));
        }
        launchForward(z, false, false, into.zhat(), into.indices(), into.stats(), into.rnorm(), false);
        updateRunning(z, into.stats());
    }

    /** {@link #backward(Tensor, Tensor)} into caller-owned dz (like z) and dparams (null without parameters). */
    public void backward(Tensor z, Tensor dzhat, Gradients into) {
        expectLatent(z);
        expect(dzhat, "dzhat", DType.F32, " like z", Checks.exactly(z.shape()));
        expect(into.dz(), "dz", DType.F32, " like z", Checks.exactly(z.shape()));
        if (params != null) {
            expect(into.dparams(), "dparams", DType.F32, " like the parameters", Checks.exactly(params.shape()));
        }
        launchBackward(z, dzhat, into.dz(), params == null ? null : into.dparams(), false);
    }

    /**
     * Inference forward of z: the mode's statistics (per-image in parity mode, the frozen running ones in running
     * mode), nothing updated. On CUDA it waits for the result, so bad data fails this call.
     */
    public Output quantize(Tensor z) {
        return forward(z, tracksRunningStats(), true, true);
    }

    /** Exact backward of {@link #forward} (residuals and statistics not detached) for the gradient dzhat of zhat. */
    public Gradients backward(Tensor z, Tensor dzhat) {
        expectLatent(z);
        expect(dzhat, "dzhat", DType.F32, " like z", Checks.exactly(z.shape()));
        sameDevice(device, "z", z);
        sameDevice(device, "dzhat", dzhat);
        Tensor dz = z.scope().allocate(DType.F32, z.shape());
        Tensor dparams = params == null ? null : z.scope().allocate(DType.F32, params.shape());
        launchBackward(z, dzhat, dz, dparams, true);
        return new Gradients(dz, dparams);
    }

    /** owned: the outputs were allocated for this call (freed if it fails), else they belong to the caller. */
    private void launchBackward(Tensor z, Tensor dzhat, Tensor dz, Tensor dparams, boolean owned) {
        sameDevice(device, "z", z);
        sameDevice(device, "dzhat", dzhat);
        sameDevice(device, "dz", dz);
        sameDevice(device, "dparams", dparams);
        long b = z.dim(0), h = z.dim(2), w = z.dim(3);
        Device.NativeCall call = ctx -> rfsq_h.rfsq_rfsq_backward(ctx, cfg, z.address(), b, h, w, pointer(params),
                dzhat.address(), dz.address(), pointer(dparams));
        if (owned) {
            run(device, "rfsq_rfsq_backward", call, in(z, dzhat, params), dz, dparams);
        } else {
            run(device, "rfsq_rfsq_backward", call, in(z, dzhat, params, dz, dparams));
        }
    }

    /** Indices of z, plus the per-image stats decode needs (layernorm, parity mode). */
    public Encoded encode(Tensor z) {
        Output out = forward(z, tracksRunningStats(), false, true);
        out.zhat().free();
        return new Encoded(out.indices(), out.stats());
    }

    /**
     * zhat (B,C,H,W) from indices (B,H,W,K). Layernorm in parity mode needs the per-image stats (K,B,C,2) that
     * encode returned; every other configuration takes null. The statistics are checked natively: a NaN or
     * infinite mu or sigma fails with RFSQ_E_NONFINITE, sigma <= 0 with RFSQ_E_INVALID, an index outside the
     * levels with RFSQ_E_RANGE, each an {@link dev.rfsq4j.RfsqException} naming rfsq_rfsq_decode.
     */
    public Tensor decode(Tensor indices, Tensor stats) {
        checkDecodeInputs(indices, stats);
        long b = indices.dim(0), h = indices.dim(1), w = indices.dim(2);
        Tensor statsIn = perImageStats() ? stats : running;
        Tensor zhat = indices.scope().allocate(DType.F32, b, levels.count(), h, w);
        runAndWait(device, "rfsq_rfsq_decode",
                ctx -> rfsq_h.rfsq_rfsq_decode(ctx, cfg, indices.address(), b, h, w, pointer(params), pointer(statsIn),
                        perImageStats() ? 1 : 0, zhat.address()),
                in(indices, params, statsIn), zhat);
        return zhat;
    }

    private void checkDecodeInputs(Tensor indices, Tensor stats) {
        expect(indices, "indices", DType.I32, " for " + stages + " stage(s)", "B", "H", "W", stages);
        sameDevice(device, "indices", indices);
        long b = indices.dim(0);
        if (perImageStats()) {
            if (stats == null) {
                throw new IllegalArgumentException(
                        "decode needs the per-image stats (K,B,C,2) from encode (layernorm, parity mode), got null");
            }
            expect(stats, "stats", DType.F32, " for these indices", stages, b, levels.count(), 2);
            sameDevice(device, "stats", stats);
        } else if (stats != null) {
            throw new IllegalArgumentException("stats must be null for " + strategy.label() + " in " + statsMode.label()
                    + " mode (indices alone decode), got " + stats.describe());
        }
    }

    /**
     * zhat from the first {@code k} of the K stages only (progressive decoding: q_1 + ... + q_k), from the same
     * indices (B,H,W,K) and stats (K,B,C,2) as {@link #decode}. Exact: stage j's code depends only on its own index,
     * parameters and statistics, so this equals what a k-stage quantizer with this one's first k stages decodes
     * (and k = K is {@link #decode}). For k < K the first k indices of each position are gathered through the host.
     */
    public Tensor decode(Tensor indices, Tensor stats, int k) {
        if (k < 1 || k > stages) {
            throw new IllegalArgumentException("k must be 1.." + stages + " (stages to decode), got " + k);
        }
        checkDecodeInputs(indices, stats);
        if (k == stages) {
            return decode(indices, stats);
        }
        long b = indices.dim(0), h = indices.dim(1), w = indices.dim(2);
        int c = levels.count();
        int[] all = indices.toIntArray();
        int[] first = new int[Math.toIntExact(b * h * w * k)];
        for (int p = 0, n = first.length / k; p < n; p++) {
            System.arraycopy(all, p * stages, first, p * k, k);
        }
        // Stage-major layouts: the first k stages of params, stats (K,B,C,2) and running stats (K,C,2) are prefixes.
        try (Scope state = Scope.open(device)) {
            Rfsq prefix = builder(levels).stages(k).strategy(strategy).statsMode(statsMode).momentum(momentum)
                    .build(state);
            if (params != null) {
                prefix.params.copyFrom(params.view(0, prefix.params.numel()));
            }
            if (running != null) {
                prefix.running.copyFrom(running.view(0, k, c, 2));
            }
            Tensor prefixIndices = state.fromArray(first, b, h, w, k);
            Tensor prefixStats = stats == null ? null : stats.view(0, k, b, c, 2);
            Tensor zhat = prefix.decode(prefixIndices, prefixStats);
            Tensor out = indices.scope().allocate(DType.F32, zhat.shape());
            out.copyFrom(zhat);
            return out;
        }
    }

    @Override
    public String toString() {
        return "Rfsq[" + stages + "x" + levels + " " + strategy.label() + ", " + statsMode.label() + "]";
    }

    /**
     * One fused forward: frozen uses the running statistics, else per-image ones are written (layernorm); wait makes
     * bad data fail this call on CUDA too.
     */
    private Output forward(Tensor z, boolean frozen, boolean wantRnorm, boolean wait) {
        expectLatent(z);
        sameDevice(device, "z", z);
        long b = z.dim(0), h = z.dim(2), w = z.dim(3);
        Scope scope = z.scope();
        Tensor zhat = scope.allocate(DType.F32, z.shape());
        Tensor idx = scope.allocate(DType.I32, b, h, w, stages);
        Tensor stats = !frozen && strategy == Strategy.LAYERNORM
                ? scope.allocate(DType.F32, stages, b, levels.count(), 2)
                : null;
        Tensor rnorm = wantRnorm ? scope.allocate(DType.F32, b, stages) : null;
        launchForward(z, frozen, wait, zhat, idx, stats, rnorm, true);
        return new Output(zhat, idx, stats, rnorm);
    }

    private void launchForward(Tensor z, boolean frozen, boolean wait, Tensor zhat, Tensor idx, Tensor stats,
            Tensor rnorm, boolean owned) {
        for (Tensor t : new Tensor[] {zhat, idx, stats, rnorm}) {
            sameDevice(device, "output", t);
        }
        long b = z.dim(0), h = z.dim(2), w = z.dim(3);
        Tensor runningIn = frozen ? running : null;
        Device.NativeCall call = ctx -> rfsq_h.rfsq_rfsq_forward(ctx, cfg, z.address(), b, h, w, pointer(params),
                pointer(runningIn), zhat.address(), idx.address(), pointer(stats), pointer(rnorm));
        Tensor[] inputs = owned ? in(z, params, runningIn) : in(z, params, runningIn, zhat, idx, stats, rnorm);
        Tensor[] outputs = owned ? new Tensor[] {zhat, idx, stats, rnorm} : new Tensor[0];
        if (wait) {
            runAndWait(device, "rfsq_rfsq_forward", call, inputs, outputs);
        } else {
            run(device, "rfsq_rfsq_forward", call, inputs, outputs);
        }
    }

    private void expectLatent(Tensor z) {
        expect(z, "z", DType.F32, " for levels " + levels, "B", levels.count(), "H", "W");
    }

    private boolean perImageStats() {
        return strategy == Strategy.LAYERNORM && statsMode == StatsMode.PARITY;
    }

    private boolean tracksRunningStats() {
        return strategy == Strategy.LAYERNORM && statsMode == StatsMode.RUNNING;
    }

    private long nativeParamCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(rfsq_h.C_LONG);
            // The call needs no context; going through the device keeps its error handling in one place.
            device.call("rfsq_rfsq_param_count", ctx -> rfsq_h.rfsq_rfsq_param_count(cfg, count));
            return count.get(rfsq_h.C_LONG, 0);
        }
    }

    private float[] initialParameters(Double initialScale) {
        int c = levels.count();
        return switch (strategy) {
            case NONE -> new float[0];
            case SCALE -> {
                float[] theta = new float[stages];
                Arrays.fill(theta, initialScale == null ? 0f : (float) Math.log(Math.expm1(initialScale)));
                yield theta;
            }
            case LAYERNORM -> {
                float[] p = new float[stages * 2 * c];
                for (int k = 0; k < stages; k++) {
                    Arrays.fill(p, k * 2 * c, k * 2 * c + c, 1f); // gamma = 1, beta stays 0
                }
                yield p;
            }
        };
    }

    private float[] initialRunningStats() {
        float[] stats = new float[stages * levels.count() * 2];
        for (int i = 1; i < stats.length; i += 2) {
            stats[i] = 1f; // (mu, sigma) = (0, 1)
        }
        return stats;
    }

    private static MemorySegment pointer(Tensor t) {
        return t == null ? MemorySegment.NULL : t.address();
    }
}
