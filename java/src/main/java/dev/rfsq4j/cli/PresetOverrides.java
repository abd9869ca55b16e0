package dev.rfsq4j.cli;

import dev.rfsq4j.nn.QuantizerSpec;
import dev.rfsq4j.nn.QuantizerSpec.RfsqSpec;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import java.util.List;

/** The train command's quantizer flags applied to a preset; a flag of another quantizer kind is a usage error. */
final class PresetOverrides {
    private static final List<String> RFSQ = List.of("levels", "stages", "strategy", "stats-mode");

    private PresetOverrides() {}

    static QuantizerSpec apply(QuantizerSpec preset, Options o) {
        if (preset instanceof RfsqSpec r) {
            return new RfsqSpec(
                    o.convert("levels", o.optional("levels", r.levels().toString()), PresetOverrides::levels),
                    o.convert("stages", o.optional("stages", Integer.toString(r.stages())), Integer::parseInt),
                    o.convert("strategy", o.optional("strategy", r.strategy().label()), Strategy::parse),
                    o.convert("stats-mode", o.optional("stats-mode", r.statsMode().label()), StatsMode::parse),
                    r.momentum());
        }
        for (String flag : RFSQ) {
            if (o.has(flag)) {
                throw o.usage("--" + flag + " applies to RFSQ and FSQ presets only");
            }
        }
        return preset;
    }

    /** Levels as Levels.toString writes them ("[8,8,8,4]") or as the user types them ("8,8,8,4"). */
    private static Levels levels(String text) {
        return Levels.parse(text.replace("[", "").replace("]", "").replace(" ", ""));
    }
}
