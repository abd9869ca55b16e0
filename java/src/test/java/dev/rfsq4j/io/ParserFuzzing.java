package dev.rfsq4j.io;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every parser fuzz target checks about one input: the parser either succeeds or throws an IOException with
 * a one-line message that starts with the file name and stays readable; anything else (another exception, an
 * Error) is a finding, and so is allocating more Java heap than a bound proportional to the input. Hangs are
 * caught by the targets' per-input timeout.
 */
final class ParserFuzzing {
    /**
     * Heap a parser may allocate for an input of n bytes: generous (the first calls of a code path also load
     * classes), but far below what trusting a size declared in the file would cost.
     */
    static long allocationBound(int n) {
        return 64L * n + (16 << 20);
    }

    /** Longest message a parser error may have. */
    static final int MAX_MESSAGE = 1000;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final Path DIR = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(
            System.getProperty("java.io.tmpdir"));

    private ParserFuzzing() {}

    @FunctionalInterface
    interface Parse {
        void run(Path file) throws IOException;
    }

    /** Runs parse once under the message checks; returns the heap it allocated. */
    private static long run(Path file, Parse parse) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            parse.run(file);
        } catch (IOException e) {
            String m = e.getMessage();
            if (m == null || !m.startsWith(file + ": ") || m.contains("\n") || m.contains("\r")
                    || m.length() > MAX_MESSAGE) {
                throw new AssertionError("the error message must be one line of at most " + MAX_MESSAGE
                        + " characters that starts with the file name, got: " + m, e);
            }
        }
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    /** Writes input to a file (in memory where /dev/shm exists) and runs parse on it under the checks above. */
    static void check(String suffix, byte[] input, Parse parse) throws IOException {
        Path file = DIR.resolve("rfsq4j-fuzz-" + ProcessHandle.current().pid() + "-" + Thread.currentThread().threadId()
                + suffix);
        Files.write(file, input);
        try {
            long allocated = run(file, parse);
            if (allocated > allocationBound(input.length)) {
                // The first run of a code path loads (and while fuzzing, instruments) classes on this thread; a
                // parser that trusts a declared size allocates again on a second run.
                allocated = run(file, parse);
            }
            if (allocated > allocationBound(input.length)) {
                throw new AssertionError("parsing " + input.length + " bytes allocated " + allocated
                        + " bytes of heap, more than the bound " + allocationBound(input.length));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
