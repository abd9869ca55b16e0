package dev.rfsq4j.nn;

import dev.rfsq4j.DType;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.bindings.rfsq_adam_cfg;
import dev.rfsq4j.bindings.rfsq_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Adam over all parameters of a {@link ParameterStore} in one native call per step: PyTorch's Adam (weight decay
 * added to the gradient, the reference) or AdamW (decoupled), optionally after clip_grad_norm_. Moments m and v
 * are flat like the store.
 */
public final class Adam {
    /** Hyper-parameters; maxGradNorm 0 disables clipping. */
    public record Config(double beta1, double beta2, double eps, double weightDecay, boolean decoupled, double maxGradNorm) {
        public Config {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(eps > 0) || !(weightDecay >= 0) || !(maxGradNorm >= 0)
                    || !Double.isFinite(eps + weightDecay + maxGradNorm)) {
                throw new IllegalArgumentException("eps must be > 0, weight decay and max grad norm >= 0 and finite, got "
                        + eps + ", " + weightDecay + ", " + maxGradNorm);
            }
        }

        /** The reference recipe: Adam (0.9, 0.999), eps 1e-8, L2-coupled weight decay 5e-5, no clipping. */
        public static Config reference() {
            return new Config(0.9, 0.999, 1e-8, 5e-5, false, 0);
        }
    }

    private final ParameterStore store;
    private final Config config;
    private final Tensor m;
    private final Tensor v;
    private final Tensor gradSq;
    private final Tensor constants;
    private final MemorySegment cfg;
    private int step;

    /** Moments start at zero, in scope. */
    public Adam(ParameterStore store, Config config, Scope scope) {
        this.store = store;
        this.config = config;
        float[] zeros = new float[Math.toIntExact(store.count())];
        this.m = scope.fromArray(zeros, store.count());
        this.v = scope.fromArray(zeros, store.count());
        this.gradSq = config.maxGradNorm() > 0 ? scope.allocate(DType.F32, 1) : null;
        this.constants = scope.allocate(DType.F32, 3);
        this.cfg = rfsq_adam_cfg.allocate(Arena.ofAuto());
        rfsq_adam_cfg.beta1(cfg, config.beta1());
        rfsq_adam_cfg.beta2(cfg, config.beta2());
        rfsq_adam_cfg.eps(cfg, config.eps());
        rfsq_adam_cfg.weight_decay(cfg, config.weightDecay());
        rfsq_adam_cfg.max_grad_norm(cfg, config.maxGradNorm());
        rfsq_adam_cfg.decoupled(cfg, config.decoupled() ? 1 : 0);
    }

    public Config config() {
        return config;
    }

    /** Steps taken so far (the next step's bias correction uses step() + 1). */
    public int step() {
        return step;
    }

    /** First moments, flat like the store (checkpoints read and restore them). */
    public Tensor expAvg() {
        return m;
    }

    /** Second moments, flat like the store. */
    public Tensor expAvgSq() {
        return v;
    }

    /** Restores the step count of a checkpoint (the moments are restored through their tensors). */
    public void restoreStep(int step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        this.step = step;
    }

    /**
     * The host half of an update, which is prepare(lr) then {@link #apply} (both queue work; neither waits for the
     * device): counts the step and puts its learning rate and bias corrections into device memory, where apply()
     * reads them. Split so that a recorded training step (a CUDA graph) holds only apply() and replays it at each
     * step's own values.
     */
    public void prepare(double lr) {
        if (!(lr >= 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        }
        rfsq_adam_cfg.lr(cfg, lr);
        rfsq_adam_cfg.step(cfg, step + 1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(rfsq_h.C_FLOAT, 3);
            constants.device().call("rfsq_adam_constants", ctx -> rfsq_h.rfsq_adam_constants(cfg, k));
            constants.copyFrom(k.toArray(rfsq_h.C_FLOAT));
        }
        step++;
    }

    /** The device half of an update (after {@link #prepare}): clipping, if on, then Adam over every parameter. */
    public void apply() {
        Tensor values = store.values(), grads = store.grads();
        long n = store.count();
        if (gradSq != null) {
            grads.device().call("rfsq_sum_squares", ctx -> rfsq_h.rfsq_sum_squares(ctx, grads.address(), n, gradSq.address()),
                    grads, gradSq);
        }
        MemorySegment sq = gradSq == null ? MemorySegment.NULL : gradSq.address();
        values.device().call("rfsq_adam_step_device", ctx -> rfsq_h.rfsq_adam_step_device(ctx, cfg, constants.address(),
                values.address(), grads.address(), m.address(), v.address(), n, sq), values, grads, m, v, gradSq, constants);
    }
}
