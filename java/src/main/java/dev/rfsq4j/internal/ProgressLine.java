package dev.rfsq4j.internal;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress line of train, eval and prepare: redrawn in place on a terminal, printed as a new line otherwise
 * (at most one per {@code logIntervalS} there, so logs stay short). Each command formats its own fields around
 * the shared bar, clock and ETA.
 */
public final class ProgressLine {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final long total;
    private final double logIntervalS;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private double lastLine = Double.NEGATIVE_INFINITY;

    public ProgressLine(PrintStream out, long total, double logIntervalS) {
        this.out = out;
        this.total = Math.max(total, 1);
        this.logIntervalS = logIntervalS;
        this.terminal = out == System.out && System.console() != null;
    }

    public boolean terminal() {
        return terminal;
    }

    /** Seconds since this line was made. */
    public double elapsed() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** {@code =====>     } for done of total. */
    public String bar(long done) {
        int filled = (int) Math.min(WIDTH, WIDTH * Math.max(done, 0) / total);
        return "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
    }

    /** Time left at the rate so far (progressed units in elapsed(), remaining to go); dashes before any progress. */
    public String eta(long progressed, long remaining) {
        return progressed <= 0 ? "-:--:--" : clock(remaining * elapsed() / progressed);
    }

    /** Shows line now on a terminal; otherwise prints it if force or the log interval has passed. */
    public void show(String line, boolean force) {
        if (terminal) {
            out.print("\r" + line);
            out.flush();
            return;
        }
        double now = elapsed();
        if (force || now - lastLine >= logIntervalS) {
            lastLine = now;
            out.println(line);
        }
    }

    /** Ends a redrawn line, so what follows starts on a line of its own. */
    public void end() {
        if (terminal) {
            out.println();
        }
    }

    /** h:mm:ss of a duration in seconds. */
    public static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
