package dev.rfsq4j.train;

import dev.rfsq4j.internal.ProgressLine;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/** The training's progress line: step, bar, loss, learning rate, images/s and ETA (one line per logged step). */
final class Progress {
    private final PrintStream out;
    private final ProgressLine line;
    private final long first;
    private final long last;

    Progress(PrintStream out, long first, long last) {
        this.out = out;
        this.line = new ProgressLine(out, last, 0);
        this.first = first;
        this.last = last;
    }

    void update(long step, double loss, double lr, double imagesPerS) {
        line.show(String.format(Locale.ROOT, "step %d/%d [%s] loss %.4f lr %s %.1f img/s ETA %s", step, last,
                line.bar(step), loss, lr == 0 ? "0" : String.format(Locale.ROOT, "%.3g", lr), imagesPerS,
                line.eta(step - first, last - step)), true);
    }

    void finish(Path checkpoint) {
        line.end();
        out.printf(Locale.ROOT, "done in %s; checkpoint %s%n", ProgressLine.clock(line.elapsed()), checkpoint);
    }
}
