package dev.rfsq4j.train;

import dev.rfsq4j.Scope;
import dev.rfsq4j.internal.FileTrees;
import dev.rfsq4j.io.Messages;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.Adam;
import dev.rfsq4j.nn.VqVae;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
    private static final Pattern NAME = Pattern.compile("step-(\\d{8,18})");
    private static final Pattern UNFINISHED = Pattern.compile("step-(\\d{8,18})\\.tmp");

    private Checkpoint() {}

    /**
     * Saves the state after {@code step} updates; identity: the run's settings and data size (see {@link #load});
     * config: what config.json says about the model. A state that is not finite (a run that diverged) is refused
     * before anything is written, so it never replaces a good checkpoint.
     */
    public static Path save(Path runDir, long step, VqVae model, Adam adam, String identity, CheckpointConfig config)
            throws IOException {
        Map<String, StateDict.Entry> state = StateDict.of(model);
        float[] expAvg = adam.expAvg().toFloatArray(), expAvgSq = adam.expAvgSq().toFloatArray();
        String name = String.format("step-%08d", step);
        Path root = runDir.resolve("checkpoints");
        Path modelFile = root.resolve(name).resolve("model.safetensors");
        Path optimizerFile = root.resolve(name).resolve("optimizer.safetensors");
        String refused = "the state diverged; nothing was written";
        state.forEach((tensor, e) -> StateDict.requireFinite(modelFile, tensor, e.data(), refused));
        StateDict.requireFinite(optimizerFile, "exp_avg", expAvg, refused);
        StateDict.requireFinite(optimizerFile, "exp_avg_sq", expAvgSq, refused);
        Files.createDirectories(root);
        removeUnfinished(root); // of a run killed while it saved (this run holds the folder's lock)
        Path tmp = root.resolve(name + ".tmp");
        Path done = root.resolve(name);
        try {
            Files.createDirectories(tmp);
            StateDict.addTo(SafeTensors.writer(), "", state)
                    .metadata("format", "pt")
                    .metadata("rfsq4j.step", Long.toString(step))
                    .metadata("rfsq4j.config", identity)
                    .write(tmp.resolve("model.safetensors"));
            long n = model.parameters().count();
            SafeTensors.writer()
                    .metadata("rfsq4j.step", Long.toString(step))
                    .metadata("rfsq4j.config", identity)
                    .add("exp_avg", new long[] {n}, expAvg)
                    .add("exp_avg_sq", new long[] {n}, expAvgSq)
                    .write(tmp.resolve("optimizer.safetensors"));
            config.write(tmp);
            FileTrees.delete(done);
            Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                FileTrees.delete(tmp); // a full disk, say: nothing half-written stays; older checkpoints are untouched
            } catch (IOException d) {
                e.addSuppressed(d);
            }
            throw Messages.named(done, "save the checkpoint", e);
        }
        List<Path> all = list(runDir);
        for (int i = 0; i < all.size() - KEEP; i++) {
            FileTrees.delete(all.get(i));
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
            throw new IllegalArgumentException("cannot resume from " + dir + ": it was trained with ["
                    + Messages.clip(String.valueOf(saved), 400) + "], this run is [" + identity + "]");
        }
        long step = parseStep(weights);
        if (parseStep(optimizer) != step) {
            throw new IOException(dir + ": model and optimizer files are of different steps");
        }
        long n = model.parameters().count();
        StateDict.checkLayout(optimizer, Map.of("exp_avg", new long[] {n}, "exp_avg_sq", new long[] {n}));
        StateDict.load(model, weights);
        float[] expAvg = optimizer.floats("exp_avg"), expAvgSq = optimizer.floats("exp_avg_sq");
        StateDict.requireFinite(optimizer.file(), "exp_avg", expAvg);
        StateDict.requireFinite(optimizer.file(), "exp_avg_sq", expAvgSq);
        for (int i = 0; i < expAvgSq.length; i++) {
            if (expAvgSq[i] < 0) {
                throw new IllegalArgumentException(optimizer.file() + ": tensor exp_avg_sq holds " + expAvgSq[i]
                        + " at element " + i + " (second moments are >= 0): the file is damaged; use an earlier checkpoint");
            }
        }
        adam.expAvg().copyFrom(expAvg);
        adam.expAvgSq().copyFrom(expAvgSq);
        adam.restoreStep(Math.toIntExact(step));
        return step;
    }

    /** The step in a checkpoint file's metadata: 0 to 2^31 - 1 (Adam counts its steps in an int). */
    private static long parseStep(SafeTensors file) throws IOException {
        String text = file.metadata().get("rfsq4j.step");
        long step;
        try {
            step = Long.parseLong(String.valueOf(text));
        } catch (NumberFormatException e) {
            step = -1;
        }
        if (step < 0 || step > Integer.MAX_VALUE) {
            throw new IOException(file.file() + ": the metadata rfsq4j.step is "
                    + (text == null ? "missing" : Messages.quote(text)) + ", not a step count from 0 to " + Integer.MAX_VALUE
                    + ": the file is damaged or not an rfsq4j checkpoint");
        }
        return step;
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

    /** Removes checkpoint folders whose writing never finished (step-N.tmp). */
    private static void removeUnfinished(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.filter(p -> UNFINISHED.matcher(p.getFileName().toString()).matches()).toList()) {
                FileTrees.delete(p);
            }
        }
    }
}
