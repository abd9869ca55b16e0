package dev.rfsq4j.cli;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.RfsqException;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.io.Npy;
import dev.rfsq4j.io.OutputFiles;
import dev.rfsq4j.quant.Rfsq;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code rfsq4j quantize}: one .npy latent through RFSQ (a checkpoint's, or initial parameters), codes and indices out. */
final class QuantizeCommand implements Command {
    private static final Set<String> OPTIONS =
            Options.union(RfsqOptions.NAMES, Set.of("input", "codes", "indices", "stats", "device"));

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
                usage: rfsq4j quantize (--checkpoint DIR | --levels L1,L2,.. --stages K --strategy none|scale|layernorm
                                        [--stats-mode parity|running])
                                       --input z.npy --codes codes.npy --indices idx.npy [--stats stats.npy]
                                       [--device auto|cpu|cuda]

                Quantizes z (float32 (B,C,H,W), C = number of levels) with K residual FSQ stages.
                  --checkpoint a checkpoint folder of rfsq4j train (or its run folder: the newest checkpoint): its
                               levels, stages, strategy, stats mode and trained parameters (theta, gamma, beta,
                               running statistics); an RFSQ or FSQ preset's
                  --levels ..  without --checkpoint: the quantizer at its initial parameters (scale: s = ln 2;
                               layernorm: gamma = 1, beta = 0; running stats mu = 0, sigma = 1)
                  --codes      zhat, float32 (B,C,H,W)
                  --indices    indices, int32 (B,H,W,K), channel 0 the least significant digit
                  --stats      per-image (mu, sigma), float32 (K,B,C,2): required for layernorm in parity mode, whose
                               indices can never be decoded without them; refused otherwise
                  --stats-mode parity (default): per-image statistics; running: the frozen running ones
                  --device     auto (default): CUDA when a GPU is usable, else CPU
                Prints one line: device, shape, bits per position, mean ||r_k|| per stage, wall time.
                rfsq4j dequantize turns the indices (and statistics) back into zhat.
                """;
    }

    @Override
    public void run(List<String> args, PrintStream out) throws IOException {
        Options o = Options.parse(name(), args, OPTIONS);
        RfsqOptions quantizer = RfsqOptions.parse(o);
        Backend backend = o.backend();
        Path input = o.path("input");
        Path codesFile = o.path("codes");
        Path indicesFile = o.path("indices");
        Path statsFile = quantizer.statsFile(o);
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("input", input);
        files.put("codes", codesFile);
        files.put("indices", indicesFile);
        if (statsFile != null) {
            files.put("stats", statsFile);
        }
        o.requireDistinct(files);
        for (Path output : statsFile == null ? List.of(codesFile, indicesFile) : List.of(codesFile, indicesFile, statsFile)) {
            OutputFiles.checkWritable(output); // before any work: a bad path fails first, with nothing written
        }

        Npy.Floats z = Npy.readFloats(input);
        long[] shape = z.shape();
        int c = quantizer.levels().count();
        if (shape.length != 4 || shape[1] != c || z.data().length == 0) {
            throw new IOException(input + ": expected float32 (B," + c + ",H,W) for levels " + quantizer.levels()
                    + " with every dimension > 0, got float32 " + Tensor.shapeString(shape));
        }

        try (Device device = Device.open(backend); Scope scope = Scope.open(device)) {
            Rfsq rfsq = quantizer.build(scope);
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
