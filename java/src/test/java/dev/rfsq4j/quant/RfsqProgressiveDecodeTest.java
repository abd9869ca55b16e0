package dev.rfsq4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decoding with the first k of K stages equals, bit for bit, what a k-stage quantizer with the same first k stages
 * (parameters, running statistics) produces from the same latent: the prefix property progressive decoding needs.
 */
@ExtendWith(NoLeaks.class)
class RfsqProgressiveDecodeTest {
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Backend backend : new Backend[] {Backend.CPU, Backend.CUDA}) {
            for (Strategy strategy : Strategy.values()) {
                out.add(Arguments.of(backend, strategy, StatsMode.PARITY));
            }
            out.add(Arguments.of(backend, Strategy.LAYERNORM, StatsMode.RUNNING));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void prefixDecodeIsAShorterQuantizer(Backend backend, Strategy strategy, StatsMode mode) {
        String name = "progressive " + backend + " " + strategy + " " + mode;
        SplittableRandom random = Seeds.random(name);
        Levels levels = Levels.of(4, 4, 4, 4, 4);
        int stages = 4, b = 3, c = levels.count(), h = 6, w = 7;
        float[] z = Seeds.gaussian(random, b * c * h * w, 1.5);
        float[] params = Cases.randomParams(random, strategy, stages, c);
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Tensor latent = scope.fromArray(z, b, c, h, w);
            Rfsq full = Cases.withParams(
                    Rfsq.builder(levels).stages(stages).strategy(strategy).statsMode(mode).build(scope), params);
            if (mode == StatsMode.RUNNING) { // running statistics away from their (0, 1) start
                for (int i = 0; i < 3; i++) {
                    full.forward(scope.fromArray(Seeds.gaussian(random, b * c * h * w, 2.0), b, c, h, w));
                }
            }
            Rfsq.Output code = full.quantize(latent);
            int[] fullIndices = code.indices().toIntArray();
            for (int k = 1; k <= stages; k++) {
                Rfsq shorter = Rfsq.builder(levels).stages(k).strategy(strategy).statsMode(mode).build(scope);
                if (params != null) {
                    shorter.parameters().copyFrom(full.parameters().view(0, shorter.parameters().numel()));
                }
                if (mode == StatsMode.RUNNING) {
                    shorter.runningStats().copyFrom(full.runningStats().view(0, k, c, 2));
                }
                Rfsq.Output expected = shorter.quantize(latent);
                int[] shortIndices = expected.indices().toIntArray();
                for (int p = 0; p < b * h * w; p++) {
                    for (int s = 0; s < k; s++) {
                        assertTrue(shortIndices[p * k + s] == fullIndices[p * stages + s], name + ": k=" + k
                                + " index of stage " + s + " at position " + p);
                    }
                }
                float[] decoded = full.decode(code.indices(), code.stats(), k).toFloatArray();
                assertArrayEquals(expected.zhat().toFloatArray(), decoded, 0f, name + ": decode with k=" + k);
            }
            assertArrayEquals(code.zhat().toFloatArray(), full.decode(code.indices(), code.stats(), stages).toFloatArray(),
                    0f, name + ": k = K is the full decode");
        }
    }

    @Test
    void kOutOfRangeIsRefused() {
        try (Device device = Device.open(Backend.CPU); Scope scope = Scope.open(device)) {
            Rfsq rfsq = Rfsq.builder(Levels.of(8, 8, 8, 4)).stages(2).build(scope);
            Tensor indices = scope.fromArray(new int[2 * 2 * 2 * 2], 2, 2, 2, 2);
            assertThrows(IllegalArgumentException.class, () -> rfsq.decode(indices, null, 0));
            assertThrows(IllegalArgumentException.class, () -> rfsq.decode(indices, null, 3));
        }
    }
}
