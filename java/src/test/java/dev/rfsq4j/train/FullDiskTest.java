package dev.rfsq4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Scope;
import dev.rfsq4j.SmallDisk;
import dev.rfsq4j.nn.Adam;
import dev.rfsq4j.nn.LrSchedule;
import dev.rfsq4j.nn.VqVae;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A disk that fills up under the metrics log and a checkpoint: nothing half-written, nothing good lost. */
@ExtendWith(NoLeaks.class)
class FullDiskTest {
    @TempDir
    Path tmp;

    @Test
    void theMetricsLogNeverKeepsHalfALine() throws Exception {
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("disk"), 16)) {
            Path file = disk.path().resolve("metrics.jsonl");
            disk.fill(8192);
            String padding = "x".repeat(300);
            IOException e = assertThrows(IOException.class, () -> {
                try (MetricsLog log = new MetricsLog(file, 0)) {
                    for (int step = 1; step < 1000; step++) {
                        log.log(step, "loss", 0.5, "note", padding);
                    }
                }
            });
            assertTrue(e.getMessage().startsWith(file + ": cannot write the metrics log: No space left on device"),
                    e.getMessage());
            String text = Files.readString(file, StandardCharsets.UTF_8);
            assertTrue(text.length() > 1000 && text.endsWith("}\n"), "whole lines only, got ..."
                    + text.substring(Math.max(0, text.length() - 40)));
            for (String line : text.split("\n")) {
                assertTrue(line.startsWith("{\"step\":") && line.endsWith("\"}"), line);
            }
            Files.delete(disk.path().resolve("filler"));
        }
    }

    @Test
    void aCheckpointThatDoesNotFitLeavesTheOlderOnesAndNothingElse() throws Exception {
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("disk"), 20 * 1024);
                Device device = Device.open(Backend.CPU);
                Scope scope = Scope.open(device)) {
            Path run = disk.path().resolve("run");
            VqVae model = new VqVae(Presets.quantizer("fsq-4096"), scope, 1);
            Adam adam = new Adam(model.parameters(), Adam.Config.reference(), scope);
            TrainConfig settings = new TrainConfig("fsq-4096", Presets.quantizer("fsq-4096"), 4, 2, 16, 1234,
                    new LrSchedule(2e-3, 2, 1000), Adam.Config.reference(), 1, 1, 3);
            Path good = Checkpoint.save(run, 1, model, adam, "test", CheckpointConfig.of(settings, 1, 1));
            disk.fill(1 << 20); // a checkpoint of this model takes 3 x 4.2 MB
            IOException e = assertThrows(IOException.class, () -> Checkpoint.save(run, 2, model, adam, "test",
                    CheckpointConfig.of(settings, 2, 1)));
            assertTrue(e.getMessage().startsWith(run.resolve("checkpoints/step-00000002") + ": cannot save the checkpoint: ")
                    && e.getMessage().contains("No space left on device"), e.getMessage());
            assertEquals(List.of("checkpoints", "checkpoints/step-00000001", "checkpoints/step-00000001/config.json",
                    "checkpoints/step-00000001/model.safetensors",
                    "checkpoints/step-00000001/optimizer.safetensors"), sortedNames(run), "only the good checkpoint");
            assertEquals(1, Checkpoint.load(good, new VqVae(Presets.quantizer("fsq-4096"), scope, 2),
                    new Adam(model.parameters(), Adam.Config.reference(), scope), "test"));
            Files.delete(disk.path().resolve("filler"));
        }
    }

    private static List<String> sortedNames(Path run) throws IOException {
        try (Stream<Path> s = Files.walk(run.resolve("checkpoints"))) {
            return s.map(p -> run.relativize(p).toString()).sorted().toList();
        }
    }
}
