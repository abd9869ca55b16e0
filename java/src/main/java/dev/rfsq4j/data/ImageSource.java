package dev.rfsq4j.data;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The images of a training or evaluation run, by index: a folder of PNG/JPEG files decoded on the fly
 * ({@link ImageFolder}), or the shards {@code rfsq4j prepare} wrote from such a folder ({@link Shards}). Both
 * give bit-identical batches for the same indices: image i of the shards is image i of the folder (sorted by
 * relative path), decoded the same way.
 *
 * <p>Every image comes out as torchvision's {@code Compose([Resize(S), CenterCrop(S), ToTensor()])} makes it from
 * a PIL image: S x S RGB, float32 CHW in [0, 1] (the 8-bit value / 255). An image file that cannot be used is
 * skipped: its slot holds the next usable image by index (wrapping), so a batch stays full and a function of its
 * indices; {@link #skipped()} lists them. With {@link DataOptions#strict()} the load fails instead, naming the
 * file. Damaged shards are always refused, naming the shard.
 *
 * <p>Safe for concurrent {@code load} calls. Close it to unmap shards (folders hold nothing).
 */
public sealed interface ImageSource extends AutoCloseable permits ImageFolder, Shards {
    /**
     * Opens shards when data is a folder holding {@value Shards#MANIFEST} (what {@code rfsq4j prepare} writes), else
     * an image folder (searched recursively); fails clearly when it is neither, or when shards hold another size.
     */
    static ImageSource open(Path data, int size, DataOptions options) throws IOException {
        if (Shards.isShards(data)) {
            return Shards.open(data, size, options);
        }
        if (Files.isDirectory(data) && Files.isRegularFile(data.resolve("shard-00000.rfsq"))) {
            throw new IOException(data + " holds shards of an unfinished rfsq4j prepare (no " + Shards.MANIFEST
                    + "): run the same rfsq4j prepare again to finish it");
        }
        return ImageFolder.open(data, size, options);
    }

    int count();

    /** S: images are S x S. */
    int imageSize();

    /** Image index's file, relative to the folder (with '/'), e.g. {@code n01440764/n01440764_10026.JPEG}. */
    String name(int index);

    /**
     * Image index's class: its position in {@link #classes()} when the images sit in class folders (ImageNet's
     * {@code train/<wnid>/*.JPEG}), -1 when they lie directly in the folder.
     */
    int label(int index);

    /** The class folders' names, sorted; empty for a flat folder. */
    List<String> classes();

    /**
     * Writes images indices[i] to out as float32 (n, 3, S, S), CHW, values in [0, 1], out a native segment of exactly
     * n * 3 * S * S * 4 bytes; augments image i with (augment, step, i). Returns the image each slot holds: indices[i],
     * or the substitute of a skipped image. Decodes in parallel on a shared pool.
     */
    int[] load(int[] indices, MemorySegment out, Augment augment, long step) throws IOException;

    /** {@link #load(int[], MemorySegment, Augment, long)} without augmentation. */
    default int[] load(int[] indices, MemorySegment out) throws IOException {
        return load(indices, out, Augment.NONE, 0);
    }

    /** {@link #load(int[], MemorySegment)} into a float array. */
    default int[] load(int[] indices, float[] out) throws IOException {
        try (Arena arena = Arena.ofShared()) { // the pool's threads write into it
            MemorySegment floats = arena.allocate((long) out.length * Float.BYTES, 64);
            int[] used = load(indices, floats);
            MemorySegment.copy(floats, ValueLayout.JAVA_FLOAT, 0, out, 0, out.length);
            return used;
        }
    }

    /**
     * Why each image skipped so far by a load was skipped (a message that names the file), in index order; for
     * shards, the images {@code prepare} could not decode, once a load has met them.
     */
    List<String> skipped();

    /** One line for logs: what the data is, its size, and how it is decoded. */
    String describe();

    @Override
    void close();
}
