package dev.rfsq4j.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Fashion-MNIST images (IDX format, gzipped) as float vectors of 784 pixel values 0..255. */
final class FashionMnist {
    /** Where Debian's dataset-fashion-mnist package puts the files. */
    static final Path DEBIAN = Path.of("/usr/share/datasets/fashion-mnist");

    private FashionMnist() {}

    /** split: "train" (60,000 images) or "t10k" (10,000). */
    static float[][] images(Path dir, String split) throws IOException {
        Path file = dir.resolve(split + "-images-idx3-ubyte.gz");
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
            int magic = in.readInt(), n = in.readInt(), rows = in.readInt(), cols = in.readInt();
            if (magic != 0x803 || n <= 0 || rows != 28 || cols != 28) {
                throw new IOException(file + ": not an IDX file of 28x28 images (magic " + Integer.toHexString(magic) + ")");
            }
            byte[] pixels = new byte[rows * cols];
            float[][] out = new float[n][rows * cols];
            for (int i = 0; i < n; i++) {
                in.readFully(pixels);
                for (int j = 0; j < pixels.length; j++) {
                    out[i][j] = pixels[j] & 0xFF;
                }
            }
            return out;
        }
    }
}
