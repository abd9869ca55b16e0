package dev.rfsq4j.bench;

import dev.rfsq4j.Backend;
import dev.rfsq4j.tokens.Images;
import dev.rfsq4j.tokens.Tokenizer;
import dev.rfsq4j.tokens.Tokens;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * The public Tokenizer API on the CPU, as a service calls it: one shared Tokenizer (a checkpoint of rfsq-2x2048-ln
 * at 128 px, so 32 x 32 positions x 2 stages = 2,048 tokens per image), called from JMH's threads ({@code -t 1, 2,
 * 8}) with one image or a batch of 64 per call. encode takes float pixels (no JPEG decoding in the figure); decode
 * returns float pixels. Score: calls/s (thrpt) or time per call with percentiles (sample); images/s = calls/s x
 * batch, tokens/s = images/s x 2,048.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TokenizerBench {
    static final int SIZE = 128;

    @Param({"1", "64"})
    public int batch;

    /** Workers of the Tokenizer; 0: its default (one per core on the CPU). */
    @Param({"0"})
    public int workers;

    /** CPU threads per worker; 0: the cores divided among the workers. */
    @Param({"0"})
    public int threadsPerWorker;

    private Path checkpoint;
    private Tokenizer tokenizer;
    private float[] pixels;
    private Tokens tokens;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        checkpoint = BenchCheckpoint.create("rfsq-2x2048-ln", SIZE);
        Tokenizer.Options options = Tokenizer.Options.of(Backend.CPU);
        if (workers > 0) {
            options = options.withWorkers(workers);
        }
        tokenizer = Tokenizer.load(checkpoint, options.withThreadsPerWorker(threadsPerWorker));
        SplittableRandom random = new SplittableRandom(1234);
        pixels = new float[batch * 3 * SIZE * SIZE];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextDouble();
        }
        tokens = tokenizer.encode(pixels, batch, SIZE, SIZE);
    }

    @Benchmark
    public Tokens encode() {
        return tokenizer.encode(pixels, batch, SIZE, SIZE);
    }

    @Benchmark
    public Images decode() {
        return tokenizer.decode(tokens);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        tokenizer.close();
        BenchCheckpoint.delete(checkpoint);
    }
}
