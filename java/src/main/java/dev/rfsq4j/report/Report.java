package dev.rfsq4j.report;

import static dev.rfsq4j.report.Html.escape;
import static dev.rfsq4j.report.Html.num;

import dev.rfsq4j.eval.Evaluation;
import dev.rfsq4j.eval.Evaluator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html} next to {@code eval.json}: the reconstructions, the progressive-quality curve, code usage
 * and residual decay per stage, the training curves of the run, and every figure in tables. Self-contained: the
 * page and its PNGs in {@code figures/} open from disk, no server.
 */
public final class Report {
    private Report() {}

    /** Writes outDir/report.html and outDir/figures/*.png; runDir (nullable) supplies metrics.jsonl. */
    public static Path write(Path outDir, Evaluation e, Evaluator.Samples samples, Path runDir) throws IOException {
        Path figures = Files.createDirectories(outDir.resolve("figures"));
        StringBuilder b = new StringBuilder();
        b.append("<h1>").append(escape(e.preset())).append("</h1>\n<p class=\"sub\">").append(escape(e.quantizer()))
                .append(" &middot; checkpoint step ").append(e.step()).append(" (<code>").append(escape(e.checkpoint().toString()))
                .append("</code>)<br>").append(e.images()).append(" images of <code>").append(escape(e.data().toString()))
                .append("</code> at ").append(e.imageSize()).append("&times;").append(e.imageSize()).append(" px")
                .append(e.skipped().isEmpty() ? "" : ", " + e.skipped().size() + " skipped (listed below)").append(" &middot; ")
                .append(escape(e.device())).append(", ").append(num(e.seconds(), 1)).append(" s (")
                .append(num(e.images() / e.seconds(), 1)).append(" images/s)</p>\n");
        cards(b, e);

        List<String> labels = new ArrayList<>(List.of("original"));
        if (e.progressive().isEmpty()) {
            labels.add("reconstruction");
        } else {
            for (Evaluation.Progressive p : e.progressive()) {
                labels.add((p.stages() == 1 ? "1 stage" : p.stages() + " stages") + ", "
                        + num(p.bits().bitsPerPixel(), 2) + " bpp");
            }
        }
        if (!samples.originals().isEmpty()) {
            ReconstructionGrid.write(figures.resolve("reconstructions.png"), samples.originals(), samples.reconstructions(),
                    labels, samples.size());
            b.append("<h2>Reconstructions</h2>\n");
            figure(b, "reconstructions.png", 0, e.progressive().isEmpty()
                    ? "Originals (left) and their reconstructions, " + samples.originals().size() + " images spread over the set."
                    : "Originals (left), then decoded with the first k of " + e.progressive().size()
                            + " stages: each residual stage adds detail. " + samples.originals().size()
                            + " images spread over the set.");
        }

        if (!e.progressive().isEmpty()) {
            b.append("<h2>Progressive quality</h2>\n<div class=\"row\">");
            double[] bpp = e.progressive().stream().mapToDouble(p -> p.bits().bitsPerPixel()).toArray();
            double[] psnr = e.progressive().stream().mapToDouble(p -> p.mean().psnr()).toArray();
            Charts.save(Charts.lines("PSNR when decoding with the first k stages", "bits per pixel (side information included)",
                    "PSNR (dB, 8-bit RGB)", List.of(new Charts.Line("", bpp, psnr)), true, false, true, 0),
                    figures.resolve("progressive.png"), Charts.WIDTH, Charts.HEIGHT);
            figure(b, "progressive.png", Charts.WIDTH, "Mean PSNR over the set against the bits a code of k stages costs.");
            b.append("</div>\n");
            b.append("<table><tr><th>stages k</th><th>bits/position</th><th>bits/pixel</th><th>L1</th><th>PSNR</th>"
                    + "<th>PSNR (paper)</th><th>SSIM</th><th>MS-SSIM</th><th>LPIPS</th></tr>\n");
            for (Evaluation.Progressive p : e.progressive()) {
                b.append("<tr><td>").append(p.stages()).append("</td><td>").append(num(p.bits().bitsPerPosition(), 2))
                        .append("</td><td>").append(num(p.bits().bitsPerPixel(), 3)).append("</td>");
                scoreCells(b, p.mean());
                b.append("</tr>\n");
            }
            b.append("</table>\n");
        }

        stages(b, e, figures);
        training(b, runDir, figures);
        perImage(b, e);
        definitions(b);
        Path page = outDir.resolve("report.html");
        Files.writeString(page, Html.page("rfsq4j: " + e.preset(), b.toString()), StandardCharsets.UTF_8);
        return page;
    }

