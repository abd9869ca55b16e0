package dev.rfsq4j.train;

import dev.rfsq4j.io.Json;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.ImageNormalization;
import dev.rfsq4j.nn.QuantizerSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a checkpoint folder's {@code config.json} says about the model in it, so that nothing else is needed to load
 * it: the preset, the quantizer fields that differ from the preset's ({@code overrides}), the complete quantizer
 * ({@code quantizer}, which loading uses), the image size and normalization of training, and every training setting
 * (for the record). Written by {@link Checkpoint#save}; the format is in the README ("Self-describing checkpoints").
 *
 * @param preset     the preset the run started from (a name of {@link Presets}, or any name a Java caller gave)
 * @param quantizer  the quantizer as trained: the preset's with the overrides applied
 * @param imageSize  the side of the square images training read (the token grid is imageSize / 4)
 * @param mean       per-channel mean of the input normalization (RGB, pixels in [0, 1])
 * @param std        per-channel std of the input normalization
 * @param step       updates done when the checkpoint was written
 * @param training   every other setting of the run, as written (informational)
 */
public record CheckpointConfig(String preset, QuantizerSpec quantizer, int imageSize, double[] mean, double[] std,
        long step, Map<String, Object> training) {
    /** The file name in a checkpoint folder. */
    public static final String FILE = "config.json";
    static final String FORMAT = "rfsq4j-checkpoint";
    static final int VERSION = 1;

    public CheckpointConfig {
        if (imageSize < 4 || imageSize % 4 != 0) {
            throw new IllegalArgumentException("image size must be a positive multiple of 4, got " + imageSize);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (RGB)");
        }
        for (int c = 0; c < 3; c++) {
            if (!Double.isFinite(mean[c]) || !(std[c] > 0) || !Double.isFinite(std[c])) {
                throw new IllegalArgumentException("normalization needs a finite mean and a finite std > 0, got mean "
                        + mean[c] + ", std " + std[c]);
            }
        }
        mean = mean.clone();
        std = std.clone();
        training = Map.copyOf(training);
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }

    /** The config of a run's checkpoint at step, with ImageNet's normalization (the one {@link Trainer} uses). */
    public static CheckpointConfig of(TrainConfig config, long step, long images) {
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("batch", (long) config.batch());
        training.put("steps", config.steps());
        training.put("seed", config.seed());
        training.put("lr", config.schedule().peak());
        training.put("warmup_steps", config.schedule().warmupSteps());
        training.put("decay_steps", config.schedule().decaySteps());
        training.put("optimizer", config.adam().decoupled() ? "adamw" : "adam");
        training.put("beta1", config.adam().beta1());
        training.put("beta2", config.adam().beta2());
        training.put("eps", config.adam().eps());
        training.put("weight_decay", config.adam().weightDecay());
        training.put("max_grad_norm", config.adam().maxGradNorm());
        training.put("l1_weight", config.l1Weight());
        if (config.lpips() != null) {
            training.put("lpips_weight", config.lpips().weight());
            training.put("lpips_backbone", config.lpips().backbone().getFileName().toString());
        }
        training.put("images", images);
        return new CheckpointConfig(config.preset(), config.quantizer(), config.imageSize(), ImageNormalization.IMAGENET_MEAN,
                ImageNormalization.IMAGENET_STD, step, training);
    }

    /** The quantizer fields that differ from the preset's (every field when the preset is not a known one). */
    public Map<String, Object> overrides() {
        return Presets.names().contains(preset) ? QuantizerFields.diff(Presets.quantizer(preset), quantizer)
                : QuantizerFields.of(quantizer);
    }

    /**
     * 64 bits that identify the quantizer configuration (how indices are to be read): the first 8 bytes, little-endian,
     * of the SHA-256 of its canonical text ("kind=rfsq;levels=8,8,8,4;stages=2;strategy=layernorm;...").
     */
    public long quantizerHash() {
        return Hashes.sha256Prefix(QuantizerFields.canonical(quantizer).getBytes(StandardCharsets.UTF_8));
    }

    /** The JSON text of config.json. */
    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("version", (long) VERSION);
        root.put("step", step);
        root.put("preset", preset);
        root.put("overrides", overrides());
        root.put("quantizer", QuantizerFields.of(quantizer));
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("size", (long) imageSize);
        image.put("mean", List.of(mean[0], mean[1], mean[2]));
        image.put("std", List.of(std[0], std[1], std[2]));
        root.put("image", image);
        root.put("training", training);
        return Json.write(root);
    }

    /** Writes config.json into a checkpoint folder. */
    public void write(Path dir) throws IOException {
        Files.writeString(dir.resolve(FILE), toJson(), StandardCharsets.UTF_8);
    }

    /**
     * The config of a checkpoint folder: its config.json, or for a checkpoint written before config.json existed,
     * the settings its model.safetensors recorded, if they name a preset whose quantizer they also name (a run
     * without quantizer overrides); otherwise an IOException that says what to do.
     */
    public static CheckpointConfig read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return fromLegacyMetadata(dir);
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException | Json.SyntaxException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** The config a config.json text describes; strict about every field loading uses. */
    public static CheckpointConfig parse(String text) throws Json.SyntaxException {
        if (!(Json.parse(text) instanceof Map<?, ?> any)) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) any;
        if (!FORMAT.equals(root.get("format"))) {
            throw new IllegalArgumentException("\"format\" must be \"" + FORMAT + "\", got " + root.get("format"));
        }
        if (!(root.get("version") instanceof Long v) || v != VERSION) {
            throw new IllegalArgumentException("\"version\" " + root.get("version") + " is not one this rfsq4j reads ("
                    + VERSION + "): use the rfsq4j that wrote the checkpoint, or a newer one");
        }
        if (!(root.get("preset") instanceof String preset)) {
            throw new IllegalArgumentException("\"preset\" must be a string");
        }
        if (!(root.get("step") instanceof Long step) || step < 0) {
            throw new IllegalArgumentException("\"step\" must be an integer >= 0");
        }
        QuantizerSpec quantizer = QuantizerFields.parse(object(root, "quantizer"));
        Map<String, Object> image = object(root, "image");
        if (!(image.get("size") instanceof Long size) || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("\"image.size\" must be an integer");
        }
        Map<String, Object> training = root.get("training") == null ? Map.of() : object(root, "training");
        return new CheckpointConfig(preset, quantizer, size.intValue(), triple(image, "mean"), triple(image, "std"), step,
                training);
    }

    // model.safetensors' rfsq4j.config before config.json: "preset=NAME quantizer=TEXT batch=... image=SIZE ..."
    private static final Pattern LEGACY = Pattern.compile("^preset=(\\S+) quantizer=(.*) batch=\\d+ image=(\\d+) ");

    private static CheckpointConfig fromLegacyMetadata(Path dir) throws IOException {
        Path model = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(model)) {
            throw new IOException(dir + ": not a checkpoint folder (no " + FILE + " and no model.safetensors); pass a folder"
                    + " such as RUN/checkpoints/step-00001000");
        }
        Map<String, String> metadata = SafeTensors.read(model).metadata();
        String identity = metadata.get("rfsq4j.config");
        Matcher m = LEGACY.matcher(identity == null ? "" : identity);
        if (!m.find()) {
            throw new IOException(dir + ": no " + FILE + ", and model.safetensors records no rfsq4j settings: it was not"
                    + " written by rfsq4j train; write a " + FILE + " for it (format: README, \"Self-describing checkpoints\")");
        }
        String preset = m.group(1);
        QuantizerSpec spec = Presets.names().contains(preset) ? Presets.quantizer(preset) : null;
        if (spec == null || !spec.toString().equals(m.group(2))) {
            throw new IOException(dir + ": no " + FILE + " (written before checkpoints described themselves), and its"
                    + " quantizer [" + m.group(2) + "] is not preset " + preset + "'s as is: write a " + FILE + " for it"
                    + " (format: README, \"Self-describing checkpoints\")");
        }
        String step = metadata.getOrDefault("rfsq4j.step", "0");
        return new CheckpointConfig(preset, spec, Integer.parseInt(m.group(3)), ImageNormalization.IMAGENET_MEAN,
                ImageNormalization.IMAGENET_STD, step.matches("\\d{1,18}") ? Long.parseLong(step) : 0,
                Map.of("legacy_settings", identity));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> root, String key) {
        if (root.get(key) instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException("\"" + key + "\" must be a JSON object");
    }

    private static double[] triple(Map<String, Object> image, String key) {
        if (image.get(key) instanceof List<?> list && list.size() == 3) {
            double[] out = new double[3];
            for (int i = 0; i < 3; i++) {
                out[i] = switch (list.get(i)) {
                    case Long n -> n.doubleValue();
                    case BigDecimal d -> d.doubleValue();
                    default -> throw new IllegalArgumentException("\"image." + key + "\" must hold 3 numbers");
                };
            }
            return out;
        }
        throw new IllegalArgumentException("\"image." + key + "\" must be a list of 3 numbers (R, G, B)");
    }
}
