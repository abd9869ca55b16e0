package dev.rfsq4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code rfsq4j demo}, shortened (one step of two images per preset): every file it promises, and a rerun. */
@ExtendWith(NoLeaks.class)
class DemoEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void trainsEvaluatesReportsAndCompares() throws Exception {
        Path out = dir.resolve("demo");
        String[] args = {"demo", "--out", out.toString(), "--presets", "fsq-4096,rfsq-2x2048-ln", "--steps", "1", "--batch", "2",
                "--device", "cpu"};
        Cli.Result r = Cli.run(args);
        assertEquals(0, r.status(), r.err());
        assertEquals(37, count(out.resolve("data/train")));
        assertEquals(10, count(out.resolve("data/heldout")));
        assertTrue(Files.exists(out.resolve("data/SOURCES.md")));
        for (String preset : new String[] {"fsq-4096", "rfsq-2x2048-ln"}) {
            assertTrue(Files.exists(out.resolve(preset).resolve("eval/eval.json")), preset);
            assertTrue(r.out().contains(out.resolve(preset).resolve("eval/report.html").toAbsolutePath().toString()), r.out());
        }
        assertTrue(Files.exists(out.resolve("compare/compare.html")));
        assertTrue(r.out().contains("| fsq-4096 | fsq-4096 | 1 | 10 | 12 |"), r.out());
        // a rerun replaces its own folders; a folder that is not the demo's is refused
        assertEquals(0, Cli.run(args).status());
        Path other = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(other.resolve("notes.txt"), "keep me");
        args[2] = other.toString();
        Cli.Result refused = Cli.run(args);
        assertEquals(1, refused.status());
        assertTrue(refused.err().contains("is not a demo folder"), refused.err());
        assertTrue(Files.exists(other.resolve("notes.txt")));
    }

    private static long count(Path folder) throws Exception {
        try (var s = Files.list(folder)) {
            return s.count();
        }
    }
}
