package dev.rfsq4j.eval;

import dev.rfsq4j.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code rfsq4j eval} measured on one set: what was evaluated, the bit budget, the mean scores, per-stage
 * code statistics, progressive quality (RFSQ: decoding with the first k stages) and every image's scores. Written
 * as {@code eval.json} by {@link #write}.
 */
public record Evaluation(
        String preset,
        String quantizer,
        Path checkpoint,
        long step,
        Path data,
        int imageSize,
        String device,
        int images,
        List<EvalSet.Skipped> skipped,
        double seconds,
        String lpips,
        Bits bits,
        Scores mean,
        List<Stage> stages,
        List<Progressive> progressive,
        List<ImageResult> perImage) {

    /**
     * The bit budget of one image: index bits per latent position, the side information (layernorm's per-image
     * statistics in parity mode, float32) per image, and both per position and per pixel with that side
     * information counted.
     */
    public record Bits(double indexBitsPerPosition, long sideInfoBitsPerImage, int positionsPerImage, int pixelsPerImage) {
        public double bitsPerPosition() {
            return indexBitsPerPosition + sideInfoBitsPerImage / (double) positionsPerImage;
        }

        public double bitsPerPixel() {
            return (indexBitsPerPosition * positionsPerImage + sideInfoBitsPerImage) / pixelsPerImage;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index_bits_per_position", value(indexBitsPerPosition));
            m.put("side_info_bits_per_image", sideInfoBitsPerImage);
            m.put("positions_per_image", positionsPerImage);
            m.put("bits_per_position", value(bitsPerPosition()));
            m.put("bits_per_pixel", value(bitsPerPixel()));
            return m;
        }
    }

    /** Scores of one image, or their means over a set; lpips NaN when not computed. */
    public record Scores(double l1, double psnr, double psnrPaper, double ssim, double msSsim, double lpips) {
        static Scores of(ImageScores s, double lpips) {
            return new Scores(s.l1(), s.psnr(), s.psnrPaper(), s.ssim(), s.msSsim(), lpips);
        }

        /** The mean of each score (PSNR: the mean of the per-image PSNRs, as the field reports it). */
        static Scores mean(List<Scores> all) {
            double[] sum = new double[6];
            for (Scores s : all) {
                double[] v = s.values();
                for (int i = 0; i < 6; i++) {
                    sum[i] += v[i];
                }
            }
            int n = all.size();
            return new Scores(sum[0] / n, sum[1] / n, sum[2] / n, sum[3] / n, sum[4] / n, sum[5] / n);
        }

        double[] values() {
            return new double[] {l1, psnr, psnrPaper, ssim, msSsim, lpips};
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("l1", value(l1));
            m.put("psnr", value(psnr));
            m.put("psnr_paper", value(psnrPaper));
            m.put("ssim", value(ssim));
            m.put("ms_ssim", value(msSsim));
            m.put("lpips", value(lpips));
            return m;
        }
    }

    /** One stage's codes over the whole set; meanResidualNorm: mean ||r_k|| per image (RFSQ), else NaN. */
    public record Stage(int stage, int codebookSize, double usage, double perplexity, double meanResidualNorm, long[] counts) {}

    /** The mean scores when decoding with the first {@code stages} stages, and that code's bit budget. */
    public record Progressive(int stages, Bits bits, Scores mean) {}

    /** One image: its file, its scores, and its PSNR (8-bit) when decoding with k = 1..K stages (RFSQ). */
    public record ImageResult(Path file, Scores scores, double[] psnrByStages) {}

    /** A double as JSON takes it: not-computed (NaN) and non-finite values become null. */
    private static Object value(double v) {
        return Double.isFinite(v) ? (Object) v : Json.NULL;
    }

    private static List<Object> values(double[] a) {
        return Arrays.stream(a).mapToObj(Evaluation::value).toList();
    }

    /** Writes eval.json (see the README for its fields). */
    public void write(Path file) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "rfsq4j-eval/1");
        m.put("preset", preset);
        m.put("quantizer", quantizer);
        m.put("checkpoint", checkpoint.toString());
        m.put("step", step);
        m.put("data", data.toString());
        m.put("image_size", imageSize);
        m.put("device", device);
        m.put("images", images);
        m.put("skipped", skipped.stream().map(s -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("file", s.file().toString());
            e.put("reason", s.reason());
            return e;
        }).toList());
        m.put("seconds", value(seconds));
        m.put("images_per_s", value(images / seconds));
        m.put("lpips", lpips);
        m.put("bits", bits.json());
        m.put("mean", mean.json());
        List<Object> st = new ArrayList<>();
        for (Stage s : stages) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("stage", s.stage());
            e.put("codebook_size", s.codebookSize());
            e.put("usage", value(s.usage()));
            e.put("perplexity", value(s.perplexity()));
            e.put("mean_residual_norm", value(s.meanResidualNorm()));
            e.put("counts", Arrays.stream(s.counts()).boxed().toList());
            st.add(e);
        }
        m.put("stages", st);
        m.put("progressive", progressive.stream().map(p -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("stages", p.stages());
            e.put("bits", p.bits().json());
            e.put("mean", p.mean().json());
            return e;
        }).toList());
        m.put("per_image", perImage.stream().map(r -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("file", data.relativize(r.file()).toString());
            e.putAll(r.scores().json());
            if (r.psnrByStages().length > 0) {
                e.put("psnr_by_stages", values(r.psnrByStages()));
            }
            return e;
        }).toList());
        Files.writeString(file, Json.write(m), StandardCharsets.UTF_8);
    }
}
