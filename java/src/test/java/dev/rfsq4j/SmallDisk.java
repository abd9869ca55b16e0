package dev.rfsq4j;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real full disk for a test: a tmpfs of a few KiB mounted on a folder (needs root, as in CI). Where mounting is
 * not permitted the calling test is skipped, saying so.
 */
public final class SmallDisk implements AutoCloseable {
    private final Path dir;

    private SmallDisk(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of kib KiB (whole 4 KiB pages) on dir (created if missing). */
    public static SmallDisk mount(Path dir, int kib) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String out = run("mount", "-t", "tmpfs", "-o", "size=" + kib + "k", "tmpfs", dir.toString());
        assumeTrue(out == null, "cannot mount a small tmpfs to fill (needs root and mount permission): " + out
                + ": full-disk case skipped");
        return new SmallDisk(dir);
    }

    public Path path() {
        return dir;
    }

    /** Writes junk until the disk is full, leaving about keepFree bytes (whole pages) free. */
    public void fill(long keepFree) throws IOException {
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free > keepFree) {
            Files.write(dir.resolve("filler"), new byte[(int) (free - keepFree)]);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        String out = run("umount", dir.toString());
        for (int i = 0; out != null && i < 10; i++) { // a file mapped by a reader stays mapped until a GC unmaps it
            System.gc();
            Thread.sleep(100);
            out = run("umount", dir.toString());
        }
        if (out != null) {
            throw new IOException("umount " + dir + ": " + out);
        }
    }

    /** Runs a command; null when it succeeds, else its output. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", command) + " timed out";
        }
        return p.exitValue() == 0 ? null : (out.isEmpty() ? "exit " + p.exitValue() : out);
    }
}
