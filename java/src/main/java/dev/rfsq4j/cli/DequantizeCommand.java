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

/** {@code rfsq4j dequantize}: indices (and per-image statistics) of {@code quantize} back to zhat. */
final class DequantizeCommand implements Command {
    private static final Set<String> OPTIONS =
            Options.union(RfsqOptions.NAMES, Set.of("indices", "stats", "out", "first-stages", "device"));

    @Override
    public String name() {
        return "dequantize";
    }

    @Override
    public String summary() {
        return "turn RFSQ indices (.npy) back into the quantized latent zhat (.npy), from all or the first k stages";
    }

    @Override
    public String usage() {
        return """
                usage: rfsq4j dequantize (--checkpoint DIR | --levels L1,L2,.. --stages K --strategy none|scale|layernorm
                                          [--stats-mode parity|running])
                                         --indices idx.npy [--stats stats.npy] --out zhat.npy [--first-stages k]
                                         [--device auto|cpu|cuda]

                Decodes indices (int32 (B,H,W,K), as rfsq4j quantize writes them) with the same quantizer: zhat =
                q_1 + ... + q_K, float32 (B,C,H,W).
                  --checkpoint    the checkpoint (or run) folder that quantized them (trained parameters)
                  --levels ..     or the flags that quantized them (initial parameters)
                  --stats         the per-image statistics (K,B,C,2) quantize wrote: required for layernorm in parity
                                  mode (its indices alone can never be decoded), refused otherwise
                  --first-stages  decode only the first k stages (progressive: a coarser zhat), 1..K; default K
                  --device        auto (default): CUDA when a GPU is usable, else CPU
                Prints one line: device, shapes, stages decoded, wall time.
                """;
    }

    @Override
    public void run(List<String> args, PrintStream out) throws IOException {
        Options o = Options.parse(name(), args, OPTIONS);
        RfsqOptions quantizer = RfsqOptions.parse(o);
        Backend backend = o.backend();
        Path indicesFile = o.path("indices");
        Path outFile = o.path("out");
        Path statsFile = quantizer.statsFile(o);
        int stages = quantizer.stages();
        int first = o.has("first-stages")
                ? o.convert("first-stages", o.required("first-stages"), Commands.stageCount(stages, "the quantizer's"))
                : stages;

        Map<String, Path> files = new LinkedHashMap<>();
        files.put("indices", indicesFile);
        if (statsFile != null) {
            files.put("stats", statsFile);
        }
        files.put("out", outFile);
        o.requireDistinct(files);
        OutputFiles.checkWritable(outFile); // before any work: a bad path fails first, with nothing written

        Npy.Ints idx = Npy.readInts(indicesFile);
        long[] shape = idx.shape();
        if (shape.length != 4 || shape[3] != stages || idx.data().length == 0) {
            throw new IOException(indicesFile + ": expected int32 (B,H,W," + stages + ") for " + stages
                    + " stage(s) with every dimension > 0, got int32 " + Tensor.shapeString(shape));
        }
        Npy.Floats stats = null;
        int c = quantizer.levels().count();
        if (statsFile != null) {
            stats = Npy.readFloats(statsFile);
            long[] expected = {stages, shape[0], c, 2};
            if (!java.util.Arrays.equals(stats.shape(), expected)) {
                throw new IOException(statsFile + ": expected float32 " + Tensor.shapeString(expected) + " for indices "
                        + Tensor.shapeString(shape) + ", got float32 " + Tensor.shapeString(stats.shape()));
            }
        }

        try (Device device = Device.open(backend); Scope scope = Scope.open(device)) {
            Rfsq rfsq = quantizer.build(scope);
            long start = System.nanoTime();
            float[] zhat;
            try {
                Tensor indices = scope.fromArray(idx.data(), shape);
                Tensor statsIn = stats == null ? null : scope.fromArray(stats.data(), stats.shape());
                zhat = rfsq.decode(indices, statsIn, first).toFloatArray();
            } catch (RfsqException e) {
                throw new RfsqException(e.status(), indicesFile + ": " + e.getMessage());
            }
            double millis = (System.nanoTime() - start) / 1e6;
            long[] zshape = {shape[0], c, shape[1], shape[2]};
            Npy.write(outFile, zshape, zhat);
            out.println(String.format(Locale.ROOT, "%s  indices %s -> zhat %s  rfsq %dx%s %s/%s  stages 1..%d of %d  %.1f ms",
                    device, Tensor.shapeString(shape), Tensor.shapeString(zshape), stages, rfsq.levels(),
                    rfsq.strategy().label(), rfsq.statsMode().label(), first, stages, millis));
        }
    }
}
