package dev.rfsq4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.Approx;
import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rfsq.decode(indices, stats, k) against the float64 reference decode of the first k stages (RfsqProgressiveDecodeTest
 * compares it with a k-stage quantizer), on every backend, for every strategy and statistics mode.
 */
@ExtendWith(NoLeaks.class)
class RfsqPrefixReferenceTest {
    private static final double ATOL = 2e-5;
    private static final double RTOL = 1e-4;

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("dev.rfsq4j.quant.Cases#backendsStrategiesModes")
    void everyPrefixOfStagesDecodesToItsPartialSum(Backend backend, Strategy strategy, StatsMode mode) {
        String name = "progressive " + backend + " " + strategy + " " + mode;
        SplittableRandom random = Seeds.random(name);
        Levels levels = Levels.of(8, 5, 4);
        int stages = 4, b = 3, h = 4, w = 6, c = levels.count();
        float[] params = Cases.randomParams(random, strategy, stages, c);
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Rfsq rfsq = Cases.withParams(Rfsq.builder(levels).stages(stages).strategy(strategy).statsMode(mode)
                    .momentum(0.5).build(scope), params);
            if (rfsq.runningStats() != null) {
                rfsq.forward(scope.fromArray(Seeds.gaussian(random, b * c * h * w, 1.0), b, c, h, w));
            }
            Rfsq.Encoded code = rfsq.encode(scope.fromArray(Seeds.gaussian(random, b * c * h * w, 1.0), b, c, h, w));
            int[] all = code.indices().toIntArray();
            boolean perImage = strategy == Strategy.LAYERNORM && mode == StatsMode.PARITY;
            double[] stats = perImage ? Seeds.toDouble(code.stats().toFloatArray())
                    : rfsq.runningStats() == null ? null : Seeds.toDouble(rfsq.runningStats().toFloatArray());
            float[] previous = null;
            for (int k = 1; k <= stages; k++) {
                int[] first = firstStages(all, stages, k);
                float[] zhat = rfsq.decode(code.indices(), code.stats(), k).toFloatArray();
                double[] expected = new Reference(levels, k, strategy).decode(first, b, h, w, Cases.toDouble(params), stats,
                        perImage);
                Approx.assertClose(name + ": first " + k + " stage(s) vs reference", expected, zhat, null, ATOL, RTOL);
                if (previous != null) {
                    assertTrue(!Arrays.equals(previous, zhat), name + ": stage " + k + " changed nothing");
                }
                previous = zhat;
            }
            assertArrayEquals(rfsq.decode(code.indices(), code.stats()).toFloatArray(), previous,
                    name + ": all K stages equal decode()");
            assertThrows(IllegalArgumentException.class, () -> rfsq.decode(code.indices(), code.stats(), 0));
            assertThrows(IllegalArgumentException.class, () -> rfsq.decode(code.indices(), code.stats(), stages + 1));
        }
    }

    static int[] firstStages(int[] all, int stages, int k) {
        int positions = all.length / stages;
        int[] out = new int[positions * k];
        for (int p = 0; p < positions; p++) {
            System.arraycopy(all, p * stages, out, p * k, k);
        }
        return out;
    }
}
