package dev.rfsq4j.eval;

import java.io.PrintStream;
import java.util.Locale;

/** The evaluation's progress line: images done, bar, images/s and ETA; redrawn in place on a terminal. */
final class EvalProgress {
    private static final int WIDTH = 24;
    /** Without a terminal, a line every this many seconds at most (logs stay short). */
    private static final double LOG_INTERVAL_S = 10;
    private final PrintStream out;
    private final int total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private double lastLine = -LOG_INTERVAL_S;

    EvalProgress(PrintStream out, int total) {
        this.out = out;
        this.total = total;
        this.terminal = out == System.out && System.console() != null;
    }

    void update(int done) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (!terminal && done < total && elapsed - lastLine < LOG_INTERVAL_S) {
            return;
        }
        lastLine = elapsed;
        double rate = done / Math.max(elapsed, 1e-9);
        int filled = (int) ((long) WIDTH * done / total);
        String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
        String line = String.format(Locale.ROOT, "eval %d/%d [%s] %.1f img/s ETA %s", done, total, bar, rate,
                clock((total - done) / Math.max(rate, 1e-9)));
        if (terminal) {
            out.print("\r" + line);
            out.flush();
        } else {
            out.println(line);
        }
    }

    void finish() {
        if (terminal) {
            out.println();
        }
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
