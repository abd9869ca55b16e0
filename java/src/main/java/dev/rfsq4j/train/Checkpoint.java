package dev.rfsq4j.train;

import dev.rfsq4j.Scope;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.Adam;
import dev.rfsq4j.nn.VqVae;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints of a run: {@code RUN/checkpoints/step-NNNNNNNN/} with {@code model.safetensors} (the state_dict that
 * PyTorch's load_state_dict takes, see {@link StateDict}), {@code optimizer.safetensors} (Adam's moments, flat,
 * and the step) and {@code config.json} (what the model is, {@link CheckpointConfig}: enough to load it alone). A
 * checkpoint folder is written under a temporary name and renamed when complete, so a crash never leaves a
 * half-written one; the newest {@value #KEEP} are kept.
 */
public final class Checkpoint {
    static final int KEEP = 2;
    private static final Pattern NAME = Pattern.compile("step-(\\d{8,})");

    private Checkpoint() {}

    /**
     * Saves the state after {@code step} updates; identity: the run's settings and data size (see {@link #load});
     * config: what config.json says about the model.
     */
    public static Path save(Path runDir, long step, VqVae model, Adam adam, String identity, CheckpointConfig config)
            throws IOException {
        Path root = runDir.resolve("checkpoints");
        Files.createDirectories(root);
        String name = String.format("step-%08d", step);
        Path tmp = root.resolve(name + ".tmp");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        StateDict.addTo(SafeTensors.writer(), "", StateDict.of(model))
                .metadata("format", "pt")
                .metadata("rfsq4j.step", Long.toString(step))
                .metadata("rfsq4j.config", identity)
                .write(tmp.resolve("model.safetensors"));
        long n = model.parameters().count();
        SafeTensors.writer()
                .metadata("rfsq4j.step", Long.toString(step))
                .metadata("rfsq4j.config", identity)
                .add("exp_avg", new long[] {n}, adam.expAvg().toFloatArray())
                .add("exp_avg_sq", new long[] {n}, adam.expAvgSq().toFloatArray())
                .write(tmp.resolve("optimizer.safetensors"));
        config.write(tmp);
        Path done = root.resolve(name);
        deleteTree(done);
        Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
        List<Path> all = list(runDir);
        for (int i = 0; i < all.size() - KEEP; i++) {
            deleteTree(all.get(i));
        }
        return done;
    }

    /**
     * A checkpoint folder as given (it holds model.safetensors), or a run folder's newest checkpoint; anything else
     * fails with an IOException saying what was expected.
     */
    public static Path resolve(Path path) throws IOException {
        if (Files.isRegularFile(path.resolve("model.safetensors"))) {
            return path;
        }
        if (Files.isDirectory(path.resolve("checkpoints"))) {
            return latest(path).orElseThrow(() -> new IOException(path + ": a run folder without a complete checkpoint"
                    + " (checkpoints/step-N/model.safetensors)"));
        }
        throw new IOException(path + (Files.isDirectory(path)
                ? ": neither a checkpoint folder (no model.safetensors) nor a run folder (no checkpoints/)"
                : ": no such folder"));
    }

    /**
     * The trained model of a checkpoint (or run) folder, in scope: built from its config.json (see
     * {@link CheckpointConfig#read}), its parameters and buffers loaded from model.safetensors. No optimizer state.
     */
    public static VqVae loadModel(Path checkpoint, Scope scope) throws IOException {
        Path dir = resolve(checkpoint);
        CheckpointConfig config = CheckpointConfig.read(dir);
        VqVae model = new VqVae(config.quantizer(), scope, 0);
        StateDict.load(model, SafeTensors.read(dir.resolve("model.safetensors")));
        return model;
    }

    /** The newest complete checkpoint of a run, if any. */
    public static Optional<Path> latest(Path runDir) throws IOException {
        List<Path> all = list(runDir);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * Restores model, buffers and optimizer from a checkpoint folder; returns its step. identity: what the run must
     * share with the one that saved it (its settings and data size), checked first.
     */
    public static long load(Path dir, VqVae model, Adam adam, String identity) throws IOException {
        SafeTensors weights = SafeTensors.read(dir.resolve("model.safetensors"));
        SafeTensors optimizer = SafeTensors.read(dir.resolve("optimizer.safetensors"));
        String saved = weights.metadata().get("rfsq4j.config");
        if (!identity.equals(saved)) {
            throw new IllegalArgumentException("cannot resume from " + dir + ": it was trained with [" + saved
                    + "], this run is [" + identity + "]");
        }
        long step = parseStep(weights, dir);
        if (parseStep(optimizer, dir) != step) {
            throw new IOException(dir + ": model and optimizer files are of different steps");
        }
        StateDict.load(model, weights);
        long n = model.parameters().count();
        for (String name : List.of("exp_avg", "exp_avg_sq")) {
            if (!optimizer.contains(name) || optimizer.shape(name).length != 1 || optimizer.shape(name)[0] != n) {
                throw new IOException(dir + ": optimizer.safetensors needs " + name + " of " + n + " floats");
            }
        }
        adam.expAvg().copyFrom(optimizer.floats("exp_avg"));
        adam.expAvgSq().copyFrom(optimizer.floats("exp_avg_sq"));
        adam.restoreStep(Math.toIntExact(step));
        return step;
    }

    private static long parseStep(SafeTensors file, Path dir) throws IOException {
        String text = file.metadata().get("rfsq4j.step");
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException(dir + ": no valid rfsq4j.step in the metadata (" + text + ")");
        }
    }

    private static List<Path> list(Path runDir) throws IOException {
        Path root = runDir.resolve("checkpoints");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(5))))
                    .toList();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> {
                try {
                    Files.delete(q);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
