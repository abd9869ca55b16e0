package dev.rfsq4j.bindings;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Loads librfsq once per JVM and resolves its symbols for {@link rfsq_h}. Hand-written: jextract makes every
 * other class of this package. The library comes from the system property {@code rfsq.library}, else the
 * environment variable {@code RFSQ_LIBRARY}, else the resource {@value #RESOURCE} that the bindings jar carries.
 * librfsq needs oneDNN's {@value #ONEDNN}, which it finds next to itself (RUNPATH {@code $ORIGIN}): the jar carries
 * both, and both are extracted into one temporary directory.
 */
public final class RfsqLibrary {

    static final String RESOURCE_DIR = "/native/linux-x86_64/";
    static final String RESOURCE = RESOURCE_DIR + "librfsq.so";
    static final String ONEDNN = "libdnnl.so.3";
    private static final String FIX = "Build it with `mvn package` at the repository root (or `./rfsq4j test`), "
            + "or point RFSQ_LIBRARY (or -Drfsq.library) at a librfsq.so built from this checkout.";

    private static final Path PATH = load();
    // System.load and loaderLookup together: a missing dependency is then named in System.load's error.
    private static final SymbolLookup LOOKUP = SymbolLookup.loaderLookup();

    private RfsqLibrary() {}

    /** The librfsq.so file this JVM loaded (a temporary copy when it came from the class path). */
    public static Path path() {
        return PATH;
    }

    static Optional<MemorySegment> find(String symbol) {
        return LOOKUP.find(symbol);
    }

    static UnsatisfiedLinkError unresolved(String symbol) {
        return new UnsatisfiedLinkError("unresolved symbol: " + symbol + " is not exported by " + PATH
                + ", so that library does not match native/include/rfsq.h of these bindings. " + FIX);
    }

    private static Path load() {
        String explicit = System.getProperty("rfsq.library", System.getenv("RFSQ_LIBRARY"));
        if (explicit != null && !explicit.isBlank()) {
            Path path = Path.of(explicit).toAbsolutePath();
            if (!Files.isRegularFile(path)) {
                throw new UnsatisfiedLinkError("cannot load librfsq: " + path
                        + " (from -Drfsq.library or RFSQ_LIBRARY) is not a file. " + FIX);
            }
            return load(path, "");
        }
        Path dir = extractAll();
        // oneDNN first, so that librfsq finds it already loaded (and a failure names oneDNN's own missing needs).
        load(dir.resolve(ONEDNN), " (oneDNN, which librfsq needs; extracted from the class path resource " + RESOURCE_DIR + ONEDNN + ")");
        return load(dir.resolve("librfsq.so"), " (extracted from the class path resource " + RESOURCE + ")");
    }

    private static Path load(Path path, String origin) {
        try {
            System.load(path.toString());
        } catch (UnsatisfiedLinkError e) {
            var error = new UnsatisfiedLinkError("cannot load " + path + origin + ": " + e.getMessage()
                    + ". A library it needs may be missing (`ldd " + path + "` names it; oneDNN's libOpenCL.so.1 comes with"
                    + " the package ocl-icd-libopencl1), or it was built for another system. " + FIX);
            error.initCause(e);
            throw error;
        }
        return path;
    }

    /** Copies librfsq.so and libdnnl.so.3 from the class path into one new temporary directory. */
    private static Path extractAll() {
        try {
            Path dir = Files.createTempDirectory("rfsq4j-native");
            dir.toFile().deleteOnExit();  // registered first, so deleted last (after its files)
            for (String name : new String[] {ONEDNN, "librfsq.so"}) {
                try (InputStream in = RfsqLibrary.class.getResourceAsStream(RESOURCE_DIR + name)) {
                    if (in == null) {
                        throw new UnsatisfiedLinkError("cannot load librfsq: the class path has no " + RESOURCE_DIR + name
                                + " (the rfsq4j-bindings jar was built without it, or this system is "
                                + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                                + ", not linux/amd64). " + FIX);
                    }
                    Path file = dir.resolve(name);
                    file.toFile().deleteOnExit();
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return dir;
        } catch (IOException e) {
            var error = new UnsatisfiedLinkError("cannot extract librfsq.so and " + ONEDNN + " from " + RESOURCE_DIR
                    + " to a temporary directory: " + e + ". Free space in java.io.tmpdir ("
                    + System.getProperty("java.io.tmpdir") + ") or set RFSQ_LIBRARY.");
            error.initCause(e);
            throw error;
        }
    }
}
