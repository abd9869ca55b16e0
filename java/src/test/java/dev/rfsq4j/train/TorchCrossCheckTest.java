package dev.rfsq4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Python;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.eval.Lpips;
import dev.rfsq4j.eval.RandomBackbone;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.Adam;
import dev.rfsq4j.nn.ImageNormalization;
import dev.rfsq4j.nn.LrSchedule;
import dev.rfsq4j.nn.QuantizerSpec;
import dev.rfsq4j.nn.QuantizerSpec.LfqSpec;
import dev.rfsq4j.nn.QuantizerSpec.RfsqSpec;
import dev.rfsq4j.nn.QuantizerSpec.VqEmaSpec;
import dev.rfsq4j.nn.VqVae;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One training step of every preset against an independent float64 PyTorch reference (bench/pytorch/train_step.py,
 * written from the specs alone): identical initial weights (written as the checkpoint format, which PyTorch loads
 * with load_state_dict(strict=True)) and batch; forward, losses, every gradient, and parameters and buffers after
 * one Adam step must agree to 1e-4 relative.
 */
@ExtendWith(NoLeaks.class)
class TorchCrossCheckTest {
    private static final Path SCRIPT = Python.ORACLES.resolve("train_step.py");
    /** LPIPS's linear weights as rfsq4j ships them. */
    private static final Path LPIPS_LINEAR = Path.of("src", "main", "resources", "dev", "rfsq4j", "eval",
            "lpips-vgg-v0.1.safetensors").toAbsolutePath();
    private static final double TOL = 1e-4;

    @TempDir
    Path tmp;

