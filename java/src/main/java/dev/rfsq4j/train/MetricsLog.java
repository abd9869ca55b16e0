package dev.rfsq4j.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code metrics.jsonl}: one JSON object per logged step. A resumed run first drops the lines after its checkpoint,
 * so the log reads as one run.
 */
final class MetricsLog implements AutoCloseable {
    private static final Pattern STEP = Pattern.compile("^\\{\"step\":(\\d+)[,}]");

    private final BufferedWriter writer;

    /** Opens the log, keeping only lines of steps <= keepUpTo (0 keeps nothing). */
    MetricsLog(Path file, long keepUpTo) throws IOException {
        if (Files.exists(file)) {
            List<String> kept = Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(line -> {
                Matcher m = STEP.matcher(line);
                return m.find() && Long.parseLong(m.group(1)) <= keepUpTo;
            }).toList();
            Files.write(file, kept, StandardCharsets.UTF_8);
        }
        this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Appends a line; fields are name, value pairs (Number, String, or double[]), step first. */
    void log(long step, Object... fields) throws IOException {
        StringBuilder line = new StringBuilder("{\"step\":").append(step);
        for (int i = 0; i < fields.length; i += 2) {
            line.append(",\"").append(fields[i]).append("\":").append(json(fields[i + 1]));
        }
        writer.write(line.append('}').toString());
        writer.newLine();
        writer.flush();
    }

    private static String json(Object v) {
        if (v instanceof double[] a) {
            StringBuilder s = new StringBuilder("[");
            for (int i = 0; i < a.length; i++) {
                s.append(i == 0 ? "" : ",").append(number(a[i]));
            }
            return s.append(']').toString();
        }
        if (v instanceof Double d) {
            return number(d);
        }
        if (v instanceof Number n) {
            return n.toString();
        }
        return "\"" + v.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** JSON has no NaN or Infinity: those become null. */
    private static String number(double d) {
        return Double.isFinite(d) ? String.format(Locale.ROOT, "%.7g", d) : "null";
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
