package dev.rfsq4j.train;

import dev.rfsq4j.nn.QuantizerSpec;
import dev.rfsq4j.nn.QuantizerSpec.LfqSpec;
import dev.rfsq4j.nn.QuantizerSpec.RfsqSpec;
import dev.rfsq4j.nn.QuantizerSpec.VqEmaSpec;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The quantizers of spec §3's table, by preset name. */
public final class Presets {
    private static final Map<String, QuantizerSpec> PRESETS = new LinkedHashMap<>();

    static {
        for (Strategy s : Strategy.values()) {
            String suffix = s == Strategy.LAYERNORM ? "ln" : s.label();
            PRESETS.put("rfsq-2x2048-" + suffix, rfsq(Levels.of(8, 8, 8, 4), 2, s));
            PRESETS.put("rfsq-4x1024-" + suffix, rfsq(Levels.of(4, 4, 4, 4, 4), 4, s));
        }
        PRESETS.put("fsq-4096", rfsq(Levels.of(8, 8, 8, 8), 1, Strategy.NONE));
        PRESETS.put("lfq-4096", new LfqSpec(12, 0, 0, 2.5, 1));
        PRESETS.put("vq-ema-4096", new VqEmaSpec(4096, 256, 0.99, 1e-5, 1, 0));
    }

    private Presets() {}

    public static Set<String> names() {
        return PRESETS.keySet();
    }

    /** The preset's quantizer; an unknown name fails listing the known ones. */
    public static QuantizerSpec quantizer(String name) {
        QuantizerSpec spec = PRESETS.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "'; presets: " + String.join(", ", names()));
        }
        return spec;
    }

    private static QuantizerSpec rfsq(Levels levels, int stages, Strategy strategy) {
        return new RfsqSpec(levels, stages, strategy, StatsMode.PARITY, 0.99);
    }
}
