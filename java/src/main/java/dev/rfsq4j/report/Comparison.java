package dev.rfsq4j.report;

import static dev.rfsq4j.report.Html.escape;
import static dev.rfsq4j.report.Html.num;

import dev.rfsq4j.io.Json;
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
import java.util.stream.Collectors;

/**
 * Several evaluated runs side by side, in the shape of the paper's table (spec §7) with its rows as reference and
 * a bits-per-position column: Markdown (printed, compare.md) and HTML (compare.html, with a chart of quality
 * against bits).
 */
public final class Comparison {
    /** One evaluated run, as its eval.json reads. */
    record Run(String name, Path evalJson, Map<?, ?> json) {
        String preset() {
            return (String) json.get("preset");
        }

        double number(String... path) {
            Object v = json;
            for (String key : path) {
                v = v instanceof Map<?, ?> m ? m.get(key) : null;
            }
            return v instanceof Number n ? n.doubleValue() : Double.NaN;
        }

        List<?> list(String key) {
            return json.get(key) instanceof List<?> l ? l : List.of();
        }
    }

    private final List<Run> runs;

    private Comparison(List<Run> runs) {
        this.runs = runs;
    }

    /**
     * Reads each run's evaluation: RUN/eval/eval.json, or DIR/eval.json for an eval folder, or an eval.json file.
     * A missing or unreadable one fails with one line naming it.
     */
    public static Comparison read(List<Path> paths) throws IOException {
        List<Run> runs = new ArrayList<>();
        for (Path p : paths) {
            Path file = Files.isRegularFile(p) ? p
                    : Files.isRegularFile(p.resolve("eval.json")) ? p.resolve("eval.json") : p.resolve("eval").resolve("eval.json");
            if (!Files.exists(p)) {
                throw new IOException(p + ": no such run folder");
            }
            if (!Files.isRegularFile(file)) {
                throw new IOException(p + ": not evaluated yet (no eval.json; run rfsq4j eval --run " + p + " --data DIR)");
            }
            Object json;
            try {
                json = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
            } catch (Json.SyntaxException e) {
                throw new IOException(file + ": not valid JSON: " + e.getMessage());
            }
            if (!(json instanceof Map<?, ?> m) || !"rfsq4j-eval/1".equals(m.get("format"))) {
                throw new IOException(file + ": not an rfsq4j eval.json (format rfsq4j-eval/1)");
            }
            Path folder = file.getParent().getFileName() != null && file.getParent().getFileName().toString().equals("eval")
                    ? file.getParent().getParent() : file.getParent();
            runs.add(new Run(folder == null || folder.getFileName() == null ? file.toString() : folder.getFileName().toString(),
                    file, m));
        }
        return new Comparison(runs);
    }

