package dev.rfsq4j.cli;

import static dev.rfsq4j.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.TrainedRuns;
import dev.rfsq4j.cli.Cli.Result;
import dev.rfsq4j.io.Npy;
import dev.rfsq4j.nn.RfsqQuantizer;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.tokens.Images;
import dev.rfsq4j.tokens.Tokenizer;
import dev.rfsq4j.tokens.Tokens;
import dev.rfsq4j.train.Checkpoint;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** rfsq4j encode / decode / quantize --checkpoint / dequantize through Main.run, on a checkpoint rfsq4j train wrote. */
@ExtendWith(NoLeaks.class)
class TokenCommandsTest {
    @TempDir
    static Path dir;
    static Path run;

    @BeforeAll
    static void train() throws Exception {
        run = TrainedRuns.train(dir, "rfsq-4x1024-ln", 2);
    }

    @Test
    void encodeThenDecodeImageFolders() throws Exception {
        Path images = Files.createDirectories(dir.resolve("photos/sub"));
        SplittableRandom random = new SplittableRandom(3);
        List<BufferedImage> originals = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            BufferedImage img = TrainedRuns.image(random, 16 + 4 * i, 16);
            originals.add(img);
            ImageIO.write(img, i % 2 == 0 ? "png" : "jpg", (i < 3 ? images : images.getParent()).resolve("img" + i
                    + (i % 2 == 0 ? ".png" : ".jpg")).toFile());
        }
        Path tokens = dir.resolve("tokens");
        Result enc = run("encode", "--checkpoint", run.toString(), "--input", dir.resolve("photos").toString(), "--out",
                tokens.toString(), "--batch", "2", "--device", "cpu");
        assertEquals(0, enc.status(), enc.err());
        assertTrue(enc.out().startsWith("5 image(s) of 16px -> " + tokens + ": 4 x 4 positions x 4 stage(s) of 10 bits"
                + " + per-image statistics"), enc.out());
        Path t0 = tokens.resolve("sub/img0.rfsqt");
        assertTrue(Files.isRegularFile(t0) && Files.isRegularFile(tokens.resolve("img3.rfsqt")), "mirrored names");
        // 48 header + 4 stages x ceil(16 x 10 / 8) bytes + 4 x 5 x 2 floats of statistics + 4 CRC
        assertEquals(48 + 4 * 20 + 4 * 5 * 2 * 4 + 4, Files.size(t0));

