package dev.rfsq4j.cli;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.RfsqException;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.io.Npy;
import dev.rfsq4j.io.OutputFiles;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code rfsq4j quantize}: one .npy latent through RFSQ at initial parameters, codes and indices out. */
final class QuantizeCommand implements Command {
    private static final Set<String> OPTIONS =
            Set.of("levels", "stages", "strategy", "input", "codes", "indices", "stats", "stats-mode", "device");

    @Override
    public String name() {
        return "quantize";
    }

    @Override
    public String summary() {
        return "quantize a float32 .npy latent (B,C,H,W) with RFSQ; write codes and indices as .npy";
    }

    @Override
    public String usage() {
        return """
                usage: rfsq4j quantize --levels L1,L2,.. --stages K --strategy none|scale|layernorm
                                       --input z.npy --codes codes.npy --indices idx.npy
                                       [--stats stats.npy] [--stats-mode parity|running] [--device auto|cpu|cuda]

                Quantizes z (float32 (B,C,H,W), C = number of levels) with K residual FSQ stages at the initial
                parameters (scale: s = ln 2; layernorm: gamma = 1, beta = 0; running stats mu = 0, sigma = 1).
                  --codes      zhat, float32 (B,C,H,W)
                  --indices    indices, int32 (B,H,W,K), channel 0 the least significant digit
                  --stats      per-image (mu, sigma), float32 (K,B,C,2): layernorm in parity mode only
                  --stats-mode parity (default): per-image statistics; running: the frozen running ones
                  --device     auto (default): CUDA when a GPU is usable, else CPU
                Prints one line: device, shape, bits per position, mean ||r_k|| per stage, wall time.
                """;
    }

    @Override
    public void run(List<String> args, PrintStream out) throws IOException {
        Options o = Options.parse(name(), args, OPTIONS);
        Levels levels = o.convert("levels", o.required("levels"), Levels::parse);
        int stages = o.convert("stages", o.required("stages"), QuantizeCommand::parseStages);
        Strategy strategy = o.convert("strategy", o.required("strategy"), Strategy::parse);
        StatsMode mode = o.convert("stats-mode", o.optional("stats-mode", "parity"), StatsMode::parse);
        Backend backend = o.convert("device", o.optional("device", "auto"), Backend::parse);
        Path input = o.path("input");
        Path codesFile = o.path("codes");
        Path indicesFile = o.path("indices");
        Path statsFile = o.has("stats") ? o.path("stats") : null;
        if (statsFile != null && (strategy != Strategy.LAYERNORM || mode != StatsMode.PARITY)) {
            throw o.usage("--stats applies to --strategy layernorm with --stats-mode parity only");
        }
        distinct(o, input, codesFile, indicesFile, statsFile);
        for (Path output : statsFile == null ? List.of(codesFile, indicesFile) : List.of(codesFile, indicesFile, statsFile)) {
            OutputFiles.checkWritable(output); // before any work: a bad path fails first, with nothing written
        }

        Npy.Floats z = Npy.readFloats(input);
        long[] shape = z.shape();
        if (shape.length != 4 || shape[1] != levels.count() || z.data().length == 0) {
            throw new IOException(input + ": expected float32 (B," + levels.count() + ",H,W) for levels " + levels
                    + " with every dimension > 0, got float32 " + Tensor.shapeString(shape));
        }

        try (Device device = Device.open(backend); Scope scope = Scope.open(device)) {
            Rfsq rfsq = Rfsq.builder(levels).stages(stages).strategy(strategy).statsMode(mode).build(scope);
            long start = System.nanoTime();
            Rfsq.Output result;
            try {
                result = rfsq.quantize(scope.fromArray(z.data(), shape));
            } catch (RfsqException e) {
                throw new RfsqException(e.status(), input + ": " + e.getMessage());
            }
            float[] codes = result.zhat().toFloatArray();
            int[] indices = result.indices().toIntArray();
            float[] stats = result.stats() == null ? null : result.stats().toFloatArray();
            float[] rnorm = result.rnorm().toFloatArray();
            double millis = (System.nanoTime() - start) / 1e6;

            // All or nothing: every output is complete on disk before any of them replaces a file.
            try (OutputFiles outputs = new OutputFiles()) {
                Npy.write(outputs, codesFile, shape, codes);
                Npy.write(outputs, indicesFile, result.indices().shape(), indices);
                if (statsFile != null) {
                    Npy.write(outputs, statsFile, result.stats().shape(), stats);
                }
                outputs.commit();
            }
            out.println(summary(device, rfsq, shape, rnorm, millis));
        }
    }

    /** The input and every output are different files (one output would overwrite another, or the input). */
    private static void distinct(Options o, Path input, Path codes, Path indices, Path stats) throws IOException {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("input", input);
        files.put("codes", codes);
        files.put("indices", indices);
        if (stats != null) {
            files.put("stats", stats);
        }
        Map<Path, String> seen = new HashMap<>();
        for (Map.Entry<String, Path> e : files.entrySet()) {
            Path key = e.getValue().toAbsolutePath().normalize();
            if (Files.exists(key)) {
                key = key.toRealPath(); // links and other spellings of one file
            } else if (key.getParent() != null && Files.isDirectory(key.getParent())) {
                key = key.getParent().toRealPath().resolve(key.getFileName());
            }
            String other = seen.putIfAbsent(key, e.getKey());
            if (other != null) {
                throw o.usage("--" + other + " and --" + e.getKey() + " name the same file " + e.getValue()
                        + "; give each its own file");
            }
        }
    }

    private static int parseStages(String text) {
        try {
            int k = Integer.parseInt(text.strip());
            if (k < 1 || k > 16) {
                throw new IllegalArgumentException("stages must be 1..16, got " + k);
            }
            return k;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("stages must be an integer 1..16, got '" + text + "'");
        }
    }

    private static String summary(Device device, Rfsq rfsq, long[] shape, float[] rnorm, double millis) {
        StringBuilder line = new StringBuilder();
        line.append(String.format(Locale.ROOT, "%s  z %s  rfsq %dx%s %s/%s  %.0f bits/position", device,
                Tensor.shapeString(shape), rfsq.stages(), rfsq.levels(), rfsq.strategy().label(),
                rfsq.statsMode().label(), rfsq.bitsPerPosition()));
        if (rfsq.sideInfoBitsPerImage() > 0) {
            line.append(" (+").append(rfsq.sideInfoBitsPerImage()).append(" side-info bits/image)");
        }
        line.append("  mean ||r_k||");
        for (double r : Metrics.meanPerStage(rnorm, rfsq.stages())) {
            line.append(String.format(Locale.ROOT, " %.4f", r));
        }
        line.append(String.format(Locale.ROOT, "  %.1f ms", millis));
        return line.toString();
    }
}
