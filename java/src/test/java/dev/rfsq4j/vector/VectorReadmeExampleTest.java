package dev.rfsq4j.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.Strategy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The README's vector-codec example, kept compiling and true. */
@ExtendWith(NoLeaks.class)
class VectorReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void vectorCodecExample() throws Exception {
        float[][] sample = VectorCodecTest.vectors("readme sample", 300, 784); // embeddings, float[n][784]
        float[][] vectors = VectorCodecTest.vectors("readme vectors", 20, 784);
        Path file = dir.resolve("codec.rfsqvec");

        // --- README example begins ---
        try (Device device = Device.open(Backend.AUTO);
             VectorCodec codec = VectorCodec.fit(device,                   // 784 = 196 positions x 4 channels
                     VectorCodecConfig.of(Levels.of(4, 4, 4, 4), 4, Strategy.LAYERNORM)
                             .withFitSteps(100), sample)) {                // default: 300 Adam steps
            byte[] codes = codec.encode(vectors);                         // codeSizeBytes() = 784 per vector
            float[][] approx = codec.decode(codes);                       // all 4 stages
            float[][] coarse = codec.decode(codes, 1);                    // stage 1: the first 196 bytes of a code
            codec.save(file);                                             // VectorCodec.load(file, device)
            // --- README example ends ---

            assertEquals(784, codec.codeSizeBytes());
            assertEquals(196, codec.codeSizeBytes(1));
            assertEquals(vectors.length * 784, codes.length);
            assertEquals(vectors.length, approx.length);
            assertEquals(vectors.length, coarse.length);
            assertEquals(3452, Files.size(file)); // the README's figure
            try (VectorCodec loaded = VectorCodec.load(file, device)) {
                float[][] again = loaded.decode(codes);
                for (int i = 0; i < vectors.length; i++) {
                    assertArrayEquals(approx[i], again[i]);
                }
            }
        }
    }
}
