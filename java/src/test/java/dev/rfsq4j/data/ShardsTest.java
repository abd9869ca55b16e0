package dev.rfsq4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Prepare} and {@link Shards}: the same batches as the folder, atomic and resumable, damage refused. */
class ShardsTest {
    @TempDir
    Path tmp;

    /** 13 images in two class folders: PNG and JPEG, RGB and gray, sizes around 16, and one truncated JPEG. */
    private Path folder() throws IOException {
        Path data = tmp.resolve("data");
        Random random = new Random(11);
        for (int i = 0; i < 13; i++) {
            Path file = data.resolve((i % 2 == 0 ? "cats" : "dogs") + "/img" + i + (i % 3 == 0 ? ".jpg" : ".png"));
            Files.createDirectories(file.getParent());
            int w = 14 + random.nextInt(20), h = 14 + random.nextInt(20);
            BufferedImage img = new BufferedImage(w, h, i == 4 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < w * h; p++) {
                img.setRGB(p % w, p / w, random.nextInt(1 << 24));
            }
            ImageIO.write(img, i % 3 == 0 ? "jpeg" : "png", file.toFile());
        }
        Path cut = data.resolve("dogs/img9.jpg"); // truncated: skipped, stored as skipped
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(cut), (int) Files.size(cut) / 2));
        return data;
    }

    private static Prepare.Result prepare(Path data, Path out, DataOptions options) throws Exception {
        return Prepare.run(data, out, 16, 2, 5, options, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
    }

    private static float[] batch(ImageSource source, int[] indices, Augment augment, long step) throws IOException {
        float[] out = new float[indices.length * 3 * 16 * 16];
        try (var arena = java.lang.foreign.Arena.ofShared()) {
            var seg = arena.allocate((long) out.length * 4, 64);
            source.load(indices, seg, augment, step);
            java.lang.foreign.MemorySegment.copy(seg, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, out, 0, out.length);
        }
        return out;
    }

    @Test
    void shardsGiveTheFolderBatchesBitForBit() throws Exception {
        Path data = folder(), out = tmp.resolve("shards");
        Prepare.Result r = prepare(data, out, DataOptions.DEFAULT);
        assertEquals(new Prepare.Result(13, 1, 3, 0), r);
        try (Shards shards = Shards.open(out, 16, DataOptions.DEFAULT); ImageFolder folder = ImageFolder.open(data, 16)) {
            assertTrue(ImageSource.open(out, 16, DataOptions.DEFAULT) instanceof Shards);
            assertEquals(folder.count(), shards.count());
            assertEquals(List.of("cats", "dogs"), shards.classes());
            for (int i = 0; i < folder.count(); i++) {
                assertEquals(folder.name(i), shards.name(i));
                assertEquals(folder.label(i), shards.label(i));
            }
            int[] all = IntStream.range(0, 13).toArray();
            assertArrayEquals(batch(folder, all, Augment.NONE, 0), batch(shards, all, Augment.NONE, 0));
            Random random = new Random(3);
            Augment augment = Augment.parse("crop,flip", 99);
            for (int step = 0; step < 6; step++) {
                int[] indices = random.ints(8, 0, 13).toArray();
                assertArrayEquals(batch(folder, indices, augment, step), batch(shards, indices, augment, step), "step " + step);
            }
            int bad = folder.files().indexOf(data.resolve("dogs/img9.jpg"));
            int[] used = shards.load(new int[] {bad}, java.lang.foreign.Arena.ofAuto().allocate(3 * 16 * 16 * 4, 64));
            assertEquals((bad + 1) % 13, used[0]); // the next usable image, wrapping
            assertEquals(1, shards.skipped().size());
            assertEquals(folder.skipped(), List.of(shards.skipped().getFirst().replace(" (skipped by rfsq4j prepare)", "")));
            assertTrue(shards.describe().contains("13 images in 2 classes in 3 shards, 16 px"), shards.describe());
        }
        try (Shards strict = Shards.open(out, 16, new DataOptions(true, DataOptions.JpegDecoder.AUTO, false))) {
            BadImageException e = assertThrows(BadImageException.class, () -> batch(strict, IntStream.range(0, 13).toArray(),
                    Augment.NONE, 0));
            assertTrue(e.getMessage().contains("img9.jpg: truncated"), e.getMessage());
        }
    }

    @Test
    void augmentationsAreSeededAndOffByDefault() throws Exception {
        Path data = folder();
        try (ImageFolder folder = ImageFolder.open(data, 16)) {
            int[] some = {0, 1, 2, 3};
            float[] plain = batch(folder, some, Augment.NONE, 5);
            assertArrayEquals(plain, batch(folder, some, Augment.parse("none", 1), 5));
            float[] a = batch(folder, some, Augment.parse("crop,flip", 1), 5);
            assertArrayEquals(a, batch(folder, some, Augment.parse("crop,flip", 1), 5));
            assertFalse(Arrays.equals(a, plain));
            assertFalse(Arrays.equals(a, batch(folder, some, Augment.parse("crop,flip", 2), 5)), "another seed");
            assertFalse(Arrays.equals(a, batch(folder, some, Augment.parse("crop,flip", 1), 6)), "another step");
            // A flip alone mirrors the rows.
            Augment flip = Augment.parse("flip", 1);
            float[] f = batch(folder, some, flip, 5);
            for (int i = 0; i < some.length; i++) {
                boolean flipped = flip.draw(5, i, 16) < 0;
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 16; y++) {
                        for (int x = 0; x < 16; x++) {
                            int at = ((i * 3 + c) * 16 + y) * 16;
                            assertEquals(plain[at + (flipped ? 15 - x : x)], f[at + x]);
                        }
                    }
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Augment.parse("crop,rotate", 1));
        assertThrows(IllegalArgumentException.class, () -> Augment.parse("none,flip", 1));
    }

    @Test
    void prepareResumesKeepingFinishedShards() throws Exception {
        Path data = folder(), out = tmp.resolve("shards");
        prepare(data, out, DataOptions.DEFAULT);
        byte[] manifest = Files.readAllBytes(out.resolve(Shards.MANIFEST));
        FileTime first = Files.getLastModifiedTime(out.resolve("shard-00000.rfsq"));
        // A run killed while writing shard 2 left its temporary file, and no manifest.
        Files.delete(out.resolve(Shards.MANIFEST));
        Files.writeString(out.resolve("shard-00002.rfsq.tmp"), "partial");
        IOException unfinished = assertThrows(IOException.class, () -> ImageSource.open(out, 16, DataOptions.DEFAULT));
        assertTrue(unfinished.getMessage().contains("unfinished rfsq4j prepare"), unfinished.getMessage());
        assertEquals(new Prepare.Result(13, 1, 3, 3), prepare(data, out, DataOptions.DEFAULT));
        assertArrayEquals(manifest, Files.readAllBytes(out.resolve(Shards.MANIFEST)));
        assertFalse(Files.exists(out.resolve("shard-00002.rfsq.tmp")));
        assertEquals(first, Files.getLastModifiedTime(out.resolve("shard-00000.rfsq")));
        // An image that changes makes its shard (only) be written again.
        Path changed = data.resolve("cats/img2.png");
        Files.setLastModifiedTime(changed, FileTime.fromMillis(Files.getLastModifiedTime(changed).toMillis() + 5000));
        assertEquals(new Prepare.Result(13, 1, 3, 2), prepare(data, out, DataOptions.DEFAULT));
        // A damaged shard is written again too.
        flip(out.resolve("shard-00001.rfsq"), 4096 + 100);
        assertEquals(new Prepare.Result(13, 1, 3, 2), prepare(data, out, DataOptions.DEFAULT));
        // Another size makes every shard new; fewer shards remove the extra ones.
        Prepare.run(data, out, 8, 1, 100, DataOptions.DEFAULT, new PrintStream(new ByteArrayOutputStream()));
        try (var files = Files.list(out)) {
            assertEquals(List.of(".lock", Shards.MANIFEST, "shard-00000.rfsq"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void prepareRefusesStrictBadImagesAndForeignFolders() throws Exception {
        Path data = folder(), out = tmp.resolve("shards");
        var e = assertThrows(BadImageException.class, () -> prepare(data, out,
                new DataOptions(true, DataOptions.JpegDecoder.AUTO, false)));
        assertTrue(e.getMessage().contains("img9.jpg: truncated"), e.getMessage());
        assertFalse(Files.exists(out.resolve(Shards.MANIFEST)));
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "mine");
        IOException io = assertThrows(IOException.class, () -> prepare(data, other, DataOptions.DEFAULT));
        assertTrue(io.getMessage().contains("holds notes.txt, which prepare did not write"), io.getMessage());
    }

    @Test
    void damagedShardsAreRefusedNamingTheShard() throws Exception {
        Path data = folder(), out = tmp.resolve("shards");
        prepare(data, out, DataOptions.DEFAULT);
        Path shard = out.resolve("shard-00001.rfsq");
        byte[] good = Files.readAllBytes(shard);
        int[] all = IntStream.range(0, 13).toArray();

        // Cut short by one byte (a copy interrupted, a full disk).
        Files.write(shard, Arrays.copyOf(good, good.length - 1));
        assertRefused(out, shard + ": truncated: " + (good.length - 1) + " bytes, the header says " + good.length);
        // One pixel flipped: the shard opens, the image fails its checksum when read.
        Files.write(shard, good);
        flip(shard, 4096 + 3 * 16 * 16 + 7); // image 1 of the shard: data-set image 6
        try (Shards shards = Shards.open(out, 16, DataOptions.DEFAULT)) {
            batch(shards, new int[] {0, 5, 7, 12}, Augment.NONE, 0);
            IOException e = assertThrows(IOException.class, () -> batch(shards, all, Augment.NONE, 0));
            assertEquals(shard + ": image 1 (" + shards.name(6) + ") fails its checksum: the shard is damaged (re-run rfsq4j"
                    + " prepare)", e.getMessage());
        }
        // A flipped byte in the index (a label), in the names, in the header.
        for (long at : new long[] {good.length - 60, good.length - 3, 30}) {
            Files.write(shard, good);
            flip(shard, at);
            assertRefused(out, shard + ": ");
        }
        // A shard of another prepare, a missing shard, an edited manifest, another size.
        Files.write(shard, Files.readAllBytes(out.resolve("shard-00000.rfsq")));
        assertRefused(out, shard + ": does not belong to");
        Files.delete(shard);
        assertRefused(out, shard + ": missing");
        Files.write(shard, good);
        Path manifest = out.resolve(Shards.MANIFEST);
        Files.writeString(manifest, Files.readString(manifest).replace("images 13", "images 12"));
        assertRefused(out, manifest + ": fails its checksum");
        prepare(data, out, DataOptions.DEFAULT);
        IOException size = assertThrows(IOException.class, () -> Shards.open(out, 32, DataOptions.DEFAULT));
        assertTrue(size.getMessage().contains("holds 16 px images; this needs 32 px"), size.getMessage());
    }

    @Test
    void imagenetOriginalsPrepareIntoShardsThatLoadAsTheFolder() throws Exception {
        Path val = SharedData.path("imagenet-sample-full/val");
        assumeTrue(Files.isDirectory(val), val + " is not available");
        Path out = tmp.resolve("val-shards");
        Prepare.Result r = Prepare.run(val, out, 128, 2, 64, DataOptions.DEFAULT, new PrintStream(new ByteArrayOutputStream()));
        assertEquals(new Prepare.Result(200, 0, 4, 0), r);
        try (Shards shards = Shards.open(out, 128, DataOptions.DEFAULT); ImageFolder folder = ImageFolder.open(val, 128)) {
            assertEquals(200, shards.classes().size());
            List<Integer> order = new ArrayList<>(IntStream.range(0, 200).boxed().toList());
            java.util.Collections.shuffle(order, new Random(1));
            for (int from = 0; from < 200; from += 50) {
                int[] indices = order.subList(from, from + 50).stream().mapToInt(Integer::intValue).toArray();
                float[] a = new float[50 * 3 * 128 * 128], b = new float[a.length];
                folder.load(indices, a);
                shards.load(indices, b);
                assertArrayEquals(a, b, "images " + Arrays.toString(indices));
            }
        }
    }

    private static void assertRefused(Path out, String start) {
        IOException e = assertThrows(IOException.class, () -> Shards.open(out, 16, DataOptions.DEFAULT).close());
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
        assertTrue(e.getMessage().endsWith("(re-run rfsq4j prepare)"), e.getMessage());
    }

    private static void flip(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            var b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
            ch.write(b, at);
        }
    }
}
