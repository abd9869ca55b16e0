package dev.rfsq4j.train;

import dev.rfsq4j.nn.QuantizerSpec;
import dev.rfsq4j.nn.QuantizerSpec.LfqSpec;
import dev.rfsq4j.nn.QuantizerSpec.RfsqSpec;
import dev.rfsq4j.nn.QuantizerSpec.VqEmaSpec;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A quantizer's configuration as the JSON object of a checkpoint's {@code config.json}: every field of its
 * {@link QuantizerSpec} under a snake_case name, plus {@code kind} (rfsq, lfq or vq_ema). Reading is strict: every
 * field present with the right type, no other, and the values the spec's constructor accepts.
 */
final class QuantizerFields {
    private QuantizerFields() {}

    /** Every field of spec, kind first, in a fixed order. */
    static Map<String, Object> of(QuantizerSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (spec) {
            case RfsqSpec r -> {
                m.put("kind", "rfsq");
                m.put("levels", Arrays.stream(r.levels().values()).mapToObj(v -> (Object) (long) v).toList());
                m.put("stages", (long) r.stages());
                m.put("strategy", r.strategy().label());
                m.put("stats_mode", r.statsMode().label());
                m.put("momentum", r.momentum());
            }
            case LfqSpec l -> {
                m.put("kind", "lfq");
                m.put("bits", (long) l.bits());
                m.put("commitment_weight", l.commitmentWeight());
                m.put("entropy_weight", l.entropyWeight());
                m.put("diversity_gamma", l.diversityGamma());
                m.put("inv_temperature", l.invTemperature());
            }
            case VqEmaSpec v -> {
                m.put("kind", "vq_ema");
                m.put("codes", (long) v.codes());
                m.put("dim", (long) v.dim());
                m.put("decay", v.decay());
                m.put("eps", v.eps());
                m.put("commitment_weight", v.commitmentWeight());
                m.put("dead_threshold", v.deadThreshold());
            }
        }
        return m;
    }

    /**
     * A canonical one-line text of every field ("kind=rfsq;levels=8,8,8,4;stages=2;..."), stable across versions: what
     * the quantizer hash of token files is computed over.
     */
    static String canonical(QuantizerSpec spec) {
        StringBuilder out = new StringBuilder();
        of(spec).forEach((k, v) -> {
            String text = v instanceof List<?> list
                    ? String.join(",", list.stream().map(Object::toString).toList())
                    : v.toString();
            out.append(out.isEmpty() ? "" : ";").append(k).append('=').append(text);
        });
        return out.toString();
    }

    /** The fields of spec that differ from base's (all but kind when the kinds differ). */
    static Map<String, Object> diff(QuantizerSpec base, QuantizerSpec spec) {
        Map<String, Object> a = of(base), b = of(spec);
        Map<String, Object> out = new LinkedHashMap<>();
        b.forEach((k, v) -> {
            if (!Objects.equals(a.get(k), v)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The spec a JSON object describes; what is wrong is named in an IllegalArgumentException. */
    static QuantizerSpec parse(Map<String, Object> m) {
        String kind = string(m, "kind");
        return switch (kind) {
            case "rfsq" -> {
                only(m, "kind", "levels", "stages", "strategy", "stats_mode", "momentum");
                yield new RfsqSpec(levels(m), integer(m, "stages"), Strategy.parse(string(m, "strategy")),
                        StatsMode.parse(string(m, "stats_mode")), number(m, "momentum"));
            }
            case "lfq" -> {
                only(m, "kind", "bits", "commitment_weight", "entropy_weight", "diversity_gamma", "inv_temperature");
                yield new LfqSpec(integer(m, "bits"), number(m, "commitment_weight"), number(m, "entropy_weight"),
                        number(m, "diversity_gamma"), number(m, "inv_temperature"));
            }
            case "vq_ema" -> {
                only(m, "kind", "codes", "dim", "decay", "eps", "commitment_weight", "dead_threshold");
                yield new VqEmaSpec(integer(m, "codes"), integer(m, "dim"), number(m, "decay"), number(m, "eps"),
                        number(m, "commitment_weight"), number(m, "dead_threshold"));
            }
            default -> throw new IllegalArgumentException("quantizer kind must be rfsq, lfq or vq_ema, got \"" + kind + "\"");
        };
    }

    private static void only(Map<String, Object> m, String... keys) {
        Set<String> extra = new TreeSet<>(m.keySet());
        List.of(keys).forEach(extra::remove);
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException("quantizer has unknown fields " + extra);
        }
    }

    private static Object field(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("quantizer has no field \"" + key + "\"");
        }
        return v;
    }

    private static String string(Map<String, Object> m, String key) {
        if (field(m, key) instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("quantizer field \"" + key + "\" must be a string, got " + m.get(key));
    }

    private static int integer(Map<String, Object> m, String key) {
        if (field(m, key) instanceof Long n && n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
            return n.intValue();
        }
        throw new IllegalArgumentException("quantizer field \"" + key + "\" must be an integer, got " + m.get(key));
    }

    private static double number(Map<String, Object> m, String key) {
        return switch (field(m, key)) {
            case Long n -> n.doubleValue();
            case BigDecimal d -> d.doubleValue();
            default -> throw new IllegalArgumentException("quantizer field \"" + key + "\" must be a number, got " + m.get(key));
        };
    }

    private static Levels levels(Map<String, Object> m) {
        if (field(m, "levels") instanceof List<?> list && !list.isEmpty() && list.size() <= Levels.MAX_CHANNELS) {
            int[] values = new int[list.size()];
            for (int i = 0; i < values.length; i++) {
                if (!(list.get(i) instanceof Long n) || n < 2 || n > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("quantizer field \"levels\" must hold integers >= 2, got " + list);
                }
                values[i] = n.intValue();
            }
            return new Levels(values);
        }
        throw new IllegalArgumentException("quantizer field \"levels\" must be a list of 1 to " + Levels.MAX_CHANNELS
                + " integers, got " + m.get("levels"));
    }
}
