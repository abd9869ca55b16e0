package dev.rfsq4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The shared progress line: bar, ETA before and after progress, clock, and how often a log (no terminal) gets a line. */
class ProgressLineTest {
    @Test
    void barEtaAndClock() {
        ProgressLine line = new ProgressLine(new PrintStream(new ByteArrayOutputStream()), 10, 0);
        assertFalse(line.terminal());
        assertEquals(">" + " ".repeat(23), line.bar(0));
        assertEquals("=".repeat(12) + ">" + " ".repeat(11), line.bar(5));
        assertEquals("=".repeat(24), line.bar(10));
        assertEquals("=".repeat(24), line.bar(11));
        assertEquals("-:--:--", line.eta(0, 10), "no rate yet: no number (it was 2777777:46:40)");
        assertEquals("1:01:01", ProgressLine.clock(3661.2));
        assertEquals("0:00:00", line.eta(10, 0));
    }

    @Test
    void withoutATerminalLinesAreThrottledUnlessForced() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressLine line = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), 3, 3600);
        line.show("first", false);
        line.show("second", false);
        line.show("last", true);
        line.end();
        assertEquals("first\nlast\n", bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
    }
}
