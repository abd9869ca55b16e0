package dev.rfsq4j.cli;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.quant.Strategy;
import dev.rfsq4j.train.Presets;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * {@code rfsq4j demo}: by default the main job end to end on the embedded data set ({@link EndToEndDemo}); with
 * {@code --quantizer-only}, the rfsq-4x1024 quantizer (RFSQ 4x[4,4,4,4,4], 40 bits/position) on a seeded random
 * latent for each strategy, so the residual magnitude decay of the none strategy and its fix are visible in a second.
 */
final class DemoCommand implements Command {
    private static final Levels LEVELS = Levels.of(4, 4, 4, 4, 4);
    private static final int STAGES = 4;
    private static final int BATCH = 16;
    private static final int SIZE = 32;
    private static final int ENCODE_REPEATS = 5;

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "train two presets on the embedded images, evaluate them, write reports and a comparison";
    }

    @Override
    public String usage() {
        return """
                usage: rfsq4j demo [--out DIR] [--presets A,B] [--steps N] [--batch B] [--warmup-steps W] [--lr LR]
                                   [--device auto|cpu|cuda]
                       rfsq4j demo --quantizer-only [--device auto|cpu|cuda] [--seed N]

                The main job end to end, on the embedded default data set (47 crops of public-domain/CC0 photos: 37 to
                train on, 10 held out, from other photos): trains each preset briefly (the reference recipe, except a
                short warm-up), evaluates it on the held-out crops (eval.json, report.html) and compares them
                (compare.md, compare.html), then prints where they are.
                  --out           where to write (default runs/demo; a rerun replaces the demo's own folders in it)
                  --presets       the presets to train (default rfsq-4x1024-ln,rfsq-4x1024-none)
                  --steps         updates per preset (default 100); --batch 8; --warmup-steps 10; --lr 8e-4
                  --device        auto (default): CUDA when a GPU is usable, else CPU

                --quantizer-only: no training. Makes a deterministic latent z ~ N(0, 1) of shape (16,5,32,32) (what a
                128x128 image's encoder emits for 5 channels), quantizes it with RFSQ 4x[4,4,4,4,4] (40 bits/position)
                for the none, scale and layernorm strategies at their initial parameters, and prints per strategy: the
                mean residual norm ||r_k|| after each stage, the reconstruction MSE ||z - zhat||^2 / n, the codebook usage
                per stage (distinct indices / 1024) and the encode throughput.
                  --seed    random seed of the latent (default 1234)
                """;
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        Options o = Options.parse(name(), args, Set.of("device", "seed", "out", "presets", "steps", "batch", "warmup-steps",
                "lr"), Set.of("quantizer-only"));
        Backend backend = o.backend();
        if (!o.has("quantizer-only")) {
            if (o.has("seed")) {
                throw o.usage("--seed applies to --quantizer-only");
            }
            List<String> presets = List.of(o.optional("presets", "rfsq-4x1024-ln,rfsq-4x1024-none").split(","));
            presets.forEach(p -> o.convert("presets", p, Presets::quantizer));
            new EndToEndDemo(presets, o.integer("steps", "100", 1, Integer.MAX_VALUE),
                    o.integer("batch", "8", 1, Integer.MAX_VALUE), o.whole("warmup-steps", "10", 0, Long.MAX_VALUE),
                    o.number("lr", "8e-4"), backend,
                    Path.of(o.optional("out", "runs/demo"))).run(out);
            return;
        }
        for (String flag : List.of("out", "presets", "steps", "batch", "warmup-steps", "lr")) {
            if (o.has(flag)) {
                throw o.usage("--" + flag + " does not apply to --quantizer-only");
            }
        }
        quantizerOnly(backend, o.whole("seed", "1234", Long.MIN_VALUE, Long.MAX_VALUE), out);
    }

    private static void quantizerOnly(Backend backend, long seed, PrintStream out) {
        long[] shape = {BATCH, LEVELS.count(), SIZE, SIZE};
        float[] z = gaussian(seed, (int) (shape[0] * shape[1] * shape[2] * shape[3]));

        try (Device device = Device.open(backend); Scope scope = Scope.open(device)) {
            Tensor latent = scope.fromArray(z, shape);
            out.printf(Locale.ROOT, "rfsq4j demo: RFSQ %dx%s (%.0f bits/position) on %s, z ~ N(0,1) %s, seed %d%n",
                    STAGES, LEVELS, STAGES * LEVELS.bits(), device, Tensor.shapeString(shape), seed);
            out.printf(Locale.ROOT, "%-10s %-31s %-9s %-27s %s%n", "strategy", "mean ||r_k||, k = 1..4", "MSE",
                    "usage per stage (of " + LEVELS.codebookSize() + ")", "encode");
            for (Strategy strategy : Strategy.values()) {
                Rfsq rfsq = Rfsq.builder(LEVELS).stages(STAGES).strategy(strategy).build(scope);
                Rfsq.Output result = rfsq.quantize(latent);
                float[] rnorm = result.rnorm().toFloatArray();
                int[] indices = result.indices().toIntArray();
                out.printf(Locale.ROOT, "%-10s %-31s %-9.5f %-27s %,.0f images/s%n", strategy.label(),
                        row("%7.3f", Metrics.meanPerStage(rnorm, STAGES)),
                        Metrics.mseFromResidual(rnorm, STAGES, latent.numel()),
                        row("%5.1f%%", scaled(Metrics.usagePerStage(indices, STAGES, LEVELS.codebookSize()))),
                        encodeThroughput(rfsq, latent));
                if (rfsq.sideInfoBitsPerImage() > 0) {
                    out.printf(Locale.ROOT, "%-10s (per-image statistics: +%d side-info bits per image)%n", "",
                            rfsq.sideInfoBitsPerImage());
                }
                free(result.zhat(), result.indices(), result.stats(), result.rnorm());
            }
        }
    }

    /** Images per second of encode, after one warm-up call; outputs are freed as they come. */
    private static double encodeThroughput(Rfsq rfsq, Tensor latent) {
        Rfsq.Encoded warmUp = rfsq.encode(latent);
        free(warmUp.indices(), warmUp.stats());
        long start = System.nanoTime();
        for (int i = 0; i < ENCODE_REPEATS; i++) {
            Rfsq.Encoded e = rfsq.encode(latent);
            free(e.indices(), e.stats());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return ENCODE_REPEATS * latent.dim(0) / seconds;
    }

    /** Frees outputs as soon as they are read, so the repeated calls do not pile up device memory. */
    private static void free(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null) {
                t.free();
            }
        }
    }

    private static float[] gaussian(long seed, int n) {
        Random random = new Random(seed);
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = (float) random.nextGaussian();
        }
        return z;
    }

    private static double[] scaled(double[] fractions) {
        double[] percent = fractions.clone();
        for (int i = 0; i < percent.length; i++) {
            percent[i] *= 100;
        }
        return percent;
    }

    private static String row(String format, double[] values) {
        StringBuilder s = new StringBuilder();
        for (double v : values) {
            s.append(String.format(Locale.ROOT, format, v));
        }
        return s.toString().strip();
    }
}
