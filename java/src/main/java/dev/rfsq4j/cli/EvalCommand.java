package dev.rfsq4j.cli;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.Scope;
import dev.rfsq4j.eval.EvalSet;
import dev.rfsq4j.eval.Evaluation;
import dev.rfsq4j.eval.Evaluator;
import dev.rfsq4j.eval.InputRange;
import dev.rfsq4j.eval.Lpips;
import dev.rfsq4j.nn.ImageNormalization;
import dev.rfsq4j.report.Report;
import dev.rfsq4j.train.TrainedModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code rfsq4j eval}: reconstruct a folder of images with a trained checkpoint, measure, write eval.json and report.html. */
final class EvalCommand implements Command {
    private static final Set<String> OPTIONS = Set.of("run", "checkpoint", "data", "out", "device", "lpips-backbone", "batch",
            "preset", "samples");

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "evaluate a trained checkpoint on a folder of images: eval.json and report.html";
    }

    @Override
    public String usage() {
        return """
                usage: rfsq4j eval (--run RUN_DIR | --checkpoint DIR) --data DIR [--out DIR] [--device auto|cpu|cuda]
                                   [--lpips-backbone FILE] [--batch 16] [--samples 8] [--preset NAME]

                Reconstructs every image of --data with the checkpoint (preprocessed as in training: shorter side resized
                to the model's image size, center crop, ImageNet normalization; images smaller than that are skipped and
                counted) and writes OUT/eval.json (every figure: per image, per stage, progressive) and OUT/report.html
                (with its PNG figures in OUT/figures/; opens from disk).
                  --run         a run folder of rfsq4j train: its newest checkpoint
                  --checkpoint  one checkpoint folder (RUN/checkpoints/step-N)
                  --data        folder of .png/.jpg/.jpeg images (searched recursively), or shards of rfsq4j prepare
                  --out         where to write (default: RUN_DIR/eval, or DIR/eval for --checkpoint)
                  --lpips-backbone  VGG16 weights for LPIPS (torchvision's vgg16-397923af.pth or a safetensors file);
                                standard LPIPS-VGG v0.1 of the [0,1] images; without it LPIPS is reported as unavailable
                  --batch       images per forward pass (default 16)
                  --samples     images in the report's reconstruction grid (default 8)
                  --preset      the preset the checkpoint must be (required for a state_dict without rfsq4j's metadata)
                """;
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        Options o = Options.parse(name(), args, OPTIONS);
        if (o.has("run") == o.has("checkpoint")) {
            throw o.usage("give either --run RUN_DIR or --checkpoint DIR");
        }
        Path data = Path.of(o.required("data"));
        Backend backend = o.backend();
        int batch = o.integer("batch", "16", 1, 4096);
        int samples = o.integer("samples", "8", 0, 1000);
        Path lpips = o.has("lpips-backbone") ? o.path("lpips-backbone") : null;
        Path runDir = o.has("run") ? Path.of(o.required("run")) : runOf(Path.of(o.required("checkpoint")));
        Path checkpoint = o.has("run") ? TrainedModel.newestCheckpoint(runDir) : Path.of(o.required("checkpoint"));
        Path outDir = Path.of(o.optional("out", (runDir != null ? runDir : checkpoint).resolve("eval").toString()));
        evaluate(checkpoint, runDir, data, outDir, backend, batch, samples, o.optional("preset", null), lpips, out);
    }

    /** Standard LPIPS of [0, 1] images (scaled to [-1, 1]), comparable with published figures. */
    private static final InputRange LPIPS_INPUT = InputRange.UNIT.ofNormalized(ImageNormalization.IMAGENET_MEAN,
            ImageNormalization.IMAGENET_STD);

    /**
     * Evaluates and writes eval.json and report.html into outDir; prints a summary. runDir (nullable) supplies the
     * training curves; lpipsBackbone (nullable) the VGG16 weights LPIPS needs. Returns the evaluation.
     */
    static Evaluation evaluate(Path checkpoint, Path runDir, Path data, Path outDir, Backend backend, int batch, int samples,
            String preset, Path lpipsBackbone, PrintStream out) throws IOException {
        try (Device device = Device.open(backend); Scope scope = Scope.open(device);
                Lpips lpips = lpipsBackbone == null ? null : Lpips.load(device, lpipsBackbone)) {
            TrainedModel trained = TrainedModel.load(checkpoint, scope, preset);
            try (EvalSet set = EvalSet.open(data, trained.imageSize())) {
                return evaluate(trained, set, runDir, data, outDir, device, scope, batch, samples, lpips, out);
            }
        }
    }

    private static Evaluation evaluate(TrainedModel trained, EvalSet set, Path runDir, Path data, Path outDir,
            Device device, Scope scope, int batch, int samples, Lpips lpips, PrintStream out) throws IOException {
        out.printf(Locale.ROOT, "evaluating %s (step %d) on %s: %d images%s, %s%n", trained.preset(), trained.step(), data,
                set.count(), set.skipped().isEmpty() ? "" : " (" + set.skipped().size() + " skipped: "
                        + set.skipped().get(0).file().getFileName() + " " + set.skipped().get(0).reason()
                        + (set.skipped().size() > 1 ? ", ..." : "") + ")", device);
        Evaluator.Perceptual perceptual = lpips == null ? null : (x, xhat) -> {
            float[] d = lpips.distance(xhat, x, LPIPS_INPUT);
            double[] distances = new double[d.length];
            for (int i = 0; i < d.length; i++) {
                distances[i] = d[i];
            }
            return distances;
        };
        String note = lpips == null ? "unavailable: no --lpips-backbone"
                : "LPIPS-VGG v0.1, standard ([0,1] images scaled to [-1,1], reconstructions not clamped), backbone "
                        + lpips.backbone();
        Evaluator evaluator = new Evaluator(trained, device, batch, perceptual, note, samples);
        Evaluator.Result result = evaluator.run(set, scope, out);
        Files.createDirectories(outDir);
        Evaluation e = result.evaluation();
        e.write(outDir.resolve("eval.json"));
        Path page = Report.write(outDir, e, result.samples(), runDir);
        summary(e, out);
        out.println("wrote " + outDir.resolve("eval.json") + " and " + page);
        return e;
    }

    private static void summary(Evaluation e, PrintStream out) {
        Evaluation.Scores m = e.mean();
        out.printf(Locale.ROOT, "  PSNR %.2f dB (8-bit), %.2f dB (paper)  L1 %.4f  SSIM %s  MS-SSIM %s  LPIPS %s%n", m.psnr(),
                m.psnrPaper(), m.l1(), fmt(m.ssim()), fmt(m.msSsim()), Double.isNaN(m.lpips()) ? e.lpips() : fmt(m.lpips()));
        Evaluation.Bits b = e.bits();
        out.printf(Locale.ROOT, "  bits: %s per position, %.4g per pixel%n", b.sideInfoBitsPerImage() == 0
                ? String.format(Locale.ROOT, "%.4g", b.indexBitsPerPosition())
                : String.format(Locale.ROOT, "%.4g (%.4g index bits + %d side-info bits per image over %d positions)",
                        b.bitsPerPosition(), b.indexBitsPerPosition(), b.sideInfoBitsPerImage(), b.positionsPerImage()),
                b.bitsPerPixel());
        out.println("  stage       " + e.stages().stream().map(s -> String.format(Locale.ROOT, "%8d", s.stage()))
                .collect(Collectors.joining()));
        out.println("  usage       " + e.stages().stream().map(s -> String.format(Locale.ROOT, "%7.1f%%", 100 * s.usage()))
                .collect(Collectors.joining()));
        out.println("  perplexity  " + e.stages().stream().map(s -> String.format(Locale.ROOT, "%8.1f", s.perplexity()))
                .collect(Collectors.joining()));
        if (e.stages().stream().anyMatch(s -> Double.isFinite(s.meanResidualNorm()))) {
            out.println("  ||r_k||     " + e.stages().stream().map(s -> String.format(Locale.ROOT, "%8.3f", s.meanResidualNorm()))
                    .collect(Collectors.joining()));
        }
        if (!e.progressive().isEmpty()) {
            out.println("  PSNR, k=1.." + e.progressive().size() + " stages: " + e.progressive().stream()
                    .map(p -> String.format(Locale.ROOT, "%.2f", p.mean().psnr())).collect(Collectors.joining(" ")) + " dB");
        }
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** The run folder a checkpoint folder sits in (RUN/checkpoints/step-N), or null. */
    private static Path runOf(Path checkpoint) {
        Path parent = checkpoint.toAbsolutePath().normalize().getParent();
        return parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("checkpoints")
                ? parent.getParent() : null;
    }
}
