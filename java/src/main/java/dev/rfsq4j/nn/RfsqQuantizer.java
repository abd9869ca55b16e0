package dev.rfsq4j.nn;

import dev.rfsq4j.DType;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.quant.Strategy;
import java.util.Map;

/**
 * RFSQ (and FSQ, its K = 1 none case) as a training layer. Parameters in the store: scale {@code quantizer.theta}
 * (K); layernorm {@code quantizer.gamma_beta} (K,2,C), rfsq.h's layout, which checkpoints split into PyTorch's
 * {@code quantizer.gamma} and {@code quantizer.beta} (K,C).
 */
public final class RfsqQuantizer implements LatentQuantizer {
    public static final String THETA = "quantizer.theta";
    public static final String GAMMA_BETA = "quantizer.gamma_beta";
    public static final String RUNNING_STATS = "quantizer.running_stats";

    private final Rfsq rfsq;
    private final Tensor dparams;
    private final WorkBuffers work;
    private Rfsq.Output last;

    /** Builds the quantizer over the store's slice (which it initializes: theta 0, gamma 1, beta 0). */
    public RfsqQuantizer(Rfsq.Builder builder, ParameterStore store, WorkBuffers work) {
        String name = parameterName(builder);
        int n = builder.parameterCount();
        this.rfsq = builder.build(work.scope(), name == null ? null : store.value(name).reshape(n));
        this.dparams = name == null ? null : store.grad(name).reshape(n);
        this.work = work;
    }

    /** Declares the parameters of this configuration (none for the none strategy). */
    public static void declare(ParameterStore.Layout layout, Rfsq.Builder builder) {
        switch (builder.strategy()) {
            case NONE -> { }
            case SCALE -> layout.add(THETA, builder.stages());
            case LAYERNORM -> layout.add(GAMMA_BETA, builder.stages(), 2, builder.levels().count());
        }
    }

    private static String parameterName(Rfsq.Builder builder) {
        return builder.parameterCount() == 0 ? null : builder.strategy() == Strategy.SCALE ? THETA : GAMMA_BETA;
    }

    public Rfsq rfsq() {
        return rfsq;
    }

    @Override
    public int channels() {
        return rfsq.levels().count();
    }

    @Override
    public Tensor forward(Tensor z) {
        long b = z.dim(0), h = z.dim(2), w = z.dim(3);
        int k = rfsq.stages(), c = channels();
        Tensor stats = rfsq.strategy() == Strategy.LAYERNORM ? work.floats("rfsq.stats", k, b, c, 2) : null;
        Rfsq.Output out = new Rfsq.Output(work.floats("rfsq.zhat", z.shape()), work.get("rfsq.indices", DType.I32, b, h, w, k),
                stats, work.floats("rfsq.rnorm", b, k));
        rfsq.forward(z, out);
        last = out;
        return out.zhat();
    }

    @Override
    public Quantized quantize(Tensor z) {
        Rfsq.Output out = rfsq.quantize(z);
        return new Quantized(out.zhat(), out.indices(), out.stats(), out.rnorm());
    }

    @Override
    public Tensor auxLoss() {
        return null;
    }

    @Override
    public Tensor indices() {
        return last().indices();
    }

    /** Per-image residual norms (B,K) of the last forward: the residual decay, per stage. */
    public Tensor residualNorms() {
        return last().rnorm();
    }

    @Override
    public Tensor backward(Tensor z, Tensor dzhat) {
        Tensor dz = work.floats("rfsq.dz", z.shape());
        rfsq.backward(z, dzhat, new Rfsq.Gradients(dz, dparams));
        return dz;
    }

    @Override
    public Map<String, Tensor> buffers() {
        return rfsq.runningStats() == null ? Map.of() : Map.of(RUNNING_STATS, rfsq.runningStats());
    }

    private Rfsq.Output last() {
        if (last == null) {
            throw new IllegalStateException("no forward has run yet");
        }
        return last;
    }
}
