package dev.rfsq4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.TrainedRuns;
import dev.rfsq4j.io.Json;
import dev.rfsq4j.nn.ImageNormalization;
import dev.rfsq4j.nn.QuantizerSpec;
import dev.rfsq4j.nn.QuantizerSpec.LfqSpec;
import dev.rfsq4j.nn.QuantizerSpec.RfsqSpec;
import dev.rfsq4j.nn.QuantizerSpec.VqEmaSpec;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json: what rfsq4j train writes, a strict reader, and the fallback for checkpoints written before it. */
class CheckpointConfigTest {
    @TempDir
    Path dir;

    private static CheckpointConfig config(String preset, QuantizerSpec q) {
        return new CheckpointConfig(preset, q, 64, ImageNormalization.IMAGENET_MEAN, ImageNormalization.IMAGENET_STD, 42,
                Map.of("batch", 16L, "lr", 8e-4));
    }

    @Test
    void everyPresetAndOverrideRoundTrips() throws Exception {
        List<QuantizerSpec> specs = new java.util.ArrayList<>();
        for (String name : Presets.names()) {
            specs.add(Presets.quantizer(name));
        }
        specs.add(new RfsqSpec(Levels.of(7, 5, 5, 5, 3), 16, Strategy.SCALE, StatsMode.RUNNING, 0.3));
        specs.add(new LfqSpec(9, 0.25, 0.1, 1.5, 0.7));
        specs.add(new VqEmaSpec(513, 17, 0.8, 1e-7, 0.33, 1.5));
        for (QuantizerSpec q : specs) {
            CheckpointConfig c = config("rfsq-2x2048-ln", q);
            CheckpointConfig back = CheckpointConfig.parse(c.toJson());
            assertEquals(q, back.quantizer(), c.toJson());
            assertEquals(64, back.imageSize());
            assertEquals(42, back.step());
            assertArrayEquals(ImageNormalization.IMAGENET_STD, back.std());
            assertEquals(c.quantizerHash(), back.quantizerHash());
        }
        assertTrue(config("a", specs.get(0)).quantizerHash() != config("a", specs.get(1)).quantizerHash());
    }

    @Test
    void overridesAreTheFieldsThatDifferFromThePreset() throws Exception {
        RfsqSpec ln = (RfsqSpec) Presets.quantizer("rfsq-2x2048-ln");
        RfsqSpec three = new RfsqSpec(ln.levels(), 3, ln.strategy(), StatsMode.RUNNING, ln.momentum());
        CheckpointConfig c = config("rfsq-2x2048-ln", three);
        assertEquals(Map.of("stages", 3L, "stats_mode", "running"), c.overrides());
        assertEquals(Map.of(), config("rfsq-2x2048-ln", ln).overrides());
        assertEquals("rfsq", config("my-own", three).overrides().get("kind"), "unknown preset: every field");
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(c.toJson());
        assertEquals(List.of("format", "version", "step", "preset", "overrides", "quantizer", "image", "training"),
                List.copyOf(json.keySet()));
        assertEquals("kind=rfsq;levels=8,8,8,4;stages=3;strategy=layernorm;stats_mode=running;momentum=0.99",
                QuantizerFields.canonical(three));
    }

    @Test
    void theReaderIsStrict() {
        String good = config("rfsq-2x2048-ln", Presets.quantizer("rfsq-2x2048-ln")).toJson();
        assertEquals("\"format\" must be \"rfsq4j-checkpoint\", got x",
                refusal(good.replace("\"rfsq4j-checkpoint\"", "\"x\"")));
        assertEquals("\"version\" 2 is not one this rfsq4j reads (1): use the rfsq4j that wrote the checkpoint, or a newer one",
                refusal(good.replace("\"version\": 1", "\"version\": 2")));
        assertEquals("quantizer has unknown fields [colour]",
                refusal(good.replace("\"stages\": 2,", "\"stages\": 2, \"colour\": 1,")));
        assertEquals("quantizer has no field \"strategy\"", refusal(good.replace("\"strategy\": \"layernorm\",", "")));
        assertEquals("quantizer field \"stages\" must be an integer, got 2.5", refusal(good.replace("\"stages\": 2,", "\"stages\": 2.5,")));
        assertEquals("stages must be 1..16, got 17", refusal(good.replace("\"stages\": 2,", "\"stages\": 17,")));
        assertEquals("quantizer kind must be rfsq, lfq or vq_ema, got \"fsq\"",
                refusal(good.replace("\"kind\": \"rfsq\"", "\"kind\": \"fsq\"")));
        assertEquals("\"image.mean\" must be a list of 3 numbers (R, G, B)",
                refusal(good.replace("\"mean\": [", "\"mean\": [1, ")));
        assertThrows(Json.SyntaxException.class, () -> CheckpointConfig.parse(good.substring(0, 40)));
    }

    private static String refusal(String json) {
        return assertThrows(IllegalArgumentException.class, () -> CheckpointConfig.parse(json), json).getMessage();
    }

    @Test
    void trainWritesItAndOldCheckpointsOfAPlainPresetStillLoad() throws Exception {
        Path run = TrainedRuns.train(dir, "rfsq-2x2048-scale", 1);
        Path ckpt = Checkpoint.latest(run).orElseThrow();
        CheckpointConfig written = CheckpointConfig.read(ckpt);
        assertEquals("rfsq-2x2048-scale", written.preset());
        assertEquals(Presets.quantizer("rfsq-2x2048-scale"), written.quantizer());
        assertEquals(TrainedRuns.IMAGE_SIZE, written.imageSize());
        assertEquals(1, written.step());
        assertEquals(2L, written.training().get("batch"));

        Files.delete(ckpt.resolve(CheckpointConfig.FILE)); // as checkpoints were before config.json
        CheckpointConfig legacy = CheckpointConfig.read(ckpt);
        assertEquals(written.quantizer(), legacy.quantizer());
        assertEquals(written.imageSize(), legacy.imageSize());
        assertEquals(1, legacy.step());

        Path three = TrainedRuns.train(dir, "rfsq-2x2048-scale", 1, "--stages", "3");
        Path ckpt3 = Checkpoint.latest(three).orElseThrow();
        assertEquals(3, ((RfsqSpec) CheckpointConfig.read(ckpt3).quantizer()).stages());
        Files.delete(ckpt3.resolve(CheckpointConfig.FILE));
        var e = assertThrows(IOException.class, () -> CheckpointConfig.read(ckpt3));
        assertTrue(e.getMessage().contains("its quantizer [RFSQ 3x[8,8,8,4] scale] is not preset rfsq-2x2048-scale's as is:"
                + " write a config.json for it"), e.getMessage());
        Files.writeString(ckpt3.resolve(CheckpointConfig.FILE), "{\"format\": \"rfsq4j-checkpoint\"");
        var bad = assertThrows(IOException.class, () -> CheckpointConfig.read(ckpt3));
        assertTrue(bad.getMessage().startsWith(ckpt3.resolve(CheckpointConfig.FILE) + ": "), bad.getMessage());
    }
}
