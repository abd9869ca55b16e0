package dev.rfsq4j.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the PyTorch .pth reader (zip and legacy formats, the restricted pickle reader, storage
 * offsets, strides), as {@link ParserFuzzing} defines a failure; a file that opens is also read tensor by tensor.
 * A normal test run replays the committed seeds in {@code TorchCheckpointFuzzTestInputs/} (small torch.save files
 * in both formats, a hostile pickle); {@code JAZZER_FUZZ=1} (as .ci/fuzz does) fuzzes for maxDuration.
 */
class TorchCheckpointFuzzTest {
    @FuzzTest(maxDuration = "25s")
    // Jazzer makes this libFuzzer's per-input timeout (a hang is a finding); JUnit applies it to the whole 25 s run too.
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void readsOrRefusesEveryFile(byte[] input) throws IOException {
        ParserFuzzing.check(".pth", input, file -> {
            try (TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
                for (String name : ckpt.names()) {
                    ckpt.shape(name);
                    if (Set.of("F32", "F64", "F16", "BF16").contains(ckpt.dtype(name))) {
                        ckpt.floats(name);
                    }
                }
            }
        });
    }
}