    /** The table as GitHub Markdown: the runs, then the paper's rows. */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| run | preset | steps | images | bits/position | L1 | LPIPS | PSNR (paper) | PSNR (8-bit) | SSIM | MS-SSIM"
                + " | codes used per stage |\n");
        b.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
        for (Run r : runs) {
            b.append("| ").append(r.name()).append(" | ").append(r.preset()).append(" | ").append((long) r.number("step"))
                    .append(" | ").append((long) r.number("images")).append(" | ").append(bits(r)).append(" | ")
                    .append(num(r.number("mean", "l1"), 3)).append(" | ").append(num(r.number("mean", "lpips"), 3)).append(" | ")
                    .append(num(r.number("mean", "psnr_paper"), 1)).append(" | ").append(num(r.number("mean", "psnr"), 1))
                    .append(" | ").append(num(r.number("mean", "ssim"), 3)).append(" | ").append(num(r.number("mean", "ms_ssim"), 3))
                    .append(" | ").append(usage(r)).append(" |\n");
        }
        for (PaperTable.Row p : PaperTable.ROWS) {
            b.append("| *paper: ").append(p.config()).append("* | ").append(p.preset()).append(" | | ImageNet val | ")
                    .append(num(p.bitsPerPosition(), 0)).append(" | ").append(num(p.l1(), 3)).append(" | ")
                    .append(num(p.lpips(), 3)).append(" | ").append(num(p.psnr(), 1)).append(" | | | | |\n");
        }
        return b.toString();
    }

    /** Writes outDir/compare.md, outDir/compare.html and its figure; returns the HTML page. */
    public Path write(Path outDir) throws IOException {
        Files.createDirectories(outDir.resolve("figures"));
        Files.writeString(outDir.resolve("compare.md"), "# rfsq4j compare\n\n" + note() + "\n\n" + markdown(),
                StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder("<h1>Comparison</h1>\n<p class=\"sub\">").append(escape(note())).append("</p>\n");
        b.append("<div class=\"scroll\"><table><tr><th>run</th><th>preset</th><th>steps</th><th>images</th><th>bits/position</th><th>L1</th>"
                + "<th>LPIPS</th><th>PSNR (paper)</th><th>PSNR (8-bit)</th><th>SSIM</th><th>MS-SSIM</th>"
                + "<th>codes used per stage</th></tr>\n");
        for (Run r : runs) {
            Path report = r.evalJson().resolveSibling("report.html");
            String name = Files.exists(report)
                    ? "<a href=\"" + escape(outDir.toAbsolutePath().relativize(report.toAbsolutePath()).toString()) + "\">"
                            + escape(r.name()) + "</a>"
                    : escape(r.name());
            b.append("<tr><td>").append(name).append("</td><td>").append(escape(r.preset())).append("</td><td>")
                    .append((long) r.number("step")).append("</td><td>").append((long) r.number("images")).append("</td><td>")
                    .append(bits(r)).append("</td><td>").append(num(r.number("mean", "l1"), 3)).append("</td><td>")
                    .append(num(r.number("mean", "lpips"), 3)).append("</td><td>").append(num(r.number("mean", "psnr_paper"), 1))
                    .append("</td><td>").append(num(r.number("mean", "psnr"), 1)).append("</td><td>")
                    .append(num(r.number("mean", "ssim"), 3)).append("</td><td>").append(num(r.number("mean", "ms_ssim"), 3))
                    .append("</td><td>").append(escape(usage(r))).append("</td></tr>\n");
        }
        b.append("<tr class=\"group\"><td colspan=\"12\">The paper (spec §7): ImageNet val, 128&times;128, after 50 epochs"
                + " of ImageNet-1k with L1 + LPIPS</td></tr>\n");
        for (PaperTable.Row p : PaperTable.ROWS) {
            b.append("<tr class=\"ref\"><td>paper: ").append(escape(p.config())).append("</td><td>").append(p.preset())
                    .append("</td><td></td><td>ImageNet val</td><td>").append(num(p.bitsPerPosition(), 0)).append("</td><td>")
                    .append(num(p.l1(), 3)).append("</td><td>").append(num(p.lpips(), 3)).append("</td><td>")
                    .append(num(p.psnr(), 1)).append("</td><td></td><td></td><td></td><td></td></tr>\n");
        }
        b.append("</table></div>\n");
        chart(b, outDir.resolve("figures"));
        Path page = outDir.resolve("compare.html");
        Files.writeString(page, Html.page("rfsq4j compare", b.toString()), StandardCharsets.UTF_8);
        return page;
    }

    private String note() {
        String data = runs.stream().map(r -> String.valueOf(r.json().get("data"))).distinct().collect(Collectors.joining(", "));
        return "Runs evaluated on " + data + "; the paper's rows are ImageNet val at 128x128 after the full recipe (50 epochs"
                + " of ImageNet-1k), for reference only. PSNR (paper) is 10 log10(4/MSE) on normalized tensors, the variant the"
                + " paper's table is consistent with; bits/position counts layernorm's per-image statistics (parity mode),"
                + " which the paper's figure does not.";
    }

    private void chart(StringBuilder b, Path figures) throws IOException {
        List<Charts.Line> lines = new ArrayList<>();
        for (Run r : runs) {
            List<?> prog = r.list("progressive");
            if (prog.isEmpty()) {
                lines.add(new Charts.Line(r.name(), new double[] {r.number("bits", "bits_per_pixel")},
                        new double[] {r.number("mean", "psnr")}));
                continue;
            }
            double[] x = new double[prog.size()], y = new double[prog.size()];
            for (int i = 0; i < prog.size(); i++) {
                Run p = new Run("", null, (Map<?, ?>) prog.get(i));
                x[i] = p.number("bits", "bits_per_pixel");
                y[i] = p.number("mean", "psnr");
            }
            lines.add(new Charts.Line(r.name(), x, y));
        }
        Charts.save(Charts.lines("Quality against bits (RFSQ: decoding with the first k stages)", "bits per pixel",
                "PSNR (dB, 8-bit RGB)", lines, true, false, false, 0), figures.resolve("quality-vs-bits.png"), Charts.WIDTH,
                Charts.HEIGHT);
        b.append("<div class=\"row\"><figure><img src=\"figures/quality-vs-bits.png\" width=\"").append(Charts.WIDTH)
                .append("\" alt=\"PSNR against bits per pixel per run\"><figcaption>Each run's mean PSNR against its bits per"
                        + " pixel; an RFSQ run is a curve (k = 1..K stages).</figcaption></figure>\n");
        int stages = runs.stream().mapToInt(r -> r.list("stages").size()).max().orElse(0);
        List<String> names = new ArrayList<>();
        for (int k = 1; k <= stages; k++) {
            names.add("stage " + k);
        }
        Map<String, double[]> usage = new LinkedHashMap<>(), residual = new LinkedHashMap<>();
        for (Run r : runs) {
            double[] u = new double[stages], rn = new double[stages];
            Arrays.fill(u, Double.NaN);
            Arrays.fill(rn, Double.NaN);
            List<?> st = r.list("stages");
            for (int k = 0; k < st.size(); k++) {
                Run s = new Run("", null, (Map<?, ?>) st.get(k));
                u[k] = 100 * s.number("usage");
                rn[k] = s.number("mean_residual_norm");
            }
            usage.put(r.name(), u);
            if (Arrays.stream(rn).anyMatch(Double::isFinite)) {
                residual.put(r.name(), rn);
            }
        }
        if (stages > 0) {
            Charts.save(Charts.bars("Codebook usage per stage", "", "codes used over the set (%)", names, usage, "0"),
                    figures.resolve("usage-per-stage.png"), Charts.WIDTH, Charts.HEIGHT);
            b.append("<figure><img src=\"figures/usage-per-stage.png\" width=\"").append(Charts.WIDTH)
                    .append("\" alt=\"codebook usage per stage per run\"><figcaption>Share of each stage's codebook used over"
                            + " the evaluation set: the residual magnitude decay shows as later stages that use few codes."
                            + "</figcaption></figure>\n");
        }
        if (!residual.isEmpty()) {
            Charts.save(Charts.bars("Residual magnitude after each stage", "", "mean ‖r_k‖ per image", names, residual, "0.0"),
                    figures.resolve("residual-per-stage.png"), Charts.WIDTH, Charts.HEIGHT);
            b.append("<figure><img src=\"figures/residual-per-stage.png\" width=\"").append(Charts.WIDTH)
                    .append("\" alt=\"residual magnitude per stage per run\"><figcaption>What each RFSQ run leaves to code after"
                            + " stage k.</figcaption></figure>\n");
        }
        b.append("</div>\n");
    }

    private static String bits(Run r) {
        double side = r.number("bits", "side_info_bits_per_image");
        return num(r.number("bits", "bits_per_position"), side > 0 ? 2 : 0)
                + (side > 0 ? " (" + num(r.number("bits", "index_bits_per_position"), 0) + " + side info)" : "");
    }

    private static String usage(Run r) {
        return r.list("stages").stream().map(s -> String.format(Locale.ROOT, "%.0f",
                100 * new Run("", null, (Map<?, ?>) s).number("usage"))).collect(Collectors.joining("/")) + "%";
    }
}