    /**
     * A case: quantizer, optimizer (Adam with L2 decay by default, AdamW and clipping in one case), and the weight of
     * the loss's LPIPS term (0: none; else with a random VGG16-shaped backbone and LPIPS's linear weights).
     */
    record Case(String name, QuantizerSpec quantizer, Adam.Config adam, double lpips) {
        Case(String name, QuantizerSpec quantizer, Adam.Config adam) {
            this(name, quantizer, adam, 0);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cases = new ArrayList<>();
        for (String preset : Presets.names()) {
            cases.add(new Case(preset, Presets.quantizer(preset), Adam.Config.reference()));
        }
        cases.add(new Case("rfsq-2x2048-ln running", new RfsqSpec(Levels.of(8, 8, 8, 4), 2, Strategy.LAYERNORM,
                StatsMode.RUNNING, 0.9), Adam.Config.reference()));
        cases.add(new Case("lfq-4096 with commitment 0.25 and entropy 0.1", new LfqSpec(12, 0.25, 0.1, 2.5, 1),
                Adam.Config.reference()));
        // Not 0.05: cluster sizes are 0.01 * count after one step, and float32 and float64 round 0.05 apart.
        cases.add(new Case("vq-ema-4096 with dead-code restart below 0.045", new VqEmaSpec(4096, 256, 0.99, 1e-5, 1, 0.045),
                Adam.Config.reference()));
        cases.add(new Case("rfsq-4x1024-scale adamw clipped", Presets.quantizer("rfsq-4x1024-scale"),
                new Adam.Config(0.9, 0.99, 1e-8, 1e-2, true, 0.05)));
        cases.add(new Case("rfsq-2x2048-ln with L1 + 0.8 LPIPS (random VGG16)", Presets.quantizer("rfsq-2x2048-ln"),
                Adam.Config.reference(), 0.8));
        List<Arguments> args = new ArrayList<>();
        for (Case c : cases) {
            args.add(Arguments.of(Backend.CPU, c));
            args.add(Arguments.of(Backend.CUDA, c));
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void oneTrainingStepMatchesPyTorch(Backend backend, Case c) throws Exception {
        Assumptions.assumeTrue(Python.has("torch", "numpy"),
                "no " + Python.EXECUTABLE + " with torch and numpy (apt-get install python3-torch, or set RFSQ_PYTHON):"
                        + " PyTorch cross-check skipped");
        double lr = 1e-3;
        int b = 2, s = 32;
        SplittableRandom random = new SplittableRandom(c.name().hashCode());
        float[] batch = new float[b * 3 * s * s];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = (float) random.nextDouble();
        }
        try (Device device = Backends.open(backend); Scope scope = Scope.open(device)) {
            VqVae model = new VqVae(c.quantizer(), scope, 1234);
            scaleLatentLayer(model);
            Map<String, StateDict.Entry> initial = StateDict.of(model);
            Path in = tmp.resolve("in.safetensors"), out = tmp.resolve("out.safetensors"), cfg = tmp.resolve("cfg.json");
            StateDict.addTo(SafeTensors.writer(), "", initial).add("batch", new long[] {b, 3, s, s}, batch).write(in);
            Path backbone = c.lpips() > 0 ? RandomBackbone.write(tmp, "cross-check " + c.name()) : null;
            Files.writeString(cfg, configJson(c, lr, backbone), StandardCharsets.UTF_8);
            Python.Result py = Python.run("import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')",
                    SCRIPT.toString(), "--config", cfg.toString(), "--inputs", in.toString(), "--out", out.toString());
            assertEquals(0, py.exit(), "train_step.py failed: " + py.output());
            SafeTensors ref = SafeTensors.read(out);

            Adam adam = new Adam(model.parameters(), c.adam(), scope);
            Lpips lpips = backbone == null ? null : Lpips.load(device, backbone);
            TrainingStep step = new TrainingStep(model, adam, new LrSchedule(lr, 0, 1_000_000_000L), 1, lpips, c.lpips(),
                    new ImageNormalization(scope, ImageNormalization.IMAGENET_MEAN, ImageNormalization.IMAGENET_STD), scope,
                    true);
            Tensor images = scope.fromArray(batch, b, 3, s, s);
            assertEquals(lr, step.run(images));
            TrainingStep.Losses losses = step.losses();
            if (lpips != null) {
                lpips.close();
            }

            close("x", ref, "x", images.toFloatArray());
            close("z", ref, "z", model.latent().toFloatArray());
            assertArrayEquals(ref.ints("indices"), model.quantizer().indices().toIntArray(), "indices");
            close("zhat", ref, "zhat", model.quantizedLatent().toFloatArray());
            close("xhat", ref, "xhat", model.reconstruction().toFloatArray());
            scalar("loss", ref, "loss", losses.total());
            scalar("l1", ref, "l1", losses.l1());
            scalar("aux_loss", ref, "aux_loss", losses.aux());
            scalar("lpips", ref, "lpips", losses.lpips());
            StateDict.gradients(model).forEach((name, e) -> close("gradient of " + name, ref, "grad." + name, e.data()));
            Map<String, StateDict.Entry> after = StateDict.of(model);
            after.forEach((name, e) -> {
                String key = ref.contains("param." + name) ? "param." + name : "buffer." + name;
                close(name + " after the step", ref, key, e.data());
                if (key.startsWith("param.")) {
                    update(name, ref.doubles(key), initial.get(name).data(), e.data());
                }
            });
        }
    }

    /**
     * Scales the last encoder layer by 8, as the reference's test does: at PyTorch's init the latents are so small
     * that every position of the 4x1024 presets lands on one code, which would leave gradients degenerate.
     */
    private static void scaleLatentLayer(VqVae model) {
        for (String name : List.of("encoder.4.weight", "encoder.4.bias")) {
            Tensor t = model.parameters().value(name);
            float[] v = t.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] *= 8;
            }
            t.copyFrom(v);
        }
    }

