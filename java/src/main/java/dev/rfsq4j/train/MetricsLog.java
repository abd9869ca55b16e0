package dev.rfsq4j.train;

import dev.rfsq4j.io.Messages;
import dev.rfsq4j.io.OutputFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code metrics.jsonl}: one JSON object per logged step, written as whole lines: a line that cannot be written
 * completely (a full disk) is cut off again, so the file never holds half a line. A resumed run first drops the
 * lines after its checkpoint (rewriting the file under a temporary name), so the log reads as one run.
 */
final class MetricsLog implements AutoCloseable {
    private static final Pattern STEP = Pattern.compile("^\\{\"step\":(\\d{1,18})[,}].*}$");

    private final Path file;
    private final FileChannel channel;

    /** Opens the log, keeping only whole lines of steps <= keepUpTo (0 keeps nothing). */
    MetricsLog(Path file, long keepUpTo) throws IOException {
        this.file = file;
        try {
            if (Files.exists(file)) {
                List<String> kept = Files.readAllLines(file, StandardCharsets.ISO_8859_1).stream().filter(line -> {
                    Matcher m = STEP.matcher(line);
                    return m.matches() && Long.parseLong(m.group(1)) <= keepUpTo;
                }).toList();
                try (OutputFiles out = new OutputFiles()) {
                    out.write(file, ch -> {
                        for (String line : kept) {
                            writeFully(ch, ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.ISO_8859_1)));
                        }
                    });
                    out.commit();
                }
            }
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.position(channel.size());
        } catch (IOException e) {
            throw Messages.named(file, "write the metrics log", e);
        }
    }

    /** Appends a line; fields are name, value pairs (Number, String, or double[]), step first. */
    void log(long step, Object... fields) throws IOException {
        StringBuilder line = new StringBuilder("{\"step\":").append(step);
        for (int i = 0; i < fields.length; i += 2) {
            line.append(",\"").append(fields[i]).append("\":").append(json(fields[i + 1]));
        }
        ByteBuffer bytes = ByteBuffer.wrap(line.append("}\n").toString().getBytes(StandardCharsets.UTF_8));
        long end = channel.position();
        try {
            writeFully(channel, bytes);
        } catch (IOException e) {
            try {
                channel.truncate(end).position(end); // no half line: the file stays as it was
            } catch (IOException t) {
                e.addSuppressed(t);
            }
            throw Messages.named(file, "write the metrics log", e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
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
        channel.close();
    }
}
