package dev.rfsq4j.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opening a file to read, with the file named in the error (the readers' messages all start with it). */
final class ReadChannel {
    private ReadChannel() {}

    static FileChannel open(Path file) throws IOException {
        if (file.toString().isEmpty()) {
            throw new IOException("an empty path names no file");
        }
        if (Files.isDirectory(file)) { // Linux opens a folder for reading; only the first read would fail
            throw new IOException(file + ": is a folder, not a file");
        }
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (IOException e) {
            throw new IOException(file + ": cannot open: " + Messages.reason(e), e);
        }
    }
}
