package dev.rfsq4j.eval;

import dev.rfsq4j.Device;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.internal.ProgressLine;
import dev.rfsq4j.nn.ImageNormalization;
import dev.rfsq4j.nn.LatentQuantizer;
import dev.rfsq4j.nn.QuantizerSpec;
import dev.rfsq4j.nn.RfsqQuantizer;
import dev.rfsq4j.nn.VqVae;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.train.TrainedModel;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reconstructs every image of a set with a trained model, as training preprocesses it (resize, center crop,
 * ImageNet normalization), without changing any model state, and measures it: per-image scores, per-stage code
 * usage, perplexity and residual norms over the whole set, the bit budget, and for RFSQ the same scores when
 * decoding with only the first k of K stages.
 */
public final class Evaluator {
    /** A perceptual distance per image of x and xhat, ImageNet-normalized (B,3,H,W): LPIPS. */
    @FunctionalInterface
    public interface Perceptual {
        double[] distances(Tensor x, Tensor xhat);
    }

    /** The original and reconstructions (k = 1..K, or the one) of a few images for the report's grid, in [0, 1]. */
    public record Samples(List<float[]> originals, List<List<float[]>> reconstructions, int size) {}

    private final TrainedModel trained;
    private final Device device;
    private final int batch;
    private final Perceptual lpips;
    private final String lpipsNote;
    private final int sampleCount;

