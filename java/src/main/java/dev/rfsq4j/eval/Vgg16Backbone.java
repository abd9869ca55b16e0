package dev.rfsq4j.eval;

import dev.rfsq4j.Tensor;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.io.TorchCheckpoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The weights of VGG16's 13 convolutions as torchvision names them ({@code features.N.weight} (out, in, 3, 3) and
 * {@code features.N.bias}), read from a file the user names: torchvision's {@code vgg16-397923af.pth} (a PyTorch
 * checkpoint, legacy or zip format, read by {@link TorchCheckpoint} without running code), or a safetensors file
 * with those names. Other tensors (the classifier) are not read. A torchvision-style name {@code name-<hex>.ext}
 * carries the first hex digits of the file's sha256 (torch.hub's check_hash): they are verified.
 */
final class Vgg16Backbone {
    /** One convolution: its index in torchvision's vgg16().features and its channels. */
    record Conv(int index, int in, int out) {
        String weight() {
            return "features." + index + ".weight";
        }

        String bias() {
            return "features." + index + ".bias";
        }
    }

    /** torchvision's VGG16 features up to relu5_3 (what LPIPS uses); a 2x2 max-pool follows 2, 7, 14 and 21. */
    static final List<Conv> CONVS = List.of(new Conv(0, 3, 64), new Conv(2, 64, 64), new Conv(5, 64, 128),
            new Conv(7, 128, 128), new Conv(10, 128, 256), new Conv(12, 256, 256), new Conv(14, 256, 256),
            new Conv(17, 256, 512), new Conv(19, 512, 512), new Conv(21, 512, 512), new Conv(24, 512, 512),
            new Conv(26, 512, 512), new Conv(28, 512, 512));

    /** torch.hub's HASH_REGEX, -([a-f0-9]*)\., with at least 8 digits to count as a hash. */
    private static final Pattern HASH = Pattern.compile("-([a-f0-9]{8,64})\\.");

    /** The weights by name, and how the file was checked. */
    record Weights(Map<String, float[]> tensors, String description) {}

    private Vgg16Backbone() {}

    static Weights read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file (LPIPS needs torchvision's VGG16 weights, vgg16-397923af.pth,"
                    + " or a safetensors file of them)");
        }
        String verified = verifyHash(file);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        String format;
        if (isSafetensors(file)) {
            SafeTensors st = SafeTensors.read(file);
            format = "safetensors";
            for (Conv c : CONVS) {
                for (String name : List.of(c.weight(), c.bias())) {
                    if (!st.contains(name)) {
                        throw missing(file, name, st.names().size());
                    }
                    check(file, name, st.shape(name), c);
                    if (!st.dtype(name).equals("F32")) {
                        throw new IOException(file + ": " + name + " is " + st.dtype(name) + ", not F32");
                    }
                    tensors.put(name, st.floats(name));
                }
            }
        } else {
            try (TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
                format = "PyTorch " + ckpt.format() + " checkpoint";
                for (Conv c : CONVS) {
                    for (String name : List.of(c.weight(), c.bias())) {
                        if (!ckpt.contains(name)) {
                            throw missing(file, name, ckpt.names().size());
                        }
                        check(file, name, ckpt.shape(name), c);
                        tensors.put(name, ckpt.floats(name));
                    }
                }
            }
        }
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            for (float v : e.getValue()) {
                if (!Float.isFinite(v)) {
                    throw new IOException(file + ": " + e.getKey() + " holds NaN or Inf values: damaged weights");
                }
            }
        }
        return new Weights(tensors, file.getFileName() + " (" + format + ", " + verified + ")");
    }

    private static void check(Path file, String name, long[] shape, Conv c) throws IOException {
        long[] expected = name.endsWith("weight") ? new long[] {c.out(), c.in(), 3, 3} : new long[] {c.out()};
        if (!Arrays.equals(shape, expected)) {
            throw new IOException(file + ": " + name + " has shape " + Tensor.shapeString(shape) + ", VGG16's is "
                    + Tensor.shapeString(expected) + ": not torchvision's VGG16");
        }
    }

    private static IOException missing(Path file, String name, int count) {
        return new IOException(file + ": no tensor " + name + " among its " + count
                + " (expected torchvision's VGG16 state_dict: features.0.weight ... features.28.bias)");
    }

    /** Checks the sha256 prefix a torchvision-style name carries; says what was checked. */
    private static String verifyHash(Path file) throws IOException {
        Matcher m = HASH.matcher(file.getFileName().toString());
        if (!m.find()) {
            return "no sha256 prefix in its name to verify";
        }
        String prefix = m.group(1);
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file");
        }
        String digest = HexFormat.of().formatHex(sha.digest());
        if (!digest.startsWith(prefix)) {
            throw new IOException(file + ": its sha256 is " + digest.substring(0, prefix.length()) + "..., its name says "
                    + prefix + ": the file is damaged or not the one named (download it again)");
        }
        return "sha256 prefix " + prefix + " verified";
    }

    /** A safetensors file starts with an 8-byte header length and its JSON object. */
    private static boolean isSafetensors(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(9);
            return head.length == 9 && head[8] == '{';
        }
    }
}
