package dev.rfsq4j.cli;

import dev.rfsq4j.nn.QuantizerSpec;
import dev.rfsq4j.nn.QuantizerSpec.LfqSpec;
import dev.rfsq4j.nn.QuantizerSpec.RfsqSpec;
import dev.rfsq4j.nn.QuantizerSpec.VqEmaSpec;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import java.util.List;

/** The train command's quantizer flags applied to a preset; a flag of another quantizer kind is a usage error. */
final class PresetOverrides {
    private static final List<String> RFSQ = List.of("levels", "stages", "strategy", "stats-mode");
    private static final List<String> LFQ = List.of("lfq-commitment-weight", "lfq-entropy-weight", "lfq-diversity-gamma");
    private static final List<String> VQ = List.of("vq-commitment-weight", "vq-decay", "vq-dead-threshold");

    private PresetOverrides() {}

    static QuantizerSpec apply(QuantizerSpec preset, Options o) {
        return switch (preset) {
            case RfsqSpec r -> {
                refuse(o, LFQ, VQ);
                yield new RfsqSpec(
                        o.convert("levels", o.optional("levels", r.levels().toString()), PresetOverrides::levels),
                        o.integer("stages", Integer.toString(r.stages()), 1, Integer.MAX_VALUE),
                        o.convert("strategy", o.optional("strategy", r.strategy().label()), Strategy::parse),
                        o.convert("stats-mode", o.optional("stats-mode", r.statsMode().label()), StatsMode::parse),
                        r.momentum());
            }
            case LfqSpec l -> {
                refuse(o, RFSQ, VQ);
                yield new LfqSpec(l.bits(), number(o, "lfq-commitment-weight", l.commitmentWeight()),
                        number(o, "lfq-entropy-weight", l.entropyWeight()),
                        number(o, "lfq-diversity-gamma", l.diversityGamma()), l.invTemperature());
            }
            case VqEmaSpec v -> {
                refuse(o, RFSQ, LFQ);
                yield new VqEmaSpec(v.codes(), v.dim(), number(o, "vq-decay", v.decay()), v.eps(),
                        number(o, "vq-commitment-weight", v.commitmentWeight()),
                        number(o, "vq-dead-threshold", v.deadThreshold()));
            }
        };
    }

    @SafeVarargs
    private static void refuse(Options o, List<String>... others) {
        for (List<String> flags : others) {
            for (String flag : flags) {
                if (o.has(flag)) {
                    throw o.usage("--" + flag + " does not apply to this preset's quantizer");
                }
            }
        }
    }

    private static double number(Options o, String flag, double fallback) {
        return o.number(flag, Double.toString(fallback));
    }

    /** Levels as Levels.toString writes them ("[8,8,8,4]") or as the user types them ("8,8,8,4"). */
    private static Levels levels(String text) {
        return Levels.parse(text.replace("[", "").replace("]", "").replace(" ", ""));
    }
}