    /**
     * lpips: null when unavailable, lpipsNote says which (or why not). sampleCount: images kept for the grid,
     * spread evenly over the set.
     */
    public Evaluator(TrainedModel trained, Device device, int batch, Perceptual lpips, String lpipsNote, int sampleCount) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        this.trained = trained;
        this.device = device;
        this.batch = batch;
        this.lpips = lpips;
        this.lpipsNote = lpipsNote;
        this.sampleCount = sampleCount;
    }

    /** Evaluates every image of set; progress goes to progress (a bar with ETA). */
    public Result run(EvalSet set, Scope scope, PrintStream progress) throws IOException {
        VqVae model = trained.model();
        QuantizerSpec spec = trained.quantizer();
        int s = trained.imageSize();
        Rfsq rfsq = model.quantizer() instanceof RfsqQuantizer r ? r.rfsq() : null;
        int stages = rfsq == null ? 1 : rfsq.stages();
        boolean progressive = rfsq != null && stages > 1;
        ImageNormalization norm = new ImageNormalization(scope, ImageNormalization.IMAGENET_MEAN, ImageNormalization.IMAGENET_STD);
        CodeUsage usage = new CodeUsage(stages, Math.toIntExact(spec.codebookSize()));
        double[] rnormSum = new double[stages];
        List<List<Evaluation.Scores>> byStages = new ArrayList<>();
        for (int k = 0; k < stages; k++) {
            byStages.add(new ArrayList<>());
        }
        List<Evaluation.ImageResult> perImage = new ArrayList<>();
        int[] sampleAt = sampleIndices(set.count(), sampleCount);
        List<float[]> originals = new ArrayList<>();
        List<List<float[]>> reconstructions = new ArrayList<>();
        int image = 3 * s * s;
        ProgressLine bar = new ProgressLine(progress, set.count(), 10); // without a terminal, a line per 10 s at most
        long start = System.nanoTime();
        int evaluated = 0;
        for (int first = 0; first < set.count(); first += batch) {
            float[] pixels = new float[Math.min(batch, set.count() - first) * image];
            int[] at = set.load(first, pixels.length / image, pixels); // set positions of the rows that decoded
            int n = at.length;
            showProgress(bar, first, set.count());
            if (n == 0) {
                continue;
            }
            evaluated += n;
            try (Scope step = Scope.open(device)) {
                Tensor x = step.fromArray(Arrays.copyOf(pixels, n * image), n, 3, s, s);
                norm.normalize(x, x);
                Tensor latent = model.encode(x); // a work buffer of the model: quantize's outputs go to z's scope
                Tensor z = step.allocate(latent.dtype(), latent.shape());
                z.copyFrom(latent);
                LatentQuantizer.Quantized q = model.quantizer().quantize(z);
                usage.add(q.indices().toIntArray());
                if (q.rnorm() != null) {
                    float[] r = q.rnorm().toFloatArray();
                    for (int i = 0; i < r.length; i++) {
                        rnormSum[i % stages] += r[i];
                    }
                }
                // Scores with k = 1..K stages (k = K: the full code, from the quantizer's own zhat).
                List<List<Evaluation.Scores>> batchScores = new ArrayList<>();
                List<List<float[]>> batchPictures = new ArrayList<>();
                for (int k = progressive ? 1 : stages; k <= stages; k++) {
                    Tensor zhat = k == stages ? q.zhat() : rfsq.decode(q.indices(), q.stats(), k);
                    Tensor xhat = model.decode(zhat);
                    List<ImageScores> scores = ImageMetrics.perImage(x, xhat);
                    double[] d = lpips == null ? null : lpips.distances(x, xhat);
                    List<Evaluation.Scores> list = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        list.add(Evaluation.Scores.of(scores.get(i), d == null ? Double.NaN : d[i]));
                    }
                    byStages.get(k - 1).addAll(list);
                    batchScores.add(list);
                    batchPictures.add(pictures(xhat, at, sampleAt, image));
                }
                for (int i = 0; i < n; i++) {
                    double[] psnr = new double[progressive ? stages : 0];
                    for (int k = 0; k < psnr.length; k++) {
                        psnr[k] = batchScores.get(k).get(i).psnr();
                    }
                    perImage.add(new Evaluation.ImageResult(set.file(at[i]),
                            batchScores.get(batchScores.size() - 1).get(i), psnr));
                }
                collectSamples(pixels, at, sampleAt, image, batchPictures, originals, reconstructions);
            }
        }
        showProgress(bar, set.count(), set.count());
        if (evaluated == 0) {
            throw new IOException(set.dir() + ": none of its images could be decoded (" + set.skipped().size()
                    + " skipped, e.g. " + set.skipped().get(0).file() + ": " + set.skipped().get(0).reason() + ")");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        bar.end();

        List<Evaluation.Stage> stageStats = new ArrayList<>();
        for (int k = 0; k < stages; k++) {
            stageStats.add(new Evaluation.Stage(k + 1, Math.toIntExact(spec.codebookSize()), usage.usage(k),
                    usage.perplexity(k), rfsq == null ? Double.NaN : rnormSum[k] / evaluated, usage.counts(k)));
        }
        List<Evaluation.Progressive> curve = new ArrayList<>();
        if (progressive) {
            for (int k = 1; k <= stages; k++) {
                curve.add(new Evaluation.Progressive(k, bits(rfsq, k, s), Evaluation.Scores.mean(byStages.get(k - 1))));
            }
        }
        Evaluation.Bits bits = rfsq != null ? bits(rfsq, stages, s)
                : new Evaluation.Bits(spec.bitsPerPosition(), 0, (s / 4) * (s / 4), s * s);
        Evaluation evaluation = new Evaluation(trained.preset(), spec.toString(), trained.checkpoint(), trained.step(),
                set.dir(), s, device.toString(), evaluated, set.skipped(), seconds,
                lpipsNote, bits, Evaluation.Scores.mean(byStages.get(stages - 1)), stageStats, curve, perImage);
        return new Result(evaluation, new Samples(originals, reconstructions, s));
    }

    /** The evaluation and the grid's pictures. */
    public record Result(Evaluation evaluation, Samples samples) {}

    /** The bits of a code of the first k stages: k log2(codebook) per position, plus k stages of side information. */
    private static Evaluation.Bits bits(Rfsq rfsq, int k, int s) {
        return new Evaluation.Bits(k * rfsq.levels().bits(), rfsq.sideInfoBitsPerImage() / rfsq.stages() * k, (s / 4) * (s / 4),
                s * s);
    }

    /** Up to count positions spread evenly over n images. */
    private static int[] sampleIndices(int n, int count) {
        int m = Math.min(n, count);
        int[] at = new int[m];
        for (int i = 0; i < m; i++) {
            at[i] = (int) ((long) i * n / m);
        }
        return at;
    }

    /** The batch's sample images of xhat (rows at[i] of the set), de-normalized to [0, 1] (clamped), in batch order. */
    private static List<float[]> pictures(Tensor xhat, int[] at, int[] sampleAt, int image) {
        List<float[]> out = new ArrayList<>();
        float[] all = null;
        for (int sample : sampleAt) {
            int row = Arrays.binarySearch(at, sample);
            if (row >= 0) {
                if (all == null) {
                    all = xhat.toFloatArray();
                }
                out.add(denormalize(Arrays.copyOfRange(all, row * image, (row + 1) * image)));
            }
        }
        return out;
    }

    private static void collectSamples(float[] pixels, int[] at, int[] sampleAt, int image,
            List<List<float[]>> batchPictures, List<float[]> originals, List<List<float[]>> reconstructions) {
        int j = 0;
        for (int sample : sampleAt) {
            int row = Arrays.binarySearch(at, sample);
            if (row >= 0) {
                originals.add(Arrays.copyOfRange(pixels, row * image, (row + 1) * image));
                List<float[]> picture = new ArrayList<>();
                for (List<float[]> perK : batchPictures) {
                    picture.add(perK.get(j));
                }
                reconstructions.add(picture);
                j++;
            }
        }
    }

    /** Normalized CHW planes back to [0, 1] pixels, clamped. */
    static float[] denormalize(float[] chw) {
        int plane = chw.length / 3;
        float[] out = new float[chw.length];
        for (int i = 0; i < chw.length; i++) {
            int c = i / plane;
            double v = chw[i] * ImageNormalization.IMAGENET_STD[c] + ImageNormalization.IMAGENET_MEAN[c];
            out[i] = (float) Math.clamp(v, 0, 1);
        }
        return out;
    }

    private static void showProgress(ProgressLine bar, int done, int total) {
        double rate = done / Math.max(bar.elapsed(), 1e-9);
        bar.show(String.format(Locale.ROOT, "eval %d/%d [%s] %.1f img/s ETA %s", done, total, bar.bar(done), rate,
                bar.eta(done, total - done)), done == total);
    }
}