    private static void cards(StringBuilder b, Evaluation e) {
        Evaluation.Scores m = e.mean();
        b.append("<div class=\"cards\">");
        card(b, num(m.psnr(), 2) + " dB", "PSNR, 8-bit RGB");
        card(b, num(m.psnrPaper(), 2) + " dB", "PSNR, paper's 10 log10(4/MSE)");
        card(b, num(m.l1(), 4), "L1, normalized units");
        card(b, num(m.ssim(), 4), "SSIM");
        card(b, num(m.msSsim(), 4), "MS-SSIM");
        card(b, num(m.lpips(), 4), "LPIPS-VGG" + (Double.isNaN(m.lpips()) ? " (no backbone)" : ""));
        card(b, num(e.bits().bitsPerPosition(), 2), "bits per latent position");
        card(b, num(e.bits().bitsPerPixel(), 3), "bits per pixel");
        b.append("</div>\n");
        if (e.bits().sideInfoBitsPerImage() > 0) {
            b.append("<p class=\"note\">The bit figures count layernorm's per-image statistics (parity mode): ")
                    .append(e.bits().sideInfoBitsPerImage()).append(" bits of float32 &mu;, &sigma; per image on top of ")
                    .append(num(e.bits().indexBitsPerPosition(), 0)).append(" index bits at each of ")
                    .append(e.bits().positionsPerImage()).append(" latent positions.</p>\n");
        }
    }

    private static void card(StringBuilder b, String value, String label) {
        b.append("<div class=\"card\"><div class=\"v\">").append(value).append("</div><div class=\"k\">").append(label)
                .append("</div></div>");
    }

    private static void scoreCells(StringBuilder b, Evaluation.Scores s) {
        b.append("<td>").append(num(s.l1(), 4)).append("</td><td>").append(num(s.psnr(), 2)).append("</td><td>")
                .append(num(s.psnrPaper(), 2)).append("</td><td>").append(num(s.ssim(), 4)).append("</td><td>")
                .append(num(s.msSsim(), 4)).append("</td><td>").append(num(s.lpips(), 4)).append("</td>");
    }

    private static void stages(StringBuilder b, Evaluation e, Path figures) throws IOException {
        b.append("<h2>Codes per stage</h2>\n<div class=\"row\">");
        List<Evaluation.Stage> st = e.stages();
        boolean rfsq = st.stream().anyMatch(s -> Double.isFinite(s.meanResidualNorm()));
        if (rfsq) {
            List<String> names = st.stream().map(s -> "stage " + s.stage()).toList();
            Map<String, double[]> values = new LinkedHashMap<>();
            values.put(e.preset(), st.stream().mapToDouble(Evaluation.Stage::meanResidualNorm).toArray());
            Charts.save(Charts.bars("Residual magnitude after each stage", "", "mean ‖r_k‖ per image", names, values, "0.00"),
                    figures.resolve("residuals.png"), Charts.WIDTH / 2 + 60, Charts.HEIGHT);
            figure(b, "residuals.png", Charts.WIDTH / 2 + 60, "What is left to code after stage k: r_k = r_{k-1} - q_k. "
                    + "Without conditioning the later residuals fall into FSQ's dead zone.");
        }
        List<Charts.Line> lines = new ArrayList<>();
        for (Evaluation.Stage s : st) {
            long[] sorted = s.counts().clone();
            Arrays.sort(sorted);
            long total = Arrays.stream(sorted).sum();
            double[] x = new double[sorted.length], y = new double[sorted.length];
            for (int i = 0; i < sorted.length; i++) {
                x[i] = i + 1;
                y[i] = sorted[sorted.length - 1 - i] / (double) total;
            }
            lines.add(new Charts.Line(String.format(Locale.ROOT, "stage %d: %.1f%% used, perplexity %.0f", s.stage(),
                    100 * s.usage(), s.perplexity()), x, y));
        }
        Charts.save(Charts.lines("Code usage per stage (codes sorted by frequency)", "code rank", "share of positions", lines,
                false, true, false, st.get(0).codebookSize()), figures.resolve("usage.png"), Charts.WIDTH, Charts.HEIGHT);
        figure(b, "usage.png", Charts.WIDTH, "How often each of the " + st.get(0).codebookSize()
                + " codes occurs over the whole set; a line that stops early means unused codes.");
        b.append("</div>\n<table><tr><th>stage</th><th>codes used</th><th>usage</th><th>perplexity</th>")
                .append(rfsq ? "<th>mean ‖r_k‖</th>" : "").append("</tr>\n");
        for (Evaluation.Stage s : st) {
            long used = Arrays.stream(s.counts()).filter(c -> c > 0).count();
            b.append("<tr><td>").append(s.stage()).append("</td><td>").append(used).append(" of ").append(s.codebookSize())
                    .append("</td><td>").append(num(100 * s.usage(), 1)).append("%</td><td>").append(num(s.perplexity(), 1))
                    .append("</td>").append(rfsq ? "<td>" + num(s.meanResidualNorm(), 3) + "</td>" : "").append("</tr>\n");
        }
        b.append("</table>\n");
    }

