package dev.rfsq4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's API example, kept compiling and true. */
@ExtendWith(NoLeaks.class)
class ReadmeExampleTest {
    @Test
    void encodeDecodeExample() {
        float[] latent = Seeds.gaussian(Seeds.random("readme"), 4 * 32 * 32, 1.0); // an encoder's output

        // --- README example begins ---
        try (Device device = Device.open(Backend.AUTO);                // CUDA if a GPU is usable, else CPU
             Scope scope = Scope.open(device)) {                       // frees all device memory at the end
            Rfsq rfsq = Rfsq.builder(Levels.of(8, 8, 8, 4)).stages(2)  // rfsq-2x2048: 22 bits per position
                    .strategy(Strategy.LAYERNORM).build(scope);
            Tensor z = scope.fromArray(latent, 1, 4, 32, 32);          // float32 (B,C,H,W)
            Rfsq.Encoded code = rfsq.encode(z);                        // indices (B,H,W,K) + per-image stats
            int[] indices = code.indices().toIntArray();
            float[] zhat = rfsq.decode(code.indices(), code.stats()).toFloatArray();
            // --- README example ends ---

            assertEquals(32 * 32 * 2, indices.length);
            assertArrayEquals(rfsq.quantize(z).zhat().toFloatArray(), zhat, 1e-5f);
        }
    }
}
