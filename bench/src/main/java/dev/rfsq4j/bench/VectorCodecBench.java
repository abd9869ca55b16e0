package dev.rfsq4j.bench;

import dev.rfsq4j.Backend;
import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import dev.rfsq4j.vector.VectorCodec;
import dev.rfsq4j.vector.VectorCodecConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.quantization.OptimizedScalarQuantizer;
import org.apache.lucene.util.quantization.ScalarQuantizer;

/**
 * RFSQ's {@link VectorCodec} against Lucene's scalar quantizers on Fashion-MNIST (70,000 x 784): every quantizer
 * is fitted on the 60,000 training vectors and encodes them; recall@10 of exact L2 search over the decoded training
 * vectors against exact search over the originals, for the first Q test vectors as queries; reconstruction MSE
 * (pixel units, 0..255) over the training vectors; bytes per vector as stored; encode and decode throughput from one
 * calling thread. Then the scheduling of the native op: encode throughput by vectors per native image. Writes
 * vector-codec.md (the tables) and vector-codec-recall.png (recall vs bytes) to the output folder.
 *
 * <p>Usage: {@code VectorCodecBench [--data DIR] [--queries Q] [--out DIR] [--device cpu|cuda] [--quick]}
 */
public final class VectorCodecBench {
    private static final int K_NN = 10;

    /** One measured row; encode/decode in vectors per second (NaN: not measured separately). */
    record Row(String family, String method, int bytes, double recall, double mse, double encodePerSecond,
            double decodePerSecond, double fitSeconds) {}

    private VectorCodecBench() {}

