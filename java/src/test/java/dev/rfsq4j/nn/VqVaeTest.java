package dev.rfsq4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.nn.QuantizerSpec.RfsqSpec;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The model's layout, parameter count and initialization (spec §4). */
@ExtendWith(NoLeaks.class)
class VqVaeTest {
    private static RfsqSpec rfsq(Levels levels, int stages, Strategy strategy) {
        return new RfsqSpec(levels, stages, strategy, StatsMode.PARITY, 0.99);
    }

    @Test
    void parameterCountIsTheSpecs() {
        try (Device device = Device.open(Backend.CPU); Scope scope = Scope.open(device)) {
            assertEquals(1_063_687, new VqVae(rfsq(Levels.of(8, 8, 8, 4), 2, Strategy.NONE), scope, 1).parameters().count());
            assertEquals(1_064_200, new VqVae(rfsq(Levels.of(4, 4, 4, 4, 4), 4, Strategy.NONE), scope, 1).parameters().count());
            assertEquals(1_064_200 + 4, new VqVae(rfsq(Levels.of(4, 4, 4, 4, 4), 4, Strategy.SCALE), scope, 1).parameters().count());
            assertEquals(1_064_200 + 40, new VqVae(rfsq(Levels.of(4, 4, 4, 4, 4), 4, Strategy.LAYERNORM), scope, 1).parameters().count());
        }
    }

    @Test
    void initIsPyTorchsUniformWithTheTransposedFanInQuirkAndTheQuantizersOwn() {
        try (Device device = Device.open(Backend.CPU); Scope scope = Scope.open(device)) {
            VqVae model = new VqVae(rfsq(Levels.of(8, 8, 8, 4), 2, Strategy.LAYERNORM), scope, 7);
            ParameterStore p = model.parameters();
            // fan_in: conv in*k*k; transposed conv (in,out,k,k) gives out*k*k.
            expectUniform(p.value("encoder.0.weight").toFloatArray(), 1 / Math.sqrt(3 * 16));
            expectUniform(p.value("encoder.2.bias").toFloatArray(), 1 / Math.sqrt(128 * 16));
            expectUniform(p.value("encoder.4.weight").toFloatArray(), 1 / Math.sqrt(256));
            expectUniform(p.value("decoder.0.weight").toFloatArray(), 1 / Math.sqrt(4));
            expectUniform(p.value("decoder.2.weight").toFloatArray(), 1 / Math.sqrt(128 * 16));
            expectUniform(p.value("decoder.4.weight").toFloatArray(), 1 / Math.sqrt(3 * 16));
            float[] gb = p.value(RfsqQuantizer.GAMMA_BETA).toFloatArray();
            assertArrayEquals(new float[] {1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0}, gb);
            // Same seed, same model; another seed, another.
            VqVae again = new VqVae(rfsq(Levels.of(8, 8, 8, 4), 2, Strategy.LAYERNORM), scope, 7);
            assertArrayEquals(p.values().toFloatArray(), again.parameters().values().toFloatArray());
            VqVae other = new VqVae(rfsq(Levels.of(8, 8, 8, 4), 2, Strategy.LAYERNORM), scope, 8);
            assertTrue(p.value("encoder.0.weight").toFloatArray()[0] != other.parameters().value("encoder.0.weight").toFloatArray()[0]);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void forwardShapesAndBadInput(Backend backend) {
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            VqVae model = new VqVae(rfsq(Levels.of(4, 4, 4, 4, 4), 4, Strategy.SCALE), scope, 3);
            Tensor x = scope.fromArray(Seeds.gaussian(Seeds.random("vqvae fwd"), 2 * 3 * 16 * 16, 1.0), 2, 3, 16, 16);
            Tensor xhat = model.forward(x);
            assertArrayEquals(new long[] {2, 3, 16, 16}, xhat.shape());
            assertArrayEquals(new long[] {2, 5, 4, 4}, model.latent().shape());
            assertArrayEquals(new long[] {2, 4, 4, 4}, model.quantizer().indices().shape());
            for (float v : xhat.toFloatArray()) {
                assertTrue(Float.isFinite(v));
            }
            Tensor odd = scope.fromArray(new float[2 * 3 * 10 * 10], 2, 3, 10, 10);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.forward(odd));
            assertTrue(e.getMessage().contains("multiples of 4"), e.getMessage());
            Tensor gray = scope.fromArray(new float[2 * 16 * 16], 2, 1, 16, 16);
            e = assertThrows(IllegalArgumentException.class, () -> model.forward(gray));
            assertTrue(e.getMessage().contains("encoder.0 input must be float32 (B,3,H,W)"), e.getMessage());
        }
    }

    private static void expectUniform(float[] a, double bound) {
        double max = 0, mean = 0;
        for (float v : a) {
            max = Math.max(max, Math.abs(v));
            mean += v / (double) a.length;
        }
        assertTrue(max <= bound, "max |w| " + max + " exceeds the bound " + bound);
        if (a.length >= 1000) {
            assertTrue(max > 0.98 * bound, "max |w| " + max + " should come near the bound " + bound);
            assertEquals(0, mean, 0.05 * bound, "mean");
        }
    }
}
