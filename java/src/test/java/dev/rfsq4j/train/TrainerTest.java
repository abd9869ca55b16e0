package dev.rfsq4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.data.Augment;
import dev.rfsq4j.data.DataOptions;
import dev.rfsq4j.data.ImageFolder;
import dev.rfsq4j.data.ImageSource;
import dev.rfsq4j.data.Prepare;
import dev.rfsq4j.eval.RandomBackbone;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.Adam;
import dev.rfsq4j.nn.LrSchedule;
import dev.rfsq4j.nn.QuantizerSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The training loop on tiny generated images: falling loss, checkpoints, and a resume that continues bit for bit. */
@ExtendWith(NoLeaks.class)
class TrainerTest {
    private static final Pattern LOSS = Pattern.compile("\"loss\":([-0-9.eE]+)");

    @TempDir
    Path tmp;

    private static TrainConfig config(String preset, long steps) {
        QuantizerSpec q = Presets.quantizer(preset);
        return new TrainConfig(preset, q, 4, steps, 16, 1234, new LrSchedule(2e-3, 2, 1000), Adam.Config.reference(), 1,
                1, 3);
    }

    private Path images(int count) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("images"));
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < count; i++) {
            BufferedImage img = new BufferedImage(20, 16, BufferedImage.TYPE_INT_RGB);
            int base = random.nextInt(0xFFFFFF);
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 20; x++) {
                    img.setRGB(x, y, (base + (x * 9 + y * 5) * 0x010203 + random.nextInt(32)) & 0xFFFFFF);
                }
            }
            ImageIO.write(img, "png", dir.resolve("img" + i + ".png").toFile());
        }
        return dir;
    }

    private static Trainer.Result train(TrainConfig c, Backend backend, Path data, Path run, boolean resume)
            throws Exception {
        return train(c, backend, data, Augment.NONE, run, resume, new ByteArrayOutputStream());
    }

    /** Trains on data (an image folder or shards). */
    private static Trainer.Result train(TrainConfig c, Backend backend, Path data, Augment augment, Path run, boolean resume,
            ByteArrayOutputStream log) throws Exception {
        try (Device device = Backends.open(backend); ImageSource source = ImageSource.open(data, c.imageSize(),
                DataOptions.DEFAULT)) {
            return new Trainer(c, device, source, augment, run, new PrintStream(log, true, StandardCharsets.UTF_8)).run(resume);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void lossFallsAndAResumedRunEqualsAnUninterruptedOne(Backend backend) throws Exception {
        Path data = images(8);
        Path straight = tmp.resolve("straight"), resumed = tmp.resolve("resumed");
        Trainer.Result a = train(config("rfsq-2x2048-ln", 12), backend, data, straight, false);
        List<Double> losses = losses(straight);
        assertEquals(12, losses.size());
        String line = Files.readAllLines(straight.resolve("metrics.jsonl")).get(0);
        assertTrue(line.matches("\\{\"step\":1,\"epoch\":0,\"loss\":.*,\"lr\":0[.0]*,.*\"residual_norms\":\\[[^,\\]]+,[^,\\]]+\\],"
                + "\"usage\":\\[[^,\\]]+,[^,\\]]+\\],\"perplexity\":\\[[^,\\]]+,[^,\\]]+\\]}"), line);
        assertTrue(losses.get(11) < 0.8 * losses.get(0), "loss should fall: " + losses);

        train(config("rfsq-2x2048-ln", 7), backend, data, resumed, false);
        Trainer.Result b = train(config("rfsq-2x2048-ln", 12), backend, data, resumed, true);
        assertEquals(7, b.firstStep());
        assertEquals(a.checkpoint().getFileName(), b.checkpoint().getFileName());
        assertEquals(losses, losses(resumed), "the metrics log of the resumed run");
        for (String file : List.of("model.safetensors", "optimizer.safetensors")) {
            SafeTensors x = SafeTensors.read(a.checkpoint().resolve(file)), y = SafeTensors.read(b.checkpoint().resolve(file));
            assertEquals(x.names(), y.names());
            for (String name : x.names()) {
                assertArrayEquals(x.floats(name), y.floats(name), file + " " + name + " differs after resume");
            }
        }
        // The last KEEP checkpoints stay.
        try (var s = Files.list(straight.resolve("checkpoints"))) {
            assertEquals(List.of("step-00000009", "step-00000012"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU"})
    void reusingARunFolderNeedsResumeAndTheSameSettings(Backend backend) throws Exception {
        Path data = images(4);
        Path run = tmp.resolve("run");
        train(config("fsq-4096", 3), backend, data, run, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> train(config("fsq-4096", 6), backend, data, run, false));
        assertTrue(e.getMessage().contains("pass --resume"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> train(config("rfsq-2x2048-none", 6), backend, data, run, true));
        assertTrue(e.getMessage().startsWith("cannot resume from"), e.getMessage());
        IOException io = assertThrows(IOException.class, () -> train(config("fsq-4096", 6), backend, tmp.resolve("none"), run, true));
        assertTrue(io.getMessage().contains("none"), io.getMessage());
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU"})
    void aStopRequestEndsTheRunAfterItsStepWithACheckpointToResumeFrom(Backend backend) throws Exception {
        Path data = images(4);
        Path run = tmp.resolve("stopped");
        TrainConfig c = config("rfsq-2x2048-scale", 6);
        try (Device device = Backends.open(backend)) {
            Trainer trainer = new Trainer(c, device, ImageFolder.open(data, c.imageSize()), run,
                    new PrintStream(new ByteArrayOutputStream()));
            trainer.requestStop();
            Trainer.Result r = trainer.run(false);
            assertEquals(1, r.lastStep());
            assertEquals("step-00000001", r.checkpoint().getFileName().toString());
        }
        assertEquals(1, losses(run).size());
        Trainer.Result resumed = train(c, backend, data, run, true);
        assertEquals(1, resumed.firstStep());
        assertEquals(6, resumed.lastStep());
        assertEquals(6, losses(run).size());
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void theLossAddsLpipsWhenABackboneIsGivenAndSaysL1OnlyOtherwise(Backend backend) throws Exception {
        Path data = images(4);
        Path backbone = RandomBackbone.write(tmp, "trainer lpips");
        TrainConfig plain = config("rfsq-2x2048-ln", 3);
        TrainConfig withLpips = new TrainConfig(plain.preset(), plain.quantizer(), plain.batch(), plain.steps(),
                plain.imageSize(), plain.seed(), plain.schedule(), plain.adam(), plain.l1Weight(), plain.logEvery(),
                plain.checkpointEvery(), new LpipsLoss(backbone, 0.5));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (Device device = Backends.open(backend)) {
            new Trainer(plain, device, ImageFolder.open(data, 16), tmp.resolve("plain"), new PrintStream(printed)).run(false);
            String text = printed.toString(StandardCharsets.UTF_8);
            assertEquals(1, text.split("loss: L1 only", -1).length - 1, text);
            printed.reset();
            new Trainer(withLpips, device, ImageFolder.open(data, 16), tmp.resolve("lpips"), new PrintStream(printed))
                    .run(false);
            text = printed.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("loss: L1 + 0.5 x LPIPS-VGG v0.1") && !text.contains("L1 only"), text);
        }
        for (String line : Files.readAllLines(tmp.resolve("lpips").resolve("metrics.jsonl"))) {
            double loss = field(line, "loss"), l1 = field(line, "l1"), aux = field(line, "aux_loss"), lpips = field(line, "lpips");
            assertTrue(lpips > 0, line);
            assertEquals(l1 + lpips + aux, loss, 1e-6 * loss, "loss = l1 + lpips + aux: " + line);
        }
        assertTrue(!Files.readString(tmp.resolve("plain").resolve("metrics.jsonl")).contains("lpips"));
        // Resuming with another loss is refused: the LPIPS term is part of the run's identity.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> train(config("rfsq-2x2048-ln", 5), backend, data, tmp.resolve("lpips"), true));
        assertTrue(e.getMessage().startsWith("cannot resume from"), e.getMessage());
    }

    private static double field(String line, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":([-0-9.eE]+)").matcher(line);
        assertTrue(m.find(), name + " in " + line);
        return Double.parseDouble(m.group(1));
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU"})
    void shardsTrainToTheSameNumbersAsTheirFolder(Backend backend) throws Exception {
        Path data = images(9);
        Prepare.run(data, tmp.resolve("shards"), 16, 2, 4, DataOptions.DEFAULT, new PrintStream(new ByteArrayOutputStream()));
        Augment augment = Augment.parse("crop,flip", 1234);
        Trainer.Result a = train(config("rfsq-2x2048-ln", 5), backend, data, augment, tmp.resolve("folder"), false,
                new ByteArrayOutputStream());
        Trainer.Result b = train(config("rfsq-2x2048-ln", 5), backend, tmp.resolve("shards"), augment, tmp.resolve("sharded"),
                false, new ByteArrayOutputStream());
        assertEquals(losses(tmp.resolve("folder")), losses(tmp.resolve("sharded")));
        assertSameCheckpoints(a.checkpoint(), b.checkpoint());
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU"})
    void augmentedRunsResumeExactlyAndSkippedImagesAreCounted(Backend backend) throws Exception {
        Path data = images(5);
        byte[] png = Files.readAllBytes(data.resolve("img2.png"));
        Files.write(data.resolve("img2.png"), java.util.Arrays.copyOf(png, png.length - 20)); // cut short
        Augment augment = Augment.parse("crop,flip", 1234);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer.Result a = train(config("fsq-4096", 6), backend, data, augment, tmp.resolve("straight"), false, log);
        train(config("fsq-4096", 3), backend, data, augment, tmp.resolve("resumed"), false, new ByteArrayOutputStream());
        Trainer.Result b = train(config("fsq-4096", 6), backend, data, augment, tmp.resolve("resumed"), true,
                new ByteArrayOutputStream());
        assertEquals(losses(tmp.resolve("straight")), losses(tmp.resolve("resumed")));
        assertSameCheckpoints(a.checkpoint(), b.checkpoint());
        String out = log.toString(StandardCharsets.UTF_8);
        assertEquals(1, out.lines().filter(l -> l.startsWith("skipped ")).count(), out);
        assertTrue(out.contains("skipped " + data.resolve("img2.png") + ": truncated"), out);
        List<String> metrics = Files.readAllLines(tmp.resolve("straight").resolve("metrics.jsonl"));
        assertTrue(metrics.getLast().contains("\"skipped_images\":1,"), metrics.getLast());
        assertTrue(metrics.getLast().matches(".*\"data_wait_ms\":[0-9.e+-]+,.*"), metrics.getLast());
        // Without the augmentation the run is another one: resuming it with augmentation is refused.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> train(config("fsq-4096", 8), backend,
                data, Augment.NONE, tmp.resolve("straight"), true, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().startsWith("cannot resume from"), e.getMessage());
    }

    private static void assertSameCheckpoints(Path a, Path b) throws IOException {
        assertEquals(a.getFileName(), b.getFileName());
        for (String file : List.of("model.safetensors", "optimizer.safetensors")) {
            SafeTensors x = SafeTensors.read(a.resolve(file)), y = SafeTensors.read(b.resolve(file));
            assertEquals(x.names(), y.names());
            for (String name : x.names()) {
                assertArrayEquals(x.floats(name), y.floats(name), file + " " + name);
            }
        }
    }

    private static List<Double> losses(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.jsonl"), StandardCharsets.UTF_8).stream().map(line -> {
            Matcher m = LOSS.matcher(line);
            assertTrue(m.find(), line);
            return Double.parseDouble(m.group(1));
        }).toList();
    }

    /** A checkpoint with a NaN weight, a NaN or negative second moment: refused at resume, naming file and tensor. */
    @ParameterizedTest
    @EnumSource(names = {"CPU"})
    void aCheckpointThatIsNotFiniteIsRefusedNamingTheFileAndTensor(Backend backend) throws Exception {
        Path data = images(4);
        TrainConfig c = config("rfsq-2x2048-ln", 3);
        record Damage(String file, String tensor, float value, String expected) {}
        for (Damage d : List.of(
                new Damage("model.safetensors", "encoder.2.weight", Float.NaN, "holds NaN at element 5"),
                new Damage("model.safetensors", "quantizer.beta", Float.POSITIVE_INFINITY, "holds Infinity at element 5"),
                new Damage("optimizer.safetensors", "exp_avg_sq", Float.NaN, "holds NaN at element 5"),
                new Damage("optimizer.safetensors", "exp_avg_sq", -1f, "holds -1.0 at element 5"))) {
            Path run = tmp.resolve("run-" + d.tensor() + d.value());
            Trainer.Result r = train(c, backend, data, run, false);
            Path file = r.checkpoint().resolve(d.file());
            rewrite(file, d.tensor(), 5, d.value());
            Exception e = assertThrows(IllegalArgumentException.class,
                    () -> train(config("rfsq-2x2048-ln", 5), backend, data, run, true));
            assertTrue(e.getMessage().startsWith(file + ": tensor " + d.tensor() + " " + d.expected()), e.getMessage());
        }
    }

    /** A learning rate that blows the weights up stops the run as a divergence; the good checkpoint stays. */
    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void aRunThatDivergesStopsWithoutSavingAndKeepsTheLastGoodCheckpoint(Backend backend) throws Exception {
        if (backend == Backend.CUDA) {
            Backends.assumeCuda();
        }
        Path data = images(4);
        Path run = tmp.resolve("diverging");
        // lr 0 at update 1 (warmup), then 5e29: the update itself leaves the weights finite but near 1e30.
        TrainConfig c = new TrainConfig("fsq-4096", Presets.quantizer("fsq-4096"), 4, 6, 16, 1234,
                new LrSchedule(1e30, 2, 1000), Adam.Config.reference(), 1, 3, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> train(c, backend, data, run, false));
        assertTrue(e.getMessage().startsWith("training diverged at step 2"), e.getMessage());
        assertTrue(e.getMessage().contains("lower --lr") && e.getMessage().contains("step-00000001 is as it was"),
                e.getMessage());
        try (var s = Files.list(run.resolve("checkpoints"))) {
            assertEquals(List.of("step-00000001"), s.map(p -> p.getFileName().toString()).toList());
        }
        SafeTensors good = SafeTensors.read(run.resolve("checkpoints/step-00000001/model.safetensors"));
        for (String name : good.names()) {
            for (float v : good.floats(name)) {
                assertTrue(Float.isFinite(v), name);
            }
        }
    }

    /** What a run killed while saving leaves (an unfinished folder, a temporary file) is removed; resume is exact. */
    @ParameterizedTest
    @EnumSource(names = {"CPU"})
    void anUnfinishedCheckpointOfAKilledRunIsIgnoredAndRemoved(Backend backend) throws Exception {
        Path data = images(4);
        Path run = tmp.resolve("killed");
        train(config("fsq-4096", 3), backend, data, run, false);
        Path unfinished = Files.createDirectories(run.resolve("checkpoints/step-00000004.tmp"));
        Files.write(unfinished.resolve("model.safetensors"), new byte[] {1, 2, 3});
        Trainer.Result r = train(config("fsq-4096", 5), backend, data, run, true);
        assertEquals(3, r.firstStep());
        try (var s = Files.list(run.resolve("checkpoints"))) {
            assertEquals(List.of("step-00000003", "step-00000005"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** Copies a safetensors file with one element of one tensor replaced (metadata kept). */
    private static void rewrite(Path file, String tensor, int element, float value) throws IOException {
        SafeTensors in = SafeTensors.read(file);
        SafeTensors.Writer out = SafeTensors.writer();
        in.metadata().forEach(out::metadata);
        for (String name : in.names()) {
            float[] data = in.floats(name);
            if (name.equals(tensor)) {
                data[element] = value;
            }
            out.add(name, in.shape(name), data);
        }
        out.write(file);
    }
}
