package dev.rfsq4j.cli;

import dev.rfsq4j.Scope;
import dev.rfsq4j.nn.QuantizerSpec;
import dev.rfsq4j.nn.QuantizerSpec.RfsqSpec;
import dev.rfsq4j.nn.RfsqQuantizer;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import dev.rfsq4j.train.Checkpoint;
import dev.rfsq4j.train.CheckpointConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The quantizer of {@code quantize} and {@code dequantize}: a trained checkpoint's ({@code --checkpoint}: its θ, γ, β
 * and running statistics), or one given by flags at its initial parameters.
 */
final class RfsqOptions {
    static final Set<String> NAMES = Set.of("checkpoint", "levels", "stages", "strategy", "stats-mode");
    private static final List<String> CONFIG = List.of("levels", "stages", "strategy", "stats-mode");

    private final Path checkpoint;
    private final Rfsq.Builder builder;
    private final StatsMode mode;

    private RfsqOptions(Path checkpoint, Rfsq.Builder builder, StatsMode mode) {
        this.checkpoint = checkpoint;
        this.builder = builder;
        this.mode = mode;
    }

    static RfsqOptions parse(Options o) throws IOException {
        if (o.has("checkpoint")) {
            for (String flag : CONFIG) {
                if (o.has(flag)) {
                    throw o.usage("--" + flag + " comes from the checkpoint; give either --checkpoint or the quantizer flags");
                }
            }
            Path dir = Checkpoint.resolve(Path.of(o.required("checkpoint")));
            QuantizerSpec spec = CheckpointConfig.read(dir).quantizer();
            if (!(spec instanceof RfsqSpec r)) {
                throw new IOException(dir + ": holds a " + spec + " model; quantize and dequantize take RFSQ and FSQ ones");
            }
            return new RfsqOptions(dir, r.builder(), r.statsMode());
        }
        Levels levels = o.convert("levels", o.required("levels"), Levels::parse);
        int stages = o.convert("stages", o.required("stages"), RfsqOptions::parseStages);
        Strategy strategy = o.convert("strategy", o.required("strategy"), Strategy::parse);
        StatsMode mode = o.convert("stats-mode", o.optional("stats-mode", "parity"), StatsMode::parse);
        return new RfsqOptions(null, Rfsq.builder(levels).stages(stages).strategy(strategy).statsMode(mode), mode);
    }

    /** Builds the quantizer in scope: the checkpoint's trained one, or the flags' at initial parameters. */
    Rfsq build(Scope scope) throws IOException {
        if (checkpoint == null) {
            return builder.build(scope);
        }
        return ((RfsqQuantizer) Checkpoint.loadModel(checkpoint, scope).quantizer()).rfsq();
    }

    Levels levels() {
        return builder.levels();
    }

    int stages() {
        return builder.stages();
    }

    /**
     * {@code --stats FILE}, or null without it: required for layernorm in parity mode (its indices decode only with
     * the per-image statistics of their encode), refused otherwise; either mistake is a usage error.
     */
    Path statsFile(Options o) {
        if (o.has("stats") && !perImageStats()) {
            throw o.usage("--stats applies to --strategy layernorm with --stats-mode parity only (other quantizers"
                    + " decode from indices alone)");
        }
        if (!o.has("stats") && perImageStats()) {
            throw o.usage("layernorm in parity mode needs --stats FILE: its indices can never be decoded without the"
                    + " per-image statistics (the file rfsq4j quantize --stats writes)");
        }
        return o.has("stats") ? o.path("stats") : null;
    }

    /** Layernorm in parity mode: indices decode only with the per-image statistics of their encode. */
    boolean perImageStats() {
        return builder.strategy() == Strategy.LAYERNORM && mode == StatsMode.PARITY;
    }

    private static int parseStages(String text) {
        try {
            int k = Integer.parseInt(text.strip());
            if (k < 1 || k > Rfsq.MAX_STAGES) {
                throw new IllegalArgumentException("stages must be 1.." + Rfsq.MAX_STAGES + ", got " + k);
            }
            return k;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("stages must be an integer 1.." + Rfsq.MAX_STAGES + ", got '" + text + "'");
        }
    }
}
