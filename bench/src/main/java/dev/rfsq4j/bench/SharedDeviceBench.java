package dev.rfsq4j.bench;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.quant.Strategy;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * RFSQ encode (rfsq-2x2048 layernorm, 16 latents of 4 x 32 x 32) through the Java API from JMH's threads, on one
 * Device shared by all of them (calls serialized by its lock) or on one Device per thread. Run with {@code -t 1, 2,
 * 8}, and with OMP_NUM_THREADS=1 to see one OpenMP thread per context. Score: calls/s (16 images per call).
 */
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SharedDeviceBench {
    static final int B = 16, C = 4, H = 32, W = 32;

    /** A Session for the trial; the subclasses say who shares it. */
    public abstract static class Holder {
        Session session;

        @Setup(Level.Trial)
        public void setup() {
            session = new Session();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            session.close();
        }
    }

    /** One Device and quantizer for every thread. */
    @State(Scope.Benchmark)
    public static class Shared extends Holder {}

    /** A Device and quantizer per thread. */
    @State(Scope.Thread)
    public static class PerThread extends Holder {}

    static final class Session implements AutoCloseable {
        final Device device = Device.open(Backend.CPU);
        final dev.rfsq4j.Scope scope = dev.rfsq4j.Scope.open(device);
        final Rfsq rfsq = Rfsq.builder(Levels.of(8, 8, 8, 4)).stages(2).strategy(Strategy.LAYERNORM).build(scope);
        final Tensor z;

        Session() {
            SplittableRandom random = new SplittableRandom(1234);
            float[] host = new float[B * C * H * W];
            for (int i = 0; i < host.length; i++) {
                host[i] = (float) random.nextGaussian();
            }
            z = scope.fromArray(host, B, C, H, W);
        }

        int encode() {
            Rfsq.Encoded e = rfsq.encode(z); // outputs in z's scope: freed at once, as a request's scope would be
            e.indices().free();
            e.stats().free();
            return 0;
        }

        @Override
        public void close() {
            device.close();
        }
    }

    @Benchmark
    public int sharedDevice(Shared s) {
        return s.session.encode();
    }

    @Benchmark
    public int devicePerThread(PerThread s) {
        return s.session.encode();
    }
}
