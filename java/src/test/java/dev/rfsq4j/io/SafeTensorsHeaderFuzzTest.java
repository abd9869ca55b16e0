package dev.rfsq4j.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the safetensors reader (length prefix, UTF-8, the JSON parser and its limits, tensor
 * entries, offsets and coverage of the data), as {@link ParserFuzzing} defines a failure; a file that reads is also
 * read tensor by tensor. A normal test run replays the committed seeds in {@code SafeTensorsHeaderFuzzTestInputs/};
 * {@code JAZZER_FUZZ=1} (as .ci/run does) fuzzes for maxDuration.
 */
class SafeTensorsHeaderFuzzTest {
    @FuzzTest(maxDuration = "25s")
    // Jazzer makes this libFuzzer's per-input timeout (a hang is a finding); JUnit applies it to the whole 25 s run too.
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void readsOrRefusesEveryFile(byte[] input) throws IOException {
        ParserFuzzing.check(".safetensors", input, file -> {
            SafeTensors st = SafeTensors.read(file);
            st.metadata();
            for (String name : st.names()) {
                st.shape(name);
                switch (st.dtype(name)) {
                    case "F32" -> st.floats(name);
                    case "F64" -> st.doubles(name);
                    case "I32" -> st.ints(name);
                    case "I64" -> st.longs(name);
                    default -> {
                        // other dtypes are described, not read: nothing more to exercise
                    }
                }
            }
        });
    }
}
