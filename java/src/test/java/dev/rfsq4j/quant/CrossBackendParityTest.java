package dev.rfsq4j.quant;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.rfsq4j.Approx;
import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The CPU and CUDA backends agree on the same inputs: forward, backward, decode. Needs a GPU (else skipped). */
@ExtendWith(NoLeaks.class)
class CrossBackendParityTest {
    @BeforeEach
    void needsAGpu() {
        Backends.assumeCuda();
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void forwardBackwardAndDecodeAgree(Strategy strategy) {
        String name = "parity " + strategy;
        SplittableRandom random = Seeds.random(name);
        Levels levels = Levels.of(4, 4, 4, 4, 4);
        int stages = 4, b = 2, c = levels.count(), h = 8, w = 8;
        float[] z = null, params = null;
        // Inputs with no bound value within 1e-4 of a rounding boundary, so both backends must round alike.
        for (int attempt = 0; attempt < 100 && z == null; attempt++) {
            float[] candidate = Seeds.gaussian(random, b * c * h * w, 1.0);
            params = Cases.randomParams(random, strategy, stages, c);
            Reference.Result ref = new Reference(levels, stages, strategy)
                    .forward(Seeds.toDouble(candidate), b, h, w, Cases.toDouble(params), null, null, 1e-4);
            z = Cases.count(ref.tainted[stages - 1]) == 0 ? candidate : null;
        }
        assertNotNull(z, name + ": no input away from the rounding boundaries in 100 draws");
        float[] dzhat = Seeds.gaussian(random, z.length, 1.0);
        Run cpu = run(Backend.CPU, levels, stages, strategy, params, z, dzhat, b, h, w);
        Run gpu = run(Backend.CUDA, levels, stages, strategy, params, z, dzhat, b, h, w);
        Approx.assertClose(name + ": zhat", cpu.zhat, gpu.zhat, 1e-5, 1e-5);
        Approx.assertEqual(name + ": indices", cpu.indices, gpu.indices, null);
        Approx.assertClose(name + ": rnorm", cpu.rnorm, gpu.rnorm, 1e-5, 1e-5);
        if (cpu.stats != null) {
            Approx.assertClose(name + ": stats", cpu.stats, gpu.stats, 1e-5, 1e-5);
        }
        Approx.assertClose(name + ": dz", cpu.dz, gpu.dz, 1e-4, 1e-3);
        if (cpu.dparams != null) {
            Approx.assertClose(name + ": dparams", cpu.dparams, gpu.dparams, 1e-3, 1e-3);
        }
        Approx.assertClose(name + ": decode", cpu.decoded, gpu.decoded, 1e-5, 1e-5);
    }

    private record Run(float[] zhat, int[] indices, float[] stats, float[] rnorm, float[] dz, float[] dparams,
            float[] decoded) {}

    private static Run run(Backend backend, Levels levels, int stages, Strategy strategy, float[] params, float[] z,
            float[] dzhat, int b, int h, int w) {
        int c = levels.count();
        try (Device device = Device.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Rfsq rfsq = Cases.withParams(Rfsq.builder(levels).stages(stages).strategy(strategy).build(scope), params);
            var tz = scope.fromArray(z, b, c, h, w);
            Rfsq.Output out = rfsq.forward(tz);
            Rfsq.Gradients g = rfsq.backward(tz, scope.fromArray(dzhat, b, c, h, w));
            Rfsq.Encoded e = rfsq.encode(tz);
            return new Run(out.zhat().toFloatArray(), out.indices().toIntArray(),
                    out.stats() == null ? null : out.stats().toFloatArray(), out.rnorm().toFloatArray(),
                    g.dz().toFloatArray(), g.dparams() == null ? null : g.dparams().toFloatArray(),
                    rfsq.decode(e.indices(), e.stats()).toFloatArray());
        }
    }
}
