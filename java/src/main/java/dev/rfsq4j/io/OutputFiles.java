package dev.rfsq4j.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A set of output files written all or nothing: each is written under a temporary name in its target folder
 * (same file system, so the rename is atomic) and flushed to disk; {@link #commit} renames them all into place once
 * every one is complete, and {@link #close} without a commit removes them. A failure names the target file and the
 * reason. Temporary files that a killed process left beside a target are removed the next time it is written.
 *
 * <pre>{@code
 * try (OutputFiles out = new OutputFiles()) {
 *     out.write(codes, ch -> ...);
 *     out.write(indices, ch -> ...);
 *     out.commit();
 * }
 * }</pre>
 */
public final class OutputFiles implements AutoCloseable {
    /** Writes one file's bytes into a channel opened for it. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    private static final long PID = ProcessHandle.current().pid();
    private static final Pattern TEMP = Pattern.compile("\\.(.+)\\.(\\d+)\\.(\\d+)\\.tmp");

    /** target -> its temporary file, in the order written. */
    private final Map<Path, Path> pending = new LinkedHashMap<>();
    private boolean committed;

    /**
     * Checks that target can be written (a path of a file, not a folder, in an existing folder, not already in this
     * set) before anything is written: call it for every output first so that a bad one fails before the others
     * are computed.
     */
    public static void checkWritable(Path target) throws IOException {
        if (target.toString().isEmpty()) {
            throw new IOException("an empty path names no file");
        }
        if (Files.isDirectory(target)) {
            throw new IOException(target + ": is a folder; name a file to write");
        }
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new IOException(target + ": cannot write: the folder " + dir
                    + (Files.exists(dir) ? " is not a folder" : " does not exist"));
        }
        if (!Files.isWritable(dir)) {
            throw new IOException(target + ": cannot write: permission denied in " + dir);
        }
    }

    /** Writes target's content to its temporary file (flushed to disk); target itself changes only at commit. */
    public void write(Path target, Content content) throws IOException {
        if (committed) {
            throw new IllegalStateException("this set of outputs is already committed");
        }
        Path key = target.toAbsolutePath().normalize();
        if (pending.containsKey(key)) {
            throw new IllegalArgumentException(target + " is written twice in one set of outputs");
        }
        checkWritable(target);
        removeStale(key);
        Path temp = key.resolveSibling("." + key.getFileName() + "." + PID + "." + Thread.currentThread().threadId() + ".tmp");
        pending.put(key, temp);
        // Not createTempFile: its owner-only permissions would end up on the output; this gets the umask's.
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            content.writeTo(ch);
            ch.force(true);
        } catch (IOException e) {
            throw new IOException(target + ": cannot write: " + Messages.reason(e) + " (no output was changed)", e);
        }
    }

    /** Renames every written file into place. */
    public void commit() throws IOException {
        committed = true;
        List<Path> done = new ArrayList<>();
        for (Map.Entry<Path, Path> e : pending.entrySet()) {
            try {
                Files.move(e.getValue(), e.getKey(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException x) {
                throw new IOException(e.getKey() + ": cannot replace it: " + Messages.reason(x)
                        + (done.isEmpty() ? " (no output was changed)" : " (already written: " + done + ")"), x);
            }
            done.add(e.getKey());
        }
        pending.clear();
    }

    /** Removes the temporary files of an uncommitted set. Idempotent; never throws. */
    @Override
    public void close() {
        for (Path temp : pending.values()) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // nothing more can be done; the next write of that target removes it (removeStale)
            }
        }
        pending.clear();
    }

    /** Removes temporary files of this target that a process no longer running left (a kill -9 mid-write). */
    private static void removeStale(Path target) {
        String name = target.getFileName().toString();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(target.getParent(), ".*.tmp")) {
            for (Path p : s) {
                Matcher m = TEMP.matcher(p.getFileName().toString());
                if (m.matches() && m.group(1).equals(name)) {
                    long pid = Long.parseLong(m.group(2));
                    if (pid != PID && ProcessHandle.of(pid).isEmpty()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // a best effort: a leftover temporary file is harmless
        }
    }
}
