package dev.rfsq4j.bench;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.Scope;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.ImageNormalization;
import dev.rfsq4j.nn.VqVae;
import dev.rfsq4j.train.CheckpointConfig;
import dev.rfsq4j.train.Presets;
import dev.rfsq4j.train.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A checkpoint folder of a preset's model at its seeded initial weights, as {@code rfsq4j train} lays one out
 * (model.safetensors, config.json): speed does not depend on whether the weights were trained.
 */
final class BenchCheckpoint {
    private BenchCheckpoint() {}

    static Path create(String preset, int imageSize) throws IOException {
        Path dir = Files.createTempDirectory("rfsq4j-bench-");
        try (Device device = Device.open(Backend.CPU); Scope scope = Scope.open(device)) {
            VqVae model = new VqVae(Presets.quantizer(preset), scope, 1234);
            StateDict.addTo(SafeTensors.writer(), "", StateDict.of(model)).metadata("format", "pt")
                    .write(dir.resolve("model.safetensors"));
        }
        new CheckpointConfig(preset, Presets.quantizer(preset), imageSize, ImageNormalization.IMAGENET_MEAN,
                ImageNormalization.IMAGENET_STD, 0, Map.of()).write(dir);
        return dir;
    }

    static void delete(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve("model.safetensors"));
        Files.deleteIfExists(dir.resolve(CheckpointConfig.FILE));
        Files.deleteIfExists(dir);
    }
}
