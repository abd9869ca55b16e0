package dev.rfsq4j.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the .npy reader (magic, version, header length, the dict, shape and data size checks),
 * as {@link ParserFuzzing} defines a failure. A normal test run replays the committed seeds in
 * {@code NpyHeaderFuzzTestInputs/}; {@code JAZZER_FUZZ=1} (as .ci/run does) fuzzes for maxDuration.
 */
class NpyHeaderFuzzTest {
    @FuzzTest(maxDuration = "25s")
    // Jazzer makes this libFuzzer's per-input timeout (a hang is a finding); JUnit applies it to the whole 25 s run too.
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void readsOrRefusesEveryFile(byte[] input) throws IOException {
        ParserFuzzing.check(".npy", input, file -> {
            NpyHeader header = Npy.header(file);
            if (header.numel() <= 1 << 16) { // small enough to read the data too
                if (header.dtype() == dev.rfsq4j.DType.F32) {
                    Npy.readFloats(file);
                } else {
                    Npy.readInts(file);
                }
            }
        });
    }
}
