package dev.rfsq4j.bindings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The native libraries of the bindings jar, extracted once per content into a per-user cache and reused by every
 * later JVM: {@code $RFSQ4J_CACHE} (or {@code -Drfsq4j.cache}), else {@code $XDG_CACHE_HOME/rfsq4j}, else
 * {@code ~/.cache/rfsq4j}. The build writes a {@code MANIFEST} beside the libraries ("sha256 size name" per line);
 * its hash names the folder {@code native-<hash>}. A folder is filled under a temporary name, checked against the
 * manifest, and renamed into place, so JVMs starting at once (or one killed mid-way) never see a partial folder;
 * the loser of a race drops its copy. A library unchanged since an earlier build is hard-linked, not copied again,
 * and only the {@value #KEEP} most recently used folders are kept.
 */
final class NativeCache {

    static final int KEEP = 3;
    private static final String PREFIX = "native-";
    private static final Duration STALE = Duration.ofHours(1);

    private record Entry(String sha256, long size, String name) {}

    private NativeCache() {}

    /** The cache folder holding every library that {@code resourceDir}'s MANIFEST lists. */
    static Path extract(String resourceDir) {
        byte[] manifest = resource(resourceDir + "MANIFEST");
        List<Entry> entries = parse(manifest, resourceDir);
        Path root = root();
        Path dir = root.resolve(PREFIX + hex(sha256(manifest)).substring(0, 16));
        try {
            if (!complete(dir, entries)) {
                createPrivate(root);
                fill(root, dir, resourceDir, entries, manifest);
            }
            Files.setLastModifiedTime(dir, FileTime.from(Instant.now()));  // most recently used: kept by prune
            prune(root, dir);
            return dir;
        } catch (IOException | UncheckedIOException e) {
            var error = new UnsatisfiedLinkError("cannot extract the native libraries of " + resourceDir + " into " + root
                    + ": " + e + ". Set RFSQ4J_CACHE (or -Drfsq4j.cache) to a writable folder with ~100 MB free, or set"
                    + " RFSQ_LIBRARY to a librfsq.so.");
            error.initCause(e);
            throw error;
        }
    }

    static Path root() {
        String explicit = System.getProperty("rfsq4j.cache", System.getenv("RFSQ4J_CACHE"));
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit).toAbsolutePath();
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "rfsq4j").toAbsolutePath();
        return Path.of(System.getProperty("user.home"), ".cache", "rfsq4j");
    }

    private static void fill(Path root, Path dir, String resourceDir, List<Entry> entries, byte[] manifest) throws IOException {
        Path tmp = Files.createTempDirectory(root, ".extract-");
        try {
            for (Entry e : entries) {
                Path file = tmp.resolve(e.name());
                if (!linkedFromSibling(root, e, file)) copy(resourceDir, e, file);
            }
            Files.write(tmp.resolve("MANIFEST"), manifest);
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileSystemException taken) {
                if (complete(dir, entries)) return;  // another JVM put a complete copy there first
                // An incomplete folder (a file deleted by hand, a disk that filled): move it aside, then take its place.
                Path aside = root.resolve(".extract-broken-" + System.nanoTime());
                try {
                    Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
                    deleteTree(aside);
                } catch (NoSuchFileException movedByAnotherJvm) {
                    // it did the same
                }
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileSystemException again) {
                    if (!complete(dir, entries)) throw again;
                }
            }
        } finally {
            deleteTree(tmp);  // nothing left when the move happened
        }
    }

    /** Copies a resource, checking its size and sha256 against the manifest. */
    private static void copy(String resourceDir, Entry e, Path file) throws IOException {
        MessageDigest md = newSha256();
        try (InputStream raw = NativeCache.class.getResourceAsStream(resourceDir + e.name())) {
            if (raw == null) throw missing(resourceDir + e.name());
            try (var in = new DigestInputStream(raw, md)) {
                Files.copy(in, file);
            }
        }
        String sha = hex(md.digest());
        long size = Files.size(file);
        if (!sha.equals(e.sha256()) || size != e.size()) {
            throw new IOException(resourceDir + e.name() + " does not match its MANIFEST line (sha256 " + sha + ", " + size
                    + " bytes): the jar is corrupt or was repacked");
        }
    }

    /** Hard-links a library that an older cache folder already holds with the same content. */
    private static boolean linkedFromSibling(Path root, Entry e, Path file) throws IOException {
        for (Path sibling : siblings(root)) {
            Path candidate = sibling.resolve(e.name());
            if (!Files.isRegularFile(candidate) || Files.size(candidate) != e.size()) continue;
            List<Entry> theirs;
            try {
                theirs = parse(Files.readAllBytes(sibling.resolve("MANIFEST")), sibling.toString());
            } catch (IOException | IllegalStateException unreadable) {
                continue;
            }
            if (!theirs.contains(e)) continue;
            try {
                Files.createLink(file, candidate);
                return true;
            } catch (IOException | UnsupportedOperationException noLinks) {
                return false;
            }
        }
        return false;
    }

    /** Keeps the {@value #KEEP} most recently used folders and removes what killed JVMs left mid-extraction. */
    private static void prune(Path root, Path current) {
        Instant staleBefore = Instant.now().minus(STALE);
        try (Stream<Path> list = Files.list(root)) {
            for (Path p : list.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".extract-") && modified(p).isBefore(staleBefore)) deleteTree(p);
            }
            List<Path> folders = siblings(root);
            folders.sort(Comparator.comparing(NativeCache::modified).reversed());
            for (Path p : folders.subList(Math.min(KEEP, folders.size()), folders.size())) {
                // A folder in use by a running JVM may go: its libraries stay mapped. Recently used ones stay.
                if (!p.equals(current) && modified(p).isBefore(staleBefore)) deleteTree(p);
            }
        } catch (IOException | UncheckedIOException ignored) {
            // Pruning is housekeeping: a failure leaves an old folder behind, nothing worse.
        }
    }

    private static boolean complete(Path dir, List<Entry> entries) throws IOException {
        if (!Files.isDirectory(dir)) return false;
        for (Entry e : entries) {
            Path f = dir.resolve(e.name());
            if (!Files.isRegularFile(f) || Files.size(f) != e.size()) return false;
        }
        return true;
    }

    private static List<Path> siblings(Path root) throws IOException {
        try (Stream<Path> list = Files.list(root)) {
            return new ArrayList<>(list.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isDirectory(p)).toList());
        }
    }

    private static List<Entry> parse(byte[] manifest, String where) {
        List<Entry> entries = new ArrayList<>();
        for (String line : new String(manifest, StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.trim().split(" ");
            if (f.length != 3 || f[0].length() != 64 || f[2].contains("/") || f[2].startsWith(".")) {
                throw new IllegalStateException("malformed MANIFEST line in " + where + ": \"" + line + "\"");
            }
            entries.add(new Entry(f[0], Long.parseLong(f[1]), f[2]));
        }
        return entries;
    }

    private static byte[] resource(String name) {
        try (InputStream in = NativeCache.class.getResourceAsStream(name)) {
            if (in == null) throw missing(name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static UnsatisfiedLinkError missing(String name) {
        return new UnsatisfiedLinkError("cannot load librfsq: the class path has no " + name
                + " (the rfsq4j-bindings jar was built without it, or this system is " + System.getProperty("os.name") + "/"
                + System.getProperty("os.arch") + ", not linux/amd64). " + RfsqLibrary.FIX);
    }

    private static void createPrivate(Path root) throws IOException {
        if (Files.isDirectory(root)) return;
        Files.createDirectories(root.getParent());
        try {
            Files.createDirectory(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException raced) {
            // another JVM made it
        }
    }

    private static Instant modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: a later JVM's prune retries
        }
    }

    private static byte[] sha256(byte[] data) {
        return newSha256().digest(data);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
