package dev.rfsq4j.train;

import dev.rfsq4j.Scope;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.QuantizerSpec;
import dev.rfsq4j.nn.VqVae;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model restored from a checkpoint folder for inference: the preset, quantizer and image size come from the
 * settings {@code rfsq4j train} records in {@code model.safetensors} (metadata {@code rfsq4j.config}); a state_dict
 * without them (saved by PyTorch, say) needs the preset named.
 */
public record TrainedModel(VqVae model, String preset, QuantizerSpec quantizer, int imageSize, long step, Path checkpoint) {
    private static final Pattern CONFIG = Pattern.compile("preset=(\\S+) quantizer=(.+) batch=\\d+ image=(\\d+) .*");

    /** The newest checkpoint of a run folder; fails with one line when the folder or its checkpoints are missing. */
    public static Path newestCheckpoint(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) {
            throw new IOException(runDir + ": no such run folder (rfsq4j train --out makes one)");
        }
        return Checkpoint.latest(runDir).orElseThrow(() -> new IOException(runDir
                + ": holds no checkpoint (checkpoints/step-N/model.safetensors); train it first, or name one with --checkpoint"));
    }

    /**
     * Loads checkpoint/model.safetensors into a new model in scope. preset: null to take the recorded one, else the
     * preset the checkpoint must have been trained as (needed when it records none; then the image size is 128).
     */
    public static TrainedModel load(Path checkpoint, Scope scope, String preset) throws IOException {
        Path file = checkpoint.resolve("model.safetensors");
        if (!Files.isRegularFile(file)) {
            throw new IOException(checkpoint + ": not a checkpoint folder (no model.safetensors)");
        }
        SafeTensors weights = SafeTensors.read(file);
        String config = weights.metadata().get("rfsq4j.config");
        String recordedPreset = null;
        QuantizerSpec spec;
        int imageSize = 128;
        if (config != null) {
            Matcher m = CONFIG.matcher(config);
            if (!m.matches()) {
                throw new IOException(file + ": unreadable rfsq4j.config metadata '" + config + "'");
            }
            recordedPreset = m.group(1);
            spec = QuantizerSpec.parse(m.group(2));
            imageSize = Integer.parseInt(m.group(3));
            if (preset != null && !preset.equals(recordedPreset)) {
                throw new IllegalArgumentException(checkpoint + " was trained as preset " + recordedPreset + ", not " + preset);
            }
        } else if (preset == null) {
            throw new IllegalArgumentException(file + " does not record how it was trained (no rfsq4j.config metadata):"
                    + " name its preset with --preset");
        } else {
            spec = Presets.quantizer(preset);
        }
        String name = recordedPreset != null ? recordedPreset : preset;
        VqVae model = new VqVae(spec, scope, 0);
        try {
            StateDict.load(model, weights);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(checkpoint + " does not fit preset " + name + " (" + spec + "): " + e.getMessage(), e);
        }
        String step = weights.metadata().get("rfsq4j.step");
        return new TrainedModel(model, name, spec, imageSize, step == null ? -1 : parseStep(step, file), checkpoint);
    }

    private static long parseStep(String text, Path file) throws IOException {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException(file + ": rfsq4j.step is not a number: '" + text + "'");
        }
    }
}
