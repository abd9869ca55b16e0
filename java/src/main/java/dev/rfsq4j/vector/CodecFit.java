package dev.rfsq4j.vector;

import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.nn.Adam;
import dev.rfsq4j.nn.ParameterStore;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import java.util.SplittableRandom;

/**
 * Fitting a {@link VectorCodec} on a sample: the standardizer, then (scale, layernorm) a few hundred Adam steps on
 * the reconstruction MSE through RFSQ's fused backward, then (layernorm) statistics frozen on the sample.
 *
 * <p>For layernorm each training batch is one image (1, C, 1, batch * P), so its per-image statistics are the
 * batch's (as batch normalization trains), and the frozen statistics come from one image of up to statsSample
 * vectors, computed stage after stage by the same forward, so encoding with them reproduces that forward exactly.
 */
final class CodecFit {
    /** What a fit produces; params in rfsq.h's layout (scale: theta[K]; layernorm: gamma[C], beta[C] per stage). */
    record Result(Standardizer standardizer, float[] params, float[] frozenStats, double initialMse, double finalMse) {}

    private CodecFit() {}

    static Result fit(Device device, VectorCodecConfig config, Rows rows) {
        Standardizer std = Standardizer.fit(rows);
        int c = config.levels().count();
        Rfsq.Builder builder = Rfsq.builder(config.levels()).stages(config.stages()).strategy(config.strategy())
                .statsMode(StatsMode.PARITY);
        try (Scope scope = Scope.open(device)) {
            float[] params = new float[0];
            double initialMse = Double.NaN, finalMse = Double.NaN;
            if (builder.parameterCount() > 0) {
                ParameterStore store = ParameterStore.allocate(new ParameterStore.Layout().add("rfsq", builder.parameterCount()), scope);
                Rfsq rfsq = builder.build(scope, store.values());
                if (config.fitSteps() > 0) {
                    double[] mse = train(config, rows, std, rfsq, store, scope);
                    initialMse = mse[0];
                    finalMse = mse[1];
                }
                params = store.values().toFloatArray();
                checkFinite(params, "fitted parameters");
            }
            float[] stats = null;
            if (config.strategy() == Strategy.LAYERNORM) {
                Rfsq rfsq = builder.build(scope);
                rfsq.parameters().copyFrom(params);
                stats = frozenStats(config, rows, std, rfsq, scope, c);
            }
            return new Result(std, params, stats, initialMse, finalMse);
        }
    }

    /** Adam on the MSE of standardized vectors (padding excluded); returns the MSE of the first and last batch. */
    private static double[] train(VectorCodecConfig config, Rows rows, Standardizer std, Rfsq rfsq, ParameterStore store,
            Scope scope) {
        int batch = config.fitBatch();
        // Layernorm: the batch is one image (batch statistics); scale: one image per vector, which the backends
        // spread over threads (no statistics, so the layout changes nothing else).
        boolean layernorm = config.strategy() == Strategy.LAYERNORM;
        VectorLayout layout = VectorLayout.of(rows.dimension(), config.levels().count(), layernorm ? batch : 1);
        int c = layout.channels(), width = (int) layout.imageWidth(), k = config.stages();
        long images = layout.images(batch);
        int floats = (int) layout.latentFloats(batch);
        float[] mask = paddingMask(layout, batch);
        double real = (double) batch * rows.dimension();
        Tensor z = scope.allocate(DType.F32, images, c, 1, width);
        Rfsq.Output out = new Rfsq.Output(scope.allocate(DType.F32, images, c, 1, width),
                scope.allocate(DType.I32, images, 1, width, k), layernorm ? scope.allocate(DType.F32, k, images, c, 2) : null, null);
        Tensor dzhat = scope.allocate(DType.F32, images, c, 1, width);
        Rfsq.Gradients grads = new Rfsq.Gradients(scope.allocate(DType.F32, images, c, 1, width), store.grads());
        Adam adam = new Adam(store, new Adam.Config(0.9, 0.999, 1e-8, 0, false, 0), scope);
        SplittableRandom random = new SplittableRandom(config.seed());
        float[] latent = new float[floats], grad = new float[floats];
        long[] picks = new long[batch];
        double first = Double.NaN, last = Double.NaN;
        for (int step = 0; step < config.fitSteps(); step++) {
            for (int i = 0; i < batch; i++) {
                picks[i] = random.nextLong(rows.count());
            }
            std.toLatent(Rows.select(rows, picks), 0, batch, layout, latent);
            z.copyFrom(latent);
            rfsq.forward(z, out);
            float[] zhat = out.zhat().toFloatArray();
            double sq = 0;
            for (int i = 0; i < floats; i++) {
                float e = (zhat[i] - latent[i]) * mask[i];
                sq += (double) e * e;
                grad[i] = (float) (2 * e / real);
            }
            last = sq / real;
            if (step == 0) {
                first = last;
            }
            dzhat.copyFrom(grad);
            rfsq.backward(z, dzhat, grads);
            adam.prepare(config.learningRate() * (1.0 - (double) step / config.fitSteps()));
            adam.apply();
        }
        return new double[] {first, last};
    }

    /** Layernorm: (mu, sigma) per stage and channel, (K, C, 2), of one image of up to statsSample vectors. */
    private static float[] frozenStats(VectorCodecConfig config, Rows rows, Standardizer std, Rfsq rfsq, Scope scope, int c) {
        int m = (int) Math.min(rows.count(), config.statsSample());
        long[] picks = new long[m];
        for (int i = 0; i < m; i++) {
            picks[i] = i * rows.count() / m;
        }
        VectorLayout layout = VectorLayout.of(rows.dimension(), c, m);
        float[] latent = new float[(int) layout.latentFloats(m)];
        std.toLatent(Rows.select(rows, picks), 0, m, layout, latent);
        Tensor z = scope.fromArray(latent, 1, c, 1, layout.imageWidth());
        float[] stats = rfsq.quantize(z).stats().toFloatArray();
        checkFinite(stats, "frozen statistics");
        return stats;
    }

    /** 1 where a latent slot holds a dimension, 0 where it is padding. */
    private static float[] paddingMask(VectorLayout layout, int n) {
        float[] mask = new float[(int) layout.latentFloats(n)];
        int p = layout.positions();
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < layout.channels(); ch++) {
                int base = (int) layout.offset(i, ch), end = Math.min(p, layout.dimension() - ch * p);
                for (int j = 0; j < end; j++) {
                    mask[base + j] = 1f;
                }
            }
        }
        return mask;
    }

    private static void checkFinite(float[] values, String what) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new IllegalStateException("fitting produced non-finite " + what + "; try a lower learning rate");
            }
        }
    }
}
