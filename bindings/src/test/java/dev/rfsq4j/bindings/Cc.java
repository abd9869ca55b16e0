package dev.rfsq4j.bindings;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the system C compiler, the programs it builds, and child JVMs, for tests that need them. */
final class Cc {

    static final String MISSING = "no C compiler 'cc' on PATH (apt-get install gcc): this check is skipped";

    private Cc() {}

    static boolean available() {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, "cc")));
    }

    /** Runs a command in dir and returns its output; a non-zero exit fails the test with that output. */
    static String run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "out", ".txt");
        Process p = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        if (!done || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + (done ? " failed:\n" : " timed out:\n") + out);
        }
        return out;
    }
}