        try (Tokenizer tok = Tokenizer.load(run, Backend.CPU)) {
            Tokens direct = tok.encode(Files.readAllBytes(images.resolve("img0.png")));
            assertEquals(direct, tok.read(t0), "the CLI's tokens are the API's");
            Path pngs = dir.resolve("decoded");
            for (int k : new int[] {1, 4}) {
                Result dec = run("decode", "--checkpoint", run.toString(), "--input", tokens.toString(), "--out",
                        pngs.resolve("k" + k).toString(), "--stages", Integer.toString(k), "--device", "cpu");
                assertEquals(0, dec.status(), dec.err());
                assertTrue(dec.out().startsWith("5 token file(s) -> 5 PNG image(s) of 16px in " + pngs.resolve("k" + k)
                        + ", stages 1.." + k + " of 4"), dec.out());
                BufferedImage png = ImageIO.read(pngs.resolve("k" + k).resolve("sub/img0.png").toFile());
                Images expected = tok.decode(direct, k);
                assertEquals(16, png.getWidth());
                int[] rgb = png.getRGB(0, 0, 16, 16, null, 0, 16);
                assertArrayEquals(expected.image(0).getRGB(0, 0, 16, 16, null, 0, 16), rgb, "PNG of stages 1.." + k);
            }
        }
        // One file in, one token file out.
        Result single = run("encode", "--checkpoint", run.toString(), "--input", images.resolve("img2.png").toString(),
                "--out", dir.resolve("single").toString(), "--device", "cpu");
        assertEquals(0, single.status(), single.err());
        assertTrue(Files.isRegularFile(dir.resolve("single/img2.rfsqt")));
    }

    @Test
    void tokenCommandsRefuseBadInputWithOneLine() throws Exception {
        Path other = TrainedRuns.train(dir, "rfsq-2x2048-ln", 1);
        Path imgs = Files.createDirectories(dir.resolve("one"));
        ImageIO.write(TrainedRuns.image(new SplittableRandom(1), 16, 16), "png", imgs.resolve("a.png").toFile());
        Path tokens = dir.resolve("one-tokens");
        assertEquals(0, run("encode", "--checkpoint", run.toString(), "--input", imgs.toString(), "--out", tokens.toString(),
                "--device", "cpu").status());
        Result wrong = run("decode", "--checkpoint", other.toString(), "--input", tokens.toString(), "--out",
                dir.resolve("x").toString(), "--device", "cpu");
        assertEquals(1, wrong.status());
        assertTrue(wrong.err().contains("a.rfsqt: tokens of quantizer config") && wrong.err().lines().count() == 1, wrong.err());

        Path broken = dir.resolve("broken");
        Files.createDirectories(broken);
        byte[] file = Files.readAllBytes(tokens.resolve("a.rfsqt"));
        Files.write(broken.resolve("cut.rfsqt"), Arrays.copyOf(file, file.length - 3));
        Result cut = run("decode", "--checkpoint", run.toString(), "--input", broken.toString(), "--out",
                dir.resolve("y").toString(), "--device", "cpu");
        assertEquals(1, cut.status());
        assertTrue(cut.err().contains("cut.rfsqt: truncated: the header needs " + file.length + " bytes, the file has "
                + (file.length - 3)), cut.err());

        Result stages = run("decode", "--checkpoint", run.toString(), "--input", tokens.toString(), "--out",
                dir.resolve("z").toString(), "--stages", "5", "--device", "cpu");
        assertEquals(2, stages.status());
        assertTrue(stages.err().contains("--stages: must be 1..4 (the checkpoint's stages), got 5"), stages.err());
        Result notCkpt = run("encode", "--checkpoint", imgs.toString(), "--input", imgs.toString(), "--out",
                tokens.toString(), "--device", "cpu");
        assertEquals(1, notCkpt.status());
        assertTrue(notCkpt.err().contains("neither a checkpoint folder (no model.safetensors) nor a run folder"), notCkpt.err());
        Files.writeString(imgs.resolve("b.png"), "not an image");
        Result bad = run("encode", "--checkpoint", run.toString(), "--input", imgs.toString(), "--out",
                dir.resolve("w").toString(), "--device", "cpu");
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("b.png: not a PNG or JPEG image"), bad.err());
    }

    @Test
    void quantizeWithACheckpointAndDequantizeBack() throws Exception {
        float[] z = Seeds.gaussian(Seeds.random("dequantize"), 2 * 5 * 3 * 4, 1.0);
        long[] shape = {2, 5, 3, 4};
        Npy.write(dir.resolve("z.npy"), shape, z);
        Result q = run("quantize", "--checkpoint", run.toString(), "--input", dir.resolve("z.npy").toString(), "--codes",
                dir.resolve("codes.npy").toString(), "--indices", dir.resolve("idx.npy").toString(), "--stats",
                dir.resolve("stats.npy").toString(), "--device", "cpu");
        assertEquals(0, q.status(), q.err());
        assertTrue(q.out().startsWith("cpu  z (2,5,3,4)  rfsq 4x[4,4,4,4,4] layernorm/parity  40 bits/position"), q.out());
        float[] codes = Npy.readFloats(dir.resolve("codes.npy")).data();
        try (Device device = Device.open(Backend.CPU); Scope scope = Scope.open(device)) {
            Rfsq trained = ((RfsqQuantizer) Checkpoint.loadModel(run, scope).quantizer()).rfsq();
            Rfsq.Output expected = trained.quantize(scope.fromArray(z, shape));
            assertArrayEquals(expected.zhat().toFloatArray(), codes, "codes of the trained quantizer");
            assertArrayEquals(expected.indices().toIntArray(), Npy.readInts(dir.resolve("idx.npy")).data());
            float[] gammaBeta = trained.parameters().toFloatArray();
            assertFalse(gammaBeta[0] == 1f && gammaBeta[1] == 1f, "trained gamma, not the initial 1");
            for (int k = 1; k <= 4; k++) {
                Result d = run("dequantize", "--checkpoint", run.toString(), "--indices", dir.resolve("idx.npy").toString(),
                        "--stats", dir.resolve("stats.npy").toString(), "--out", dir.resolve("zhat.npy").toString(),
                        "--first-stages", Integer.toString(k), "--device", "cpu");
                assertEquals(0, d.status(), d.err());
                assertTrue(d.out().contains("stages 1.." + k + " of 4"), d.out());
                Npy.Floats zhat = Npy.readFloats(dir.resolve("zhat.npy"));
                assertArrayEquals(shape, zhat.shape());
                if (k == 4) {
                    assertArrayEquals(codes, zhat.data(), 1e-5f, "dequantize(quantize(z)) = zhat");
                }
            }
        }
        // Layernorm in parity mode without statistics: refused both ways, since its indices alone never decode.
        Result noStats = run("quantize", "--checkpoint", run.toString(), "--input", dir.resolve("z.npy").toString(),
                "--codes", dir.resolve("c.npy").toString(), "--indices", dir.resolve("i.npy").toString(), "--device", "cpu");
        assertEquals(2, noStats.status());
        assertTrue(noStats.err().contains("layernorm in parity mode needs --stats FILE"), noStats.err());
        Result noStats2 = run("dequantize", "--checkpoint", run.toString(), "--indices", dir.resolve("idx.npy").toString(),
                "--out", dir.resolve("zz.npy").toString(), "--device", "cpu");
        assertEquals(2, noStats2.status());
        assertTrue(noStats2.err().contains("layernorm in parity mode needs --stats FILE"), noStats2.err());
        Result both = run("quantize", "--checkpoint", run.toString(), "--levels", "8,8", "--input", "z.npy", "--codes",
                "c.npy", "--indices", "i.npy");
        assertEquals(2, both.status());
        assertTrue(both.err().contains("--levels comes from the checkpoint"), both.err());
        Path lfq = TrainedRuns.train(dir, "lfq-4096", 1);
        Result kind = run("quantize", "--checkpoint", lfq.toString(), "--input", dir.resolve("z.npy").toString(), "--codes",
                "c.npy", "--indices", "i.npy", "--device", "cpu");
        assertEquals(1, kind.status());
        assertTrue(kind.err().contains("quantize and dequantize take RFSQ and FSQ ones"), kind.err());
        Npy.write(dir.resolve("bad-idx.npy"), new long[] {2, 3, 4, 3}, new int[2 * 3 * 4 * 3]);
        Result badIdx = run("dequantize", "--levels", "4,4", "--stages", "4", "--strategy", "none", "--indices",
                dir.resolve("bad-idx.npy").toString(), "--out", dir.resolve("o.npy").toString(), "--device", "cpu");
        assertEquals(1, badIdx.status());
        assertTrue(badIdx.err().contains("expected int32 (B,H,W,4) for 4 stage(s)"), badIdx.err());
        int[] big = new int[2 * 3 * 4 * 4];
        big[5] = 16;
        Npy.write(dir.resolve("range.npy"), new long[] {2, 3, 4, 4}, big);
        Result range = run("dequantize", "--levels", "4,4", "--stages", "4", "--strategy", "none", "--indices",
                dir.resolve("range.npy").toString(), "--out", dir.resolve("o.npy").toString(), "--device", "cpu");
        assertEquals(1, range.status());
        assertTrue(range.err().contains("rfsq_rfsq_decode"), range.err());
    }
}
