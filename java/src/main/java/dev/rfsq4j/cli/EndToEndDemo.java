package dev.rfsq4j.cli;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.data.DefaultData;
import dev.rfsq4j.data.ImageFolder;
import dev.rfsq4j.internal.FileTrees;
import dev.rfsq4j.nn.Adam;
import dev.rfsq4j.nn.LrSchedule;
import dev.rfsq4j.report.Comparison;
import dev.rfsq4j.train.Presets;
import dev.rfsq4j.train.TrainConfig;
import dev.rfsq4j.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The demo's main job: train two presets briefly on the embedded default data set, evaluate both on its held-out
 * crops, write their reports and the comparison. Settings chosen so that a short run visibly learns (a short
 * warm-up instead of the recipe's 5000 steps).
 */
record EndToEndDemo(List<String> presets, int steps, int batch, long warmup, double lr, Backend backend, Path out) {
    /** Marks a folder as the demo's, so that a rerun may clear it (and never clears anything else). */
    private static final String MARKER = ".rfsq4j-demo";

    void run(PrintStream print) throws IOException, InterruptedException {
        long start = System.nanoTime();
        prepare();
        Path data = DefaultData.extract(out.resolve("data"));
        print.printf(Locale.ROOT, "rfsq4j demo: %s, each trained %d steps of batch %d on the %d embedded training crops (%s),"
                + " then evaluated on the %d held-out crops; writing to %s%n", String.join(" and ", presets), steps, batch,
                count(data.resolve("train")), data.resolve("SOURCES.md"), count(data.resolve("heldout")), out);
        List<Path> runs = new ArrayList<>();
        for (String preset : presets) {
            Path runDir = out.resolve(preset);
            TrainConfig config = new TrainConfig(preset, Presets.quantizer(preset), batch, steps, 128, 1234,
                    new LrSchedule(lr, warmup, 500_000), new Adam.Config(0.9, 0.999, 1e-8, 5e-5, false, 0), 1,
                    Math.max(1, steps / 20), steps);
            try (Device device = Device.open(backend)) {
                Trainer.Result result = new Trainer(config, device, ImageFolder.open(data.resolve("train"), 128), runDir, print)
                        .run(false);
                EvalCommand.evaluate(result.checkpoint(), runDir, data.resolve("heldout"), runDir.resolve("eval"), backend, 16,
                        10, null, null, print);
            }
            runs.add(runDir);
        }
        Comparison comparison = Comparison.read(runs);
        Path page = comparison.write(out.resolve("compare"));
        print.println();
        print.print(comparison.markdown());
        print.printf(Locale.ROOT, "%ndemo done in %.0f s. Open in a browser:%n", (System.nanoTime() - start) / 1e9);
        for (Path r : runs) {
            print.println("  " + r.resolve("eval").resolve("report.html").toAbsolutePath());
        }
        print.println("  " + page.toAbsolutePath());
    }

    /** Creates out, or clears an earlier demo's folders in it; refuses a non-empty folder that is not the demo's. */
    private void prepare() throws IOException {
        if (Files.isDirectory(out) && !Files.exists(out.resolve(MARKER))) {
            try (Stream<Path> s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new IOException(out + " exists and is not a demo folder: choose another --out");
                }
            }
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve(MARKER), "written by rfsq4j demo; a rerun clears this folder's demo runs\n");
        List<String> ours = new ArrayList<>(presets);
        ours.addAll(List.of("data", "compare"));
        for (String name : ours) {
            FileTrees.delete(out.resolve(name));
        }
    }

    private static int count(Path dir) throws IOException {
        return ImageFolder.open(dir, 128).count();
    }
}
