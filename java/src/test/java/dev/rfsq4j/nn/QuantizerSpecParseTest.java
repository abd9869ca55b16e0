package dev.rfsq4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rfsq4j.nn.QuantizerSpec.LfqSpec;
import dev.rfsq4j.nn.QuantizerSpec.RfsqSpec;
import dev.rfsq4j.nn.QuantizerSpec.VqEmaSpec;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import dev.rfsq4j.train.Presets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checkpoints record their quantizer as its description: parse(toString()) gives the same quantizer back. */
class QuantizerSpecParseTest {
    @Test
    void everyPresetAndOverrideRoundTrips() {
        for (String name : Presets.names()) {
            QuantizerSpec spec = Presets.quantizer(name);
            assertEquals(spec, QuantizerSpec.parse(spec.toString()), name);
        }
        List<QuantizerSpec> overridden = List.of(
                new RfsqSpec(Levels.of(8, 5, 5, 5), 3, Strategy.LAYERNORM, StatsMode.RUNNING, 0.9),
                new RfsqSpec(Levels.of(7, 5, 5, 5, 5), 6, Strategy.SCALE, StatsMode.PARITY, 0.99),
                new RfsqSpec(Levels.of(8, 8, 8), 1, Strategy.LAYERNORM, StatsMode.PARITY, 0.99),
                new LfqSpec(10, 0.25, 0.1, 2.5, 1),
                new VqEmaSpec(512, 64, 0.95, 1e-5, 0.5, 1.5e-3));
        for (QuantizerSpec spec : overridden) {
            assertEquals(spec, QuantizerSpec.parse(spec.toString()), spec.toString());
        }
    }

    @Test
    void anythingElseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> QuantizerSpec.parse("RFSQ 2x[8,8,8,4] sideways"));
        assertThrows(IllegalArgumentException.class, () -> QuantizerSpec.parse(""));
    }
}
