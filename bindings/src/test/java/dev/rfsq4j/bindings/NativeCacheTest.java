package dev.rfsq4j.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-user native cache, exercised by fresh JVMs (the library loads once per JVM). */
final class NativeCacheTest {

    @Test
    void jvmsStartingAtOnceShareOneCompleteFolderAndLeaveNothingElse(@TempDir Path cache, @TempDir Path work) throws Exception {
        assumeFromClassPath();
        List<String> outputs = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<String>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) runs.add(pool.submit((Callable<String>) () -> load(work, cache)));
            for (Future<String> run : runs) outputs.add(run.get());
        }
        for (String out : outputs) assertTrue(out.startsWith("loaded"), out);
        assertEquals(List.of(folder(cache)), entries(cache), "cache holds one folder, no temporary ones");
        Path dir = folder(cache);
        for (String name : List.of(RfsqLibrary.LIBRFSQ, RfsqLibrary.ONEDNN, RfsqLibrary.OPENCL, "MANIFEST"))
            assertTrue(Files.isRegularFile(dir.resolve(name)), dir.resolve(name).toString());
    }

    @Test
    void aLaterJvmReusesTheFolderWithoutCopying(@TempDir Path cache, @TempDir Path work) throws Exception {
        assumeFromClassPath();
        assertTrue(load(work, cache).startsWith("loaded"));
        Path lib = folder(cache).resolve(RfsqLibrary.ONEDNN);
        Object inode = Files.getAttribute(lib, "unix:ino");
        FileTime written = Files.getLastModifiedTime(lib);
        assertTrue(load(work, cache).startsWith("loaded"));
        assertEquals(inode, Files.getAttribute(lib, "unix:ino"));
        assertEquals(written, Files.getLastModifiedTime(lib));
    }

    @Test
    void whatAKilledJvmLeftIsRemovedAndAPartialFolderIsRefilled(@TempDir Path cache, @TempDir Path work) throws Exception {
        assumeFromClassPath();
        assertTrue(load(work, cache).startsWith("loaded"));
        Path dir = folder(cache);
        Files.delete(dir.resolve(RfsqLibrary.LIBRFSQ));  // as if a JVM died mid-way through an older scheme
        Path stale = Files.createDirectory(cache.resolve(".extract-killed"));
        Files.writeString(stale.resolve(RfsqLibrary.ONEDNN), "half a library");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        String out = load(work, cache);
        assertTrue(out.startsWith("loaded"), out);
        assertFalse(Files.exists(stale), "stale extraction folder removed");
        assertTrue(Files.isRegularFile(folder(cache).resolve(RfsqLibrary.LIBRFSQ)));
    }

    @Test
    void anUnwritableCacheIsNamedWithTheFix(@TempDir Path work) throws Exception {
        assumeFromClassPath();
        String out = load(work, Path.of("/proc/rfsq4j-cannot-be-here"));
        assertTrue(out.contains("/proc/rfsq4j-cannot-be-here") && out.contains("RFSQ4J_CACHE"), out);
    }

    private static String load(Path work, Path cache) throws Exception {
        return RfsqLibraryTest.probe(work, List.of("-Drfsq4j.cache=" + cache)).strip();
    }

    private static void assumeFromClassPath() {
        assumeTrue(System.getProperty("rfsq.library", System.getenv("RFSQ_LIBRARY")) == null,
                "librfsq comes from -Drfsq.library or RFSQ_LIBRARY, not from the class path");
    }

    private static Path folder(Path cache) throws Exception {
        List<Path> folders = entries(cache).stream().filter(p -> p.getFileName().toString().startsWith("native-")).toList();
        assertEquals(1, folders.size(), "cache folders: " + folders);
        return folders.getFirst();
    }

    private static List<Path> entries(Path cache) throws Exception {
        try (Stream<Path> list = Files.list(cache)) {
            return list.sorted().toList();
        }
    }
}
