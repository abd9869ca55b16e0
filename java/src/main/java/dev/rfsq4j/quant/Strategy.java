package dev.rfsq4j.quant;

import java.util.Locale;

/** How each RFSQ stage conditions its residual before FSQ (spec §2). */
public enum Strategy {
    /** Plain FSQ of the residual; small residuals fall into FSQ's dead zone. */
    NONE(0),
    /** One learnable scale per stage, s_k = softplus(theta_k). */
    SCALE(1),
    /** Invertible per-image, per-channel normalization with learnable gamma, beta per stage. */
    LAYERNORM(2);

    private final int code;

    Strategy(int code) {
        this.code = code;
    }

    /** rfsq.h's RFSQ_STRATEGY_* value. */
    public int code() {
        return code;
    }

    /** Parses none, scale or layernorm (also ln), any case. */
    public static Strategy parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "scale" -> SCALE;
            case "layernorm", "ln" -> LAYERNORM;
            default -> throw new IllegalArgumentException(
                    "unknown strategy '" + name + "' (expected none, scale or layernorm)");
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
