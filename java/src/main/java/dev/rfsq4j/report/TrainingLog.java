package dev.rfsq4j.report;

import dev.rfsq4j.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A run's metrics.jsonl as columns: one entry per logged step; unreadable lines are counted, not fatal. */
record TrainingLog(double[] step, double[] loss, double[] lr, double[] imagesPerS, double[][] residualNorms,
        double[][] usage, int badLines) {

    /** Reads file; an empty log when it does not exist. */
    static TrainingLog read(Path file) throws IOException {
        List<Map<?, ?>> rows = new ArrayList<>();
        int bad = 0;
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    if (Json.parse(line) instanceof Map<?, ?> row && row.get("step") instanceof Number) {
                        rows.add(row);
                        continue;
                    }
                } catch (Json.SyntaxException e) {
                    // counted below
                }
                bad++;
            }
        }
        int n = rows.size();
        int stages = n == 0 ? 0 : list(rows.get(0), "residual_norms").length;
        int usageStages = n == 0 ? 0 : list(rows.get(0), "usage").length;
        double[] step = new double[n], loss = new double[n], lr = new double[n], ips = new double[n];
        double[][] rnorm = new double[stages][n], usage = new double[usageStages][n];
        for (int i = 0; i < n; i++) {
            Map<?, ?> row = rows.get(i);
            step[i] = number(row, "step");
            loss[i] = number(row, "loss");
            lr[i] = number(row, "lr");
            ips[i] = number(row, "images_per_s");
            double[] r = list(row, "residual_norms"), u = list(row, "usage");
            for (int k = 0; k < stages; k++) {
                rnorm[k][i] = k < r.length ? r[k] : Double.NaN;
            }
            for (int k = 0; k < usageStages; k++) {
                usage[k][i] = k < u.length ? u[k] : Double.NaN;
            }
        }
        return new TrainingLog(step, loss, lr, ips, rnorm, usage, bad);
    }

    boolean isEmpty() {
        return step.length == 0;
    }

    private static double number(Map<?, ?> row, String key) {
        return row.get(key) instanceof Number v ? v.doubleValue() : Double.NaN;
    }

    private static double[] list(Map<?, ?> row, String key) {
        if (!(row.get(key) instanceof List<?> values)) {
            return new double[0];
        }
        return values.stream().mapToDouble(v -> v instanceof Number x ? x.doubleValue() : Double.NaN).toArray();
    }
}
