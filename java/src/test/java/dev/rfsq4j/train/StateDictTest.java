package dev.rfsq4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Scope;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.QuantizerSpec.RfsqSpec;
import dev.rfsq4j.nn.RfsqQuantizer;
import dev.rfsq4j.nn.VqVae;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** PyTorch's names and layouts in, the store's layout back, and load_state_dict's strictness. */
@ExtendWith(NoLeaks.class)
class StateDictTest {
    private static final RfsqSpec LN_RUNNING = new RfsqSpec(Levels.of(8, 8, 8, 4), 2, Strategy.LAYERNORM, StatsMode.RUNNING, 0.99);

    @TempDir
    Path dir;

    @Test
    void layernormParametersSplitIntoGammaAndBetaAndJoinBack() throws Exception {
        try (Device device = Device.open(Backend.CPU); Scope scope = Scope.open(device)) {
            VqVae a = new VqVae(LN_RUNNING, scope, 1);
            float[] gb = new float[16];
            for (int i = 0; i < 16; i++) {
                gb[i] = i; // (K=2, 2, C=4): stage 0 gamma 0..3, beta 4..7; stage 1 gamma 8..11, beta 12..15
            }
            a.parameters().value(RfsqQuantizer.GAMMA_BETA).reshape(16).copyFrom(gb);
            Map<String, StateDict.Entry> state = StateDict.of(a);
            assertArrayEquals(new float[] {0, 1, 2, 3, 8, 9, 10, 11}, state.get("quantizer.gamma").data());
            assertArrayEquals(new float[] {4, 5, 6, 7, 12, 13, 14, 15}, state.get("quantizer.beta").data());
            assertArrayEquals(new long[] {2, 4, 2}, state.get("quantizer.running_stats").shape());
            Path file = dir.resolve("m.safetensors");
            StateDict.addTo(SafeTensors.writer(), "", state).write(file);

            VqVae b = new VqVae(LN_RUNNING, scope, 2);
            StateDict.load(b, SafeTensors.read(file));
            assertArrayEquals(a.parameters().values().toFloatArray(), b.parameters().values().toFloatArray());
        }
    }

    @Test
    void loadingIsStrictAboutNamesAndShapes() throws Exception {
        try (Device device = Device.open(Backend.CPU); Scope scope = Scope.open(device)) {
            VqVae model = new VqVae(LN_RUNNING, scope, 1);
            Map<String, StateDict.Entry> good = StateDict.of(model);

            Map<String, StateDict.Entry> missing = new LinkedHashMap<>(good);
            missing.remove("quantizer.beta");
            assertEquals(dir.resolve("bad.safetensors") + ": has no tensor \"quantizer.beta\", which this model needs (is it a"
                    + " checkpoint of this preset?)", failure(model, missing));

            Map<String, StateDict.Entry> extra = new LinkedHashMap<>(good);
            extra.put("quantizer.theta", new StateDict.Entry(new long[] {2}, new float[2]));
            assertEquals(dir.resolve("bad.safetensors") + ": holds tensors this model does not have: \"quantizer.theta\"",
                    failure(model, extra));
            for (int i = 0; i < 1000; i++) {
                extra.put("extra." + i, new StateDict.Entry(new long[] {1}, new float[1]));
            }
            assertTrue(failure(model, extra).endsWith("\"extra.101\" and 996 more"), "a long list is cut");

            Map<String, StateDict.Entry> shape = new LinkedHashMap<>(good);
            shape.put("decoder.2.weight", new StateDict.Entry(new long[] {128, 256, 4, 4}, new float[128 * 256 * 16]));
            assertEquals(dir.resolve("bad.safetensors") + ": tensor decoder.2.weight has shape (128,256,4,4), the model needs"
                    + " (256,128,4,4)", failure(model, shape));
        }
    }

    private String failure(VqVae model, Map<String, StateDict.Entry> state) throws Exception {
        Path file = dir.resolve("bad.safetensors");
        StateDict.addTo(SafeTensors.writer(), "", state).write(file);
        return assertThrows(IllegalArgumentException.class, () -> StateDict.load(model, SafeTensors.read(file))).getMessage();
    }
}