    public static void main(String[] args) throws IOException {
        Path data = FashionMnist.DEBIAN, out = Path.of("bench/target/vector-codec");
        int queries = 1000;
        Backend backend = Backend.CPU;
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--queries" -> queries = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--device" -> backend = Backend.parse(args[++i]);
                case "--quick" -> quick = true;
                default -> {
                    System.err.println("usage: VectorCodecBench [--data DIR] [--queries Q] [--out DIR] [--device cpu|cuda] [--quick]");
                    System.exit(2);
                }
            }
        }
        if (!Files.isDirectory(data)) {
            System.err.println("VectorCodecBench: no Fashion-MNIST at " + data + " (apt-get install dataset-fashion-mnist, or --data DIR)");
            System.exit(1);
        }
        float[][] train = FashionMnist.images(data, "train");
        float[][] test = FashionMnist.images(data, "t10k");
        if (quick) {
            train = Arrays.copyOf(train, 6000);
            queries = Math.min(queries, 100);
        }
        float[][] query = Arrays.copyOf(test, queries);
        String startLoad = loadAverage();
        log("Fashion-MNIST: %d train x %d, %d queries; exact search for the ground truth...", train.length, train[0].length, queries);
        long t = System.nanoTime();
        int[][] truth = ExactSearch.knn(train, query, K_NN);
        log("ground truth in %.1f s", seconds(t));

        List<Row> rows = new ArrayList<>();
        try (Device device = Device.open(backend)) {
            rfsq(device, Levels.of(4, 4, 4, 4), 4, Strategy.NONE, train, query, truth, rows);
            rfsq(device, Levels.of(4, 4, 4, 4), 4, Strategy.SCALE, train, query, truth, rows);
            rfsq(device, Levels.of(4, 4, 4, 4), 4, Strategy.LAYERNORM, train, query, truth, rows);
            rfsq(device, Levels.of(4, 4, 4, 4), 2, Strategy.LAYERNORM, train, query, truth, rows);
            rfsq(device, Levels.of(8, 8, 8, 8), 2, Strategy.SCALE, train, query, truth, rows);
            rfsq(device, Levels.of(8, 8, 8, 8), 2, Strategy.LAYERNORM, train, query, truth, rows);
            rfsq(device, Levels.of(16, 16, 16, 16), 2, Strategy.LAYERNORM, train, query, truth, rows);
            rfsq(device, Levels.of(8, 8, 8), 2, Strategy.LAYERNORM, train, query, truth, rows);
            rfsq(device, Levels.of(2, 2, 2, 2, 2, 2, 2, 2), 4, Strategy.LAYERNORM, train, query, truth, rows);
            luceneScalar(7, train, query, truth, rows);
            luceneScalar(4, train, query, truth, rows);
            for (int bits : new int[] {1, 4, 7, 8}) {
                luceneOptimized(bits, train, query, truth, rows);
            }
            String table = table(rows, device, queries, train.length) + "\nLoad average at the start: " + startLoad
                    + "; at the end of the recall runs: " + loadAverage() + " (/proc/loadavg: 1, 5, 15 min).\n";
            String scheduling = scheduling(device, train, quick);
            Files.createDirectories(out);
            Files.writeString(out.resolve("vector-codec.md"), table + "\n" + scheduling);
            RecallChart.write(rows, out.resolve("vector-codec-recall.png"));
            System.out.println(table);
            System.out.println(scheduling);
            log("wrote %s and %s", out.resolve("vector-codec.md"), out.resolve("vector-codec-recall.png"));
        }
    }

    /** One codec: fitted once, encoded once; the rows k = 1..K decode the first k stages of the same codes. */
    private static void rfsq(Device device, Levels levels, int stages, Strategy strategy, float[][] train, float[][] query,
            int[][] truth, List<Row> rows) {
        long t = System.nanoTime();
        try (VectorCodec codec = VectorCodec.fit(device, VectorCodecConfig.of(levels, stages, strategy), train)) {
            double fit = seconds(t);
            codec.encode(Arrays.copyOf(train, 4096)); // warm-up
            t = System.nanoTime();
            byte[] codes = codec.encode(train);
            double encode = train.length / seconds(t);
            for (int k = 1; k <= stages; k++) {
                t = System.nanoTime();
                float[][] decoded = codec.decode(codes, k);
                double decode = train.length / seconds(t);
                String name = "RFSQ " + strategy.label() + " " + levels + " k=" + k + (k < stages ? " of " + stages : "");
                rows.add(measure("RFSQ " + strategy.label(), name, codec.codeSizeBytes(k), train, decoded, query, truth,
                        k == stages ? encode : Double.NaN, decode, fit));
            }
        }
    }

    /** Lucene99's ScalarQuantizer: int7 at the format's default confidence interval, int4 with the dynamic one. */
    private static void luceneScalar(int bits, float[][] train, float[][] query, int[][] truth, List<Row> rows) throws IOException {
        int dim = train[0].length;
        long t = System.nanoTime();
        FloatVectorValues values = FloatVectorValues.fromFloats(Arrays.asList(train), dim);
        ScalarQuantizer sq = bits == 7
                ? ScalarQuantizer.fromVectors(values, Math.max(0.9f, 1f - 1f / (dim + 1)), train.length, (byte) 7)
                : ScalarQuantizer.fromVectorsAutoInterval(values, VectorSimilarityFunction.EUCLIDEAN, train.length, (byte) bits);
        double fit = seconds(t);
        byte[][] codes = new byte[train.length][dim];
        for (int i = 0; i < 4096; i++) {
            sq.quantize(train[i], codes[i], VectorSimilarityFunction.EUCLIDEAN); // warm-up
        }
        t = System.nanoTime();
        for (int i = 0; i < train.length; i++) {
            sq.quantize(train[i], codes[i], VectorSimilarityFunction.EUCLIDEAN);
        }
        double encode = train.length / seconds(t);
        float[][] decoded = new float[train.length][dim];
        t = System.nanoTime();
        for (int i = 0; i < train.length; i++) {
            sq.deQuantize(codes[i], decoded[i]);
        }
        double decode = train.length / seconds(t);
        // Lucene99ScalarQuantizedVectorsFormat stores int7 as a byte per dimension, int4 (compressed) as a nibble,
        // plus a float correction per vector.
        int bytes = (bits == 7 ? dim : (dim + 1) / 2) + 4;
        String name = "Lucene ScalarQuantizer int" + bits + (bits == 7 ? " (confidence 1-1/(D+1))" : " (dynamic interval)");
        rows.add(measure("Lucene ScalarQuantizer", name, bytes, train, decoded, query, truth, encode, decode, fit));
    }

    /**
     * Lucene's OptimizedScalarQuantizer (the Lucene104 scalar-quantized format; 1 bit is its "BBQ"): centered on the
     * training mean, per-vector intervals. Stored per vector: the packed codes and 16 bytes of corrections.
     */
    private static void luceneOptimized(int bits, float[][] train, float[][] query, int[][] truth, List<Row> rows) {
        int dim = train[0].length;
        long t = System.nanoTime();
        float[] centroid = new float[dim];
        for (float[] v : train) {
            for (int d = 0; d < dim; d++) {
                centroid[d] += v[d] / train.length;
            }
        }
        OptimizedScalarQuantizer osq = new OptimizedScalarQuantizer(VectorSimilarityFunction.EUCLIDEAN);
        double fit = seconds(t);
        byte[][] codes = new byte[train.length][dim];
        OptimizedScalarQuantizer.QuantizationResult[] corrections = new OptimizedScalarQuantizer.QuantizationResult[train.length];
        float[] scratch = new float[dim];
        for (int i = 0; i < 4096; i++) {
            System.arraycopy(train[i], 0, scratch, 0, dim);
            osq.scalarQuantize(scratch, codes[i], (byte) bits, centroid); // warm-up
        }
        t = System.nanoTime();
        for (int i = 0; i < train.length; i++) {
            System.arraycopy(train[i], 0, scratch, 0, dim); // scalarQuantize centers its input in place
            corrections[i] = osq.scalarQuantize(scratch, codes[i], (byte) bits, centroid);
        }
        double encode = train.length / seconds(t);
        float[][] decoded = new float[train.length][dim];
        t = System.nanoTime();
        for (int i = 0; i < train.length; i++) {
            OptimizedScalarQuantizer.deQuantize(codes[i], decoded[i], (byte) bits, corrections[i].lowerInterval(),
                    corrections[i].upperInterval(), centroid);
        }
        double decode = train.length / seconds(t);
        int bytes = (dim * bits + 7) / 8 + 16;
        rows.add(measure("Lucene OptimizedScalarQuantizer", "Lucene OptimizedScalarQuantizer " + bits + " bit", bytes,
                train, decoded, query, truth, encode, decode, fit));
    }

    private static Row measure(String family, String name, int bytes, float[][] train, float[][] decoded, float[][] query,
            int[][] truth, double encode, double decode, double fit) {
        double sq = 0;
        for (int i = 0; i < train.length; i++) {
            for (int d = 0; d < train[i].length; d++) {
                double e = train[i][d] - decoded[i][d];
                sq += e * e;
            }
        }
        double mse = sq / ((double) train.length * train[0].length);
        double recall = ExactSearch.recall(ExactSearch.knn(decoded, query, K_NN), truth);
        Row row = new Row(family, name, bytes, recall, mse, encode, decode, fit);
        log("%-62s %5d B  recall@10 %.4f  MSE %9.2f  encode %s/s  decode %s/s  fit %.1f s", name, bytes, recall, mse,
                rate(encode), rate(decode), fit);
        return row;
    }

    private static String table(List<Row> rows, Device device, int queries, int base) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Fashion-MNIST, %d base vectors x 784, %d queries, recall@%d of exact L2 search over"
                + " decoded vectors vs over the originals; MSE in pixel units (0..255); device %s.%n%n", base, queries, K_NN, device));
        sb.append("| method | bytes/vector | recall@10 | MSE | encode vectors/s | decode vectors/s | fit s |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.4f | %.2f | %s | %s | %.1f |%n", r.method(), r.bytes(), r.recall(),
                    r.mse(), Double.isNaN(r.encodePerSecond()) ? "(same code)" : rate(r.encodePerSecond()),
                    rate(r.decodePerSecond()), r.fitSeconds()));
        }
        return sb.toString();
    }

    /**
     * Encode throughput by vectors per native image (the codes are the same, only the op's scheduling changes), for
     * the codec end to end and for the native forward alone on a latent already on the device: D = 784 (196
     * positions per vector) and D = 16 (4 positions per vector, where one image per vector is nearly the (N,C,1,1)
     * layout).
     */
    private static String scheduling(Device device, float[][] train, boolean quick) {
        StringBuilder sb = new StringBuilder();
        sb.append("| D | vectors per native image | positions per image | codec encode vectors/s | native forward vectors/s |\n");
        sb.append("|---:|---:|---:|---:|---:|\n");
        SplittableRandom random = new SplittableRandom(1234);
        float[][] small = new float[quick ? 20_000 : 200_000][16];
        for (float[] v : small) {
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) random.nextDouble(-2, 2);
            }
        }
        Levels levels = Levels.of(4, 4, 4, 4);
        for (float[][] data : new float[][][] {train, small}) {
            int dim = data[0].length, p = (dim + 3) / 4;
            for (int perImage : new int[] {1, 8, 64, 512}) {
                VectorCodecConfig cfg = VectorCodecConfig.of(levels, 4, Strategy.LAYERNORM).withFitSteps(0)
                        .withImagePositions(perImage * p);
                double codecRate, nativeRate;
                try (VectorCodec codec = VectorCodec.fit(device, cfg, data)) {
                    codec.encode(Arrays.copyOf(data, Math.min(data.length, 4096)));
                    long t = System.nanoTime();
                    codec.encode(data);
                    codecRate = data.length / seconds(t);
                }
                try (Scope scope = Scope.open(device)) {
                    Rfsq rfsq = Rfsq.builder(levels).stages(4).strategy(Strategy.LAYERNORM).statsMode(StatsMode.RUNNING).build(scope);
                    int n = Math.min(data.length, 8192 * 4);
                    long images = (n + perImage - 1) / perImage;
                    Tensor z = scope.allocate(DType.F32, images, 4, 1, (long) perImage * p);
                    float[] host = new float[Math.toIntExact(z.numel())];
                    for (int i = 0; i < host.length; i++) {
                        host[i] = (float) random.nextDouble(-2, 2);
                    }
                    z.copyFrom(host);
                    rfsq.encode(z).indices().free();
                    int repeats = 5;
                    long t = System.nanoTime();
                    for (int r = 0; r < repeats; r++) {
                        rfsq.encode(z).indices().free();
                    }
                    device.sync();
                    nativeRate = (double) n * repeats / seconds(t);
                }
                sb.append(String.format(Locale.ROOT, "| %d | %d | %d | %s | %s |%n", dim, perImage, perImage * p, rate(codecRate), rate(nativeRate)));
                log("scheduling D=%d, %d vectors/image: codec %s/s, native forward %s/s", dim, perImage, rate(codecRate), rate(nativeRate));
            }
        }
        return sb.toString();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String rate(double perSecond) {
        if (Double.isNaN(perSecond)) {
            return "-";
        }
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void log(String format, Object... args) {
        System.err.println("VectorCodecBench: " + String.format(Locale.ROOT, format, args));
    }
}
