package dev.rfsq4j.train;

import dev.rfsq4j.Scope;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.QuantizerSpec;
import dev.rfsq4j.nn.VqVae;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model restored from a checkpoint folder for inference, with what evaluation needs to know about it: the
 * preset, quantizer, image size and step from its config.json ({@link CheckpointConfig}); a bare state_dict
 * (saved by PyTorch, say) needs the preset named.
 */
public record TrainedModel(VqVae model, String preset, QuantizerSpec quantizer, int imageSize, long step, Path checkpoint) {
    /** The newest checkpoint of a run folder; fails with one line when the folder or its checkpoints are missing. */
    public static Path newestCheckpoint(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) {
            throw new IOException(runDir + ": no such run folder (rfsq4j train --out makes one)");
        }
        return Checkpoint.latest(runDir).orElseThrow(() -> new IOException(runDir
                + ": holds no checkpoint (checkpoints/step-N/model.safetensors); train it first, or name one with --checkpoint"));
    }

    /**
     * Loads checkpoint/model.safetensors into a new model in scope, configured by the checkpoint's config.json (see
     * {@link CheckpointConfig#read}). preset: null to take the recorded one, else the preset the checkpoint must have
     * been trained as; a bare state_dict (no config.json, no rfsq4j metadata: saved by PyTorch, say) needs it, and is
     * then read at 128 px.
     */
    public static TrainedModel load(Path checkpoint, Scope scope, String preset) throws IOException {
        Path file = checkpoint.resolve("model.safetensors");
        if (!Files.isRegularFile(file)) {
            throw new IOException(checkpoint + ": not a checkpoint folder (no model.safetensors)");
        }
        SafeTensors weights = SafeTensors.read(file);
        boolean bare = !Files.exists(checkpoint.resolve(CheckpointConfig.FILE))
                && !weights.metadata().containsKey("rfsq4j.config");
        String name;
        QuantizerSpec spec;
        int imageSize;
        long step;
        if (bare) {
            if (preset == null) {
                throw new IllegalArgumentException(file + " does not record how it was trained (no config.json, no"
                        + " rfsq4j.config metadata): name its preset with --preset");
            }
            name = preset;
            spec = Presets.quantizer(preset);
            imageSize = 128;
            step = -1;
        } else {
            CheckpointConfig config = CheckpointConfig.read(checkpoint);
            if (preset != null && !preset.equals(config.preset())) {
                throw new IllegalArgumentException(checkpoint + " was trained as preset " + config.preset() + ", not " + preset);
            }
            name = config.preset();
            spec = config.quantizer();
            imageSize = config.imageSize();
            step = config.step();
        }
        VqVae model = new VqVae(spec, scope, 0);
        try {
            StateDict.load(model, weights);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(checkpoint + " does not fit preset " + name + " (" + spec + "): " + e.getMessage(), e);
        }
        return new TrainedModel(model, name, spec, imageSize, step, checkpoint);
    }

}
