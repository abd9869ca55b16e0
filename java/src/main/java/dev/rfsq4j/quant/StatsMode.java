package dev.rfsq4j.quant;

import java.util.Locale;

/**
 * Where layernorm's statistics come from when encoding and decoding (spec §2). Only the layernorm strategy has
 * statistics; for none and scale both modes behave alike.
 */
public enum StatsMode {
    /** Per-image (mu, sigma): returned by encode and required by decode, counted as side information. */
    PARITY,
    /** Running averages updated by training forwards and frozen for encode/decode, so indices alone decode. */
    RUNNING;

    /** Parses parity or running, any case. */
    public static StatsMode parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "parity" -> PARITY;
            case "running" -> RUNNING;
            default -> throw new IllegalArgumentException("unknown stats mode '" + name + "' (expected parity or running)");
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
