package dev.rfsq4j.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Files that appear whole or not at all: written under a temporary name, flushed to disk, renamed into place. */
final class AtomicFiles {
    /** The suffix of temporary files; a folder's leftovers of a killed run can be recognized and removed. */
    static final String TEMP_SUFFIX = ".tmp";

    private AtomicFiles() {}

    /** The temporary name of file: beside it, so that the rename stays on one file system. */
    static Path temp(Path file) {
        return file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
    }

    static void write(Path file, byte[] bytes) throws IOException {
        Path tmp = temp(file);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException(file + ": cannot write: " + e.getMessage(), e);
        }
        commit(tmp, file);
    }

    /** Renames a complete, flushed temporary file into place (replacing any old file) and flushes the folder. */
    static void commit(Path tmp, Path file) throws IOException {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true); // the rename itself reaches the disk
        } catch (IOException e) {
            // some file systems cannot flush a folder; the rename is still atomic
        }
    }
}
