package dev.rfsq4j.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rfsq4j.tokens.TokenFile;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the token file reader (magic, version, flags, sizes against the header in 64-bit
 * arithmetic, bit-packed indices and their padding, statistics, checksum), as {@link ParserFuzzing} defines a
 * failure. A normal test run replays the committed seeds in {@code TokenFileFuzzTestInputs/} (a valid file with
 * statistics, one without, truncations, a flipped bit); {@code JAZZER_FUZZ=1} (as .ci/fuzz does) fuzzes for
 * maxDuration.
 */
class TokenFileFuzzTest {
    @FuzzTest(maxDuration = "25s")
    // Jazzer makes this libFuzzer's per-input timeout (a hang is a finding); JUnit applies it to the whole 25 s run too.
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void readsOrRefusesEveryFile(byte[] input) throws IOException {
        ParserFuzzing.check(TokenFile.EXTENSION, input, TokenFile::read);
    }
}
