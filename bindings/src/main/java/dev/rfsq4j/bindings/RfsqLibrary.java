package dev.rfsq4j.bindings;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Loads librfsq once per JVM and resolves its symbols for {@link rfsq_h}. Hand-written: jextract makes every
 * other class of this package. The library comes from the system property {@code rfsq.library}, else the
 * environment variable {@code RFSQ_LIBRARY}, else the resources under {@value #RESOURCE_DIR} that the bindings jar
 * carries, extracted once into a per-user cache ({@link NativeCache}). librfsq needs oneDNN's {@value #ONEDNN},
 * which needs the OpenCL ICD loader {@value #OPENCL}; each finds the next beside itself (RUNPATH {@code $ORIGIN}).
 * A library whose {@code rfsq_abi_version()} differs from these bindings' {@code RFSQ_ABI_VERSION} is refused.
 */
public final class RfsqLibrary {

    static final String RESOURCE_DIR = "/native/linux-x86_64/";
    static final String ONEDNN = "libdnnl.so.3";
    static final String OPENCL = "libOpenCL.so.1";
    static final String LIBRFSQ = "librfsq.so";
    static final String FIX = "Build it with `mvn package` at the repository root (or `./rfsq4j test`), "
            + "or point RFSQ_LIBRARY (or -Drfsq.library) at a librfsq.so built from this checkout.";

    private static final Path PATH = load();
    // System.load and loaderLookup together: a missing dependency is then named in System.load's error.
    private static final SymbolLookup LOOKUP = SymbolLookup.loaderLookup();

    static {
        checkAbi();
    }

    private RfsqLibrary() {}

    /** The librfsq.so file this JVM loaded (in the native cache when it came from the class path). */
    public static Path path() {
        return PATH;
    }

    /**
     * A symbol of librfsq: the lookup of {@link rfsq_h} and of the header class of the test-only entry points
     * (rfsq_testing_h, generated into the bindings module's test-jar, in another package).
     */
    public static Optional<MemorySegment> find(String symbol) {
        return LOOKUP.find(symbol);
    }

    /** The error for a symbol that {@link #find} does not resolve. */
    public static UnsatisfiedLinkError unresolved(String symbol) {
        return new UnsatisfiedLinkError("unresolved symbol: " + symbol + " is not exported by " + PATH
                + ", so that library does not match the headers (native/include/) of these bindings. " + FIX);
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
        Path dir = NativeCache.extract(RESOURCE_DIR);
        // Dependencies first, so that a failure names the library that is really missing something.
        load(dir.resolve(OPENCL), " (the OpenCL ICD loader that oneDNN needs, from " + RESOURCE_DIR + OPENCL + ")");
        load(dir.resolve(ONEDNN), " (oneDNN, which librfsq needs, from " + RESOURCE_DIR + ONEDNN + ")");
        return load(dir.resolve(LIBRFSQ), " (from the class path resource " + RESOURCE_DIR + LIBRFSQ + ")");
    }

    private static Path load(Path path, String origin) {
        try {
            System.load(path.toString());
        } catch (UnsatisfiedLinkError e) {
            String why = e.getMessage() == null ? "" : e.getMessage();
            String hint = why.contains("failed to map segment")
                    ? " The folder " + path.getParent() + " is probably on a file system mounted noexec: set RFSQ4J_CACHE"
                            + " (or -Drfsq4j.cache) to a folder where libraries may be mapped executable."
                    : " A library it needs may be missing (`ldd " + path + "` names it), or it was built for another system.";
            var error = new UnsatisfiedLinkError("cannot load " + path + origin + ": " + why + "." + hint + " " + FIX);
            error.initCause(e);
            throw error;
        }
        return path;
    }

    /** Refuses a library built from another version of rfsq.h: its functions would be called with wrong arguments. */
    private static void checkAbi() {
        MemorySegment symbol = LOOKUP.find("rfsq_abi_version").orElseThrow(() -> unresolved("rfsq_abi_version"));
        int found;
        try {
            found = (int) Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("rfsq_abi_version() of " + PATH + " failed", t);
        }
        if (found != rfsq_h.RFSQ_ABI_VERSION()) {
            throw new UnsatisfiedLinkError(PATH + " implements ABI version " + found + " of rfsq.h, but these bindings are for"
                    + " version " + rfsq_h.RFSQ_ABI_VERSION() + ": the library and the jar come from different builds. " + FIX);
        }
    }
}
