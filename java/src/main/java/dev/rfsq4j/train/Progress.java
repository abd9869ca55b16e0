package dev.rfsq4j.train;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/** The progress line: step, bar, loss, learning rate, images/s and ETA; redrawn in place on a terminal. */
final class Progress {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final long first;
    private final long last;
    private final boolean terminal;
    private final long start = System.nanoTime();

    Progress(PrintStream out, long first, long last) {
        this.out = out;
        this.first = first;
        this.last = last;
        this.terminal = out == System.out && System.console() != null;
    }

    void update(long step, double loss, double lr, double imagesPerS) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        double eta = (last - step) * elapsed / Math.max(1, step - first);
        int filled = (int) (WIDTH * step / last);
        String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
        String line = String.format(Locale.ROOT, "step %d/%d [%s] loss %.4f lr %s %.1f img/s ETA %s", step, last, bar,
                loss, lr == 0 ? "0" : String.format(Locale.ROOT, "%.3g", lr), imagesPerS, clock(eta));
        if (terminal) {
            out.print("\r" + line);
            out.flush();
        } else {
            out.println(line);
        }
    }

    void finish(Path checkpoint) {
        if (terminal) {
            out.println();
        }
        out.printf(Locale.ROOT, "done in %s; checkpoint %s%n", clock((System.nanoTime() - start) / 1e9), checkpoint);
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
