package dev.rfsq4j.bindings;

import static dev.rfsq4j.bindings.rfsq_h.C_POINTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loads the built librfsq through the bindings, and checks the messages when loading goes wrong. */
final class RfsqLibraryTest {

    @Test
    void abiVersionIsTheHeaders() {
        assertEquals(rfsq_h.RFSQ_ABI_VERSION(), rfsq_h.rfsq_abi_version(), "rfsq_abi_version() of " + RfsqLibrary.path());
    }

    @Test
    void lastErrorIsAReadableCStringNamingTheFunction() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            assertEquals(rfsq_h.RFSQ_OK(), rfsq_h.rfsq_ctx_create(rfsq_h.RFSQ_DEVICE_CPU(), out), RfsqLibraryTest::lastError);
            MemorySegment ctx = out.get(C_POINTER, 0);
            try {
                // The header asks for bytes > 0, so this must fail and say where.
                int status = rfsq_h.rfsq_alloc(ctx, 0, out);
                assertTrue(status < 0, "rfsq_alloc(ctx, 0, out) returned " + status);
                assertTrue(lastError().contains("rfsq_alloc"), "rfsq_last_error() = \"" + lastError() + "\"");
            } finally {
                assertEquals(rfsq_h.RFSQ_OK(), rfsq_h.rfsq_ctx_destroy(ctx), RfsqLibraryTest::lastError);
            }
        }
    }

    /** librfsq and oneDNN both use OpenMP: two runtimes in one process would fight over the cores (or crash). */
    @Test
    void oneOpenMpRuntimeIsLoaded() throws IOException {
        assertEquals(rfsq_h.RFSQ_ABI_VERSION(), rfsq_h.rfsq_abi_version());
        List<String> runtimes = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.contains("libgomp") || line.contains("libiomp")).map(line -> line.substring(line.indexOf('/')))
                .distinct().toList();
        assertEquals(1, runtimes.size(), "OpenMP runtimes mapped: " + runtimes);
    }

    @Test
    void oneDnnAndItsOpenClLoaderAreExtractedNextToLibrfsq() {
        assumeTrue(System.getProperty("rfsq.library", System.getenv("RFSQ_LIBRARY")) == null,
                "librfsq comes from -Drfsq.library or RFSQ_LIBRARY, not from the class path");
        for (String name : new String[] {RfsqLibrary.ONEDNN, RfsqLibrary.OPENCL}) {
            Path lib = RfsqLibrary.path().resolveSibling(name);
            assertTrue(Files.isRegularFile(lib), lib + " next to " + RfsqLibrary.path());
        }
    }

    /** The loader shipped in the jar is the one in use, whether or not the system has one. */
    @Test
    void theShippedOpenClLoaderIsTheOneMapped() throws IOException {
        assumeTrue(System.getProperty("rfsq.library", System.getenv("RFSQ_LIBRARY")) == null,
                "librfsq comes from -Drfsq.library or RFSQ_LIBRARY, not from the class path");
        assertEquals(rfsq_h.RFSQ_ABI_VERSION(), rfsq_h.rfsq_abi_version());
        List<String> loaders = Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(line -> line.contains("libOpenCL"))
                .map(line -> line.substring(line.indexOf('/'))).distinct().toList();
        assertEquals(List.of(RfsqLibrary.path().resolveSibling(RfsqLibrary.OPENCL).toString()), loaders);
    }

    @Test
    void aLibraryOfAnotherAbiVersionIsRefused(@TempDir Path dir) throws Exception {
        assumeTrue(Cc.available(), Cc.MISSING);
        Files.writeString(dir.resolve("rfsq.c"), "int rfsq_abi_version(void) { return 999; }\n");
        Cc.run(dir, List.of("cc", "-shared", "-fPIC", "-o", "librfsq.so", "rfsq.c"));
        String out = probe(dir, List.of("-Drfsq.library=" + dir.resolve("librfsq.so")));
        assertTrue(out.contains("ABI version 999") && out.contains("version " + rfsq_h.RFSQ_ABI_VERSION()), out);
    }

    @Test
    void aMissingLibraryFileIsNamedWithTheFix(@TempDir Path dir) throws Exception {
        String out = probe(dir, List.of(), "RFSQ_LIBRARY=/nonexistent/librfsq.so");
        assertTrue(out.contains("/nonexistent/librfsq.so") && out.contains("mvn package"), out);
    }

    @Test
    void aMissingDependencyIsNamed(@TempDir Path dir) throws Exception {
        assumeTrue(Cc.available(), Cc.MISSING);
        Files.writeString(dir.resolve("gone.c"), "int gone(void) { return 1; }\n");
        Files.writeString(dir.resolve("rfsq.c"), "int gone(void);\nint rfsq_abi_version(void) { return gone(); }\n");
        Cc.run(dir, List.of("cc", "-shared", "-fPIC", "-o", "libgone.so", "gone.c"));
        Cc.run(dir, List.of("cc", "-shared", "-fPIC", "-o", "librfsq.so", "rfsq.c", "-L.", "-lgone"));
        Files.delete(dir.resolve("libgone.so"));
        String out = probe(dir, List.of("-Drfsq.library=" + dir.resolve("librfsq.so")));
        assertTrue(out.contains("libgone.so") && out.contains(dir.resolve("librfsq.so").toString()), out);
    }

    @Test
    void aMissingSymbolIsNamed(@TempDir Path dir) throws Exception {
        assumeTrue(Cc.available(), Cc.MISSING);
        Files.writeString(dir.resolve("rfsq.c"), "int rfsq_abi_version(void) { return " + rfsq_h.RFSQ_ABI_VERSION() + "; }\n");
        Cc.run(dir, List.of("cc", "-shared", "-fPIC", "-o", "librfsq.so", "rfsq.c"));
        String out = probe(dir, List.of("-Drfsq.library=" + dir.resolve("librfsq.so")));
        assertTrue(out.contains("rfsq_last_error") && out.contains(dir.resolve("librfsq.so").toString()), out);
    }

    private static String lastError() {
        return rfsq_h.rfsq_last_error().getString(0);
    }

    /** Runs {@link Probe} in a fresh JVM (the library loads once per JVM) and returns what it printed. */
    static String probe(Path dir, List<String> jvmOptions, String... environment) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
        command.addAll(jvmOptions);
        command.add(Probe.class.getName());
        // env(1) sets exactly the variables the case needs, whatever the test JVM inherited.
        List<String> withEnv = new ArrayList<>(List.of("env", "-u", "RFSQ_LIBRARY"));
        withEnv.addAll(List.of(environment));
        withEnv.addAll(command);
        return Cc.run(dir, withEnv);
    }

    static final class Probe {
        public static void main(String[] args) {
            try {
                System.out.println("loaded " + rfsq_h.rfsq_last_error().getString(0));
            } catch (Throwable t) {
                System.out.println(t);
            }
        }
    }
}