    private static void training(StringBuilder b, Path runDir, Path figures) throws IOException {
        if (runDir == null) {
            return;
        }
        TrainingLog log = TrainingLog.read(runDir.resolve("metrics.jsonl"));
        if (log.isEmpty()) {
            return;
        }
        Map<String, List<Charts.Line>> panels = new LinkedHashMap<>();
        panels.put("loss", List.of(new Charts.Line("training loss (L1 + auxiliary)", log.step(), log.loss())));
        panels.put("learning rate", List.of(new Charts.Line("learning rate", log.step(), log.lr())));
        panels.put("images/s", List.of(new Charts.Line("images/s", log.step(), log.imagesPerS())));
        Charts.save(Charts.stacked("Training", "step", panels, false), figures.resolve("training.png"), Charts.WIDTH, 520);
        b.append("<h2>Training</h2>\n<div class=\"row\">");
        figure(b, "training.png", Charts.WIDTH, "From the run's metrics.jsonl (one point per logged step; loss on that "
                + "step's batch)." + (log.badLines() > 0 ? " " + log.badLines() + " unreadable lines skipped." : ""));
        if (log.residualNorms().length > 0) {
            List<Charts.Line> lines = new ArrayList<>();
            for (int k = 0; k < log.residualNorms().length; k++) {
                lines.add(new Charts.Line("‖r_" + (k + 1) + "‖", log.step(), log.residualNorms()[k]));
            }
            Charts.save(Charts.lines("Residual magnitude during training", "step", "mean ‖r_k‖ (batch)", lines, false, false,
                    false, 0), figures.resolve("training-residuals.png"), Charts.WIDTH, Charts.HEIGHT);
            figure(b, "training-residuals.png", Charts.WIDTH, "Mean residual norm after each stage on the logged batches.");
        }
        b.append("</div>\n");
    }

    private static void perImage(StringBuilder b, Evaluation e) {
        b.append("<h2>Every image</h2>\n<details><summary>").append(e.perImage().size())
                .append(" images (file order)</summary>\n<table><tr><th>file</th><th>L1</th><th>PSNR</th><th>PSNR (paper)</th>"
                        + "<th>SSIM</th><th>MS-SSIM</th><th>LPIPS</th>");
        boolean progressive = !e.progressive().isEmpty();
        if (progressive) {
            b.append("<th>PSNR with k = 1..K stages</th>");
        }
        b.append("</tr>\n");
        for (Evaluation.ImageResult r : e.perImage()) {
            b.append("<tr><td>").append(escape(e.data().relativize(r.file()).toString())).append("</td>");
            scoreCells(b, r.scores());
            if (progressive) {
                b.append("<td>").append(String.join(" ", Arrays.stream(r.psnrByStages()).mapToObj(v -> num(v, 1)).toList()))
                        .append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</table></details>\n");
        if (!e.skipped().isEmpty()) {
            b.append("<details><summary>").append(e.skipped().size()).append(" images skipped</summary><table>"
                    + "<tr><th>file</th><th>why</th></tr>\n");
            e.skipped().forEach(s -> b.append("<tr><td>").append(escape(s.file().toString())).append("</td><td>")
                    .append(escape(s.reason())).append("</td></tr>\n"));
            b.append("</table></details>\n");
        }
    }

    private static void definitions(StringBuilder b) {
        b.append("""
                <h2>How each figure is computed</h2>
                <p class="note">Images are preprocessed as in training: shorter side resized to the model's size
                (antialiased bilinear), center crop, ImageNet mean/std normalization. <b>L1</b>: mean |x &minus; x&#770;|
                in normalized units. <b>PSNR</b>: on 8-bit RGB after de-normalizing and clamping, peak 255.
                <b>PSNR (paper)</b>: 10&middot;log10(4/MSE) on the normalized tensors, the variant the paper's table is
                consistent with. <b>SSIM</b>: Gaussian window 11, &sigma; 1.5, K1 0.01, K2 0.03, per RGB channel and
                averaged (as scikit-image's <code>structural_similarity(gaussian_weights=True)</code>, data range 255).
                <b>MS-SSIM</b> and <b>LPIPS-VGG v0.1</b>: see the README. Means are over images (PSNR: the mean of the
                per-image PSNRs). <b>Usage</b>: distinct codes seen over the whole set / codebook size;
                <b>perplexity</b>: exp of the entropy of the code distribution. <b>Bits</b>: K&middot;log2(codebook)
                per latent position, plus layernorm's per-image statistics (2&middot;C&middot;K float32) in parity mode.</p>
                """);
    }

    private static void figure(StringBuilder b, String file, int width, String caption) {
        b.append("<figure><img src=\"figures/").append(file).append('"').append(width > 0 ? " width=\"" + width + "\"" : "")
                .append(" alt=\"").append(escape(caption)).append("\"><figcaption>").append(escape(caption))
                .append("</figcaption></figure>\n");
    }
}
