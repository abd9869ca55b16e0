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
 */
public final class RfsqLibrary {

    static final String RESOURCE = "/native/linux-x86_64/librfsq.so";
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
        boolean extracted = explicit == null || explicit.isBlank();
        Path path = extracted ? extract() : Path.of(explicit).toAbsolutePath();
        if (!extracted && !Files.isRegularFile(path)) {
            throw new UnsatisfiedLinkError("cannot load librfsq: " + path
                    + " (from -Drfsq.library or RFSQ_LIBRARY) is not a file. " + FIX);
        }
        try {
            System.load(path.toString());
        } catch (UnsatisfiedLinkError e) {
            String origin = extracted ? " (extracted from the class path resource " + RESOURCE + ")" : "";
            var error = new UnsatisfiedLinkError("cannot load " + path + origin + ": " + e.getMessage()
                    + ". A library it needs may be missing (`ldd` names it) or it was built for another system. " + FIX);
            error.initCause(e);
            throw error;
        }
        return path;
    }

    private static Path extract() {
        try (InputStream in = RfsqLibrary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("cannot load librfsq: the class path has no " + RESOURCE
                        + " (the rfsq4j-bindings jar was built without it, or this system is "
                        + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                        + ", not linux/amd64). " + FIX);
            }
            Path file = Files.createTempFile("librfsq", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            var error = new UnsatisfiedLinkError("cannot extract " + RESOURCE + " to a temporary file: " + e
                    + ". Free space in java.io.tmpdir (" + System.getProperty("java.io.tmpdir") + ") or set RFSQ_LIBRARY.");
            error.initCause(e);
            throw error;
        }
    }
}