    private static String configJson(Case c, double lr, Path lpipsBackbone) {
        StringBuilder j = new StringBuilder("{");
        if (c.quantizer() instanceof RfsqSpec r) {
            j.append(String.format(Locale.ROOT, "\"quantizer\": \"rfsq\", \"latent_channels\": %d, \"levels\": %s, \"stages\": %d,"
                    + " \"strategy\": \"%s\", \"stats_mode\": \"%s\", \"momentum\": %s, ", r.latentChannels(), r.levels(),
                    r.stages(), r.strategy().label(), r.statsMode().label(), r.momentum()));
        } else if (c.quantizer() instanceof LfqSpec l) {
            j.append(String.format(Locale.ROOT, "\"quantizer\": \"lfq\", \"latent_channels\": %d, \"lfq_commitment_weight\": %s,"
                    + " \"lfq_entropy_weight\": %s, \"lfq_diversity_gamma\": %s, \"lfq_inv_temperature\": %s, ", l.bits(),
                    l.commitmentWeight(), l.entropyWeight(), l.diversityGamma(), l.invTemperature()));
        } else if (c.quantizer() instanceof VqEmaSpec v) {
            j.append(String.format(Locale.ROOT, "\"quantizer\": \"vq-ema\", \"latent_channels\": %d, \"codebook_size\": %d,"
                    + " \"vq_decay\": %s, \"vq_eps\": %s, \"vq_commitment_weight\": %s, \"vq_dead_threshold\": %s, ", v.dim(),
                    v.codes(), v.decay(), v.eps(), v.commitmentWeight(), v.deadThreshold()));
        } else {
            throw new IllegalArgumentException("no PyTorch config for " + c.quantizer());
        }
        Adam.Config a = c.adam();
        j.append(String.format(Locale.ROOT, "\"lr\": %s, \"beta1\": %s, \"beta2\": %s, \"adam_eps\": %s, \"weight_decay\": %s,"
                + " \"decoupled\": %s, \"max_grad_norm\": %s, \"mean\": [0.485, 0.456, 0.406], \"std\": [0.229, 0.224, 0.225],"
                + " \"l1_weight\": 1.0", lr, a.beta1(), a.beta2(), a.eps(), a.weightDecay(), a.decoupled(), a.maxGradNorm()));
        if (lpipsBackbone != null) {
            j.append(String.format(Locale.ROOT, ", \"lpips_backbone\": \"%s\", \"lpips_linear\": \"%s\", \"lpips_weight\": %s",
                    lpipsBackbone, LPIPS_LINEAR, c.lpips()));
        }
        return j.append('}').toString();
    }

    /** ||actual - expected|| <= TOL ||expected|| (plus a floor for all-zero tensors). */
    private static void close(String what, SafeTensors ref, String key, float[] actual) {
        assertTrue(ref.contains(key), "the reference has no " + key);
        double[] expected = ref.doubles(key);
        assertEquals(expected.length, actual.length, what + ": element count");
        double diff = 0, norm = 0, worst = 0;
        int at = -1;
        for (int i = 0; i < actual.length; i++) {
            double d = actual[i] - expected[i];
            diff += d * d;
            norm += expected[i] * expected[i];
            if (!(Math.abs(d) <= worst)) {
                worst = Math.abs(d);
                at = i;
            }
        }
        double rel = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
        assertTrue(rel <= TOL, String.format(Locale.ROOT, "%s: relative error %.3g > %.0e (worst at %d: %s vs %s)", what, rel,
                TOL, at, at < 0 ? "-" : actual[at], at < 0 ? "-" : expected[at]));
    }

    private static void scalar(String what, SafeTensors ref, String key, double actual) {
        double expected = ref.doubles(key)[0];
        assertEquals(expected, actual, TOL * Math.abs(expected) + 1e-12, what);
    }

    /** The Adam update itself (after - before), which the parameters' own tolerance would hide. */
    private static void update(String name, double[] expectedAfter, float[] before, float[] after) {
        double diff = 0, norm = 0;
        for (int i = 0; i < after.length; i++) {
            double du = (double) after[i] - before[i], eu = expectedAfter[i] - before[i];
            diff += (du - eu) * (du - eu);
            norm += eu * eu;
        }
        double rel = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
        assertTrue(rel <= 1e-3, String.format(Locale.ROOT, "update of %s: relative error %.3g > 1e-3", name, rel));
    }
}
