package dev.rfsq4j.bench;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * Encode as a JVM service calls it: {@code Rfsq.encode(z)} through the public API on a CPU device, z already in
 * native memory, the returned indices (and per-image statistics) freed after each call. Shapes: batches of 1, 16 and
 * 128 latents of 32x32, and 10,000 vectors as (N,C,1,1). Time per call; divide the batch by it for images/s.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class RfsqApiEncodeBench {
    /** B x H x W of the latent. */
    @Param({"1x32x32", "16x32x32", "128x32x32", "10000x1x1"})
    public String shape;

    /** Spec §3 presets: 2x2048 = [8,8,8,4] with K=2, 4x1024 = [4,4,4,4,4] with K=4. */
    @Param({"2x2048", "4x1024"})
    public String config;

    /** none, scale, layernorm (per-image statistics, parity mode) or layernorm-running (frozen statistics). */
    @Param({"none", "scale", "layernorm", "layernorm-running"})
    public String strategy;

    private Device device;
    private dev.rfsq4j.Scope scope;
    private Rfsq rfsq;
    private Tensor z;

    @Setup(Level.Trial)
    public void setup() {
        String[] dims = shape.split("x");
        int b = Integer.parseInt(dims[0]), h = Integer.parseInt(dims[1]), w = Integer.parseInt(dims[2]);
        Levels levels = config.equals("2x2048") ? Levels.of(8, 8, 8, 4) : Levels.of(4, 4, 4, 4, 4);
        int stages = config.equals("2x2048") ? 2 : 4;
        device = Device.open(Backend.CPU);
        scope = dev.rfsq4j.Scope.open(device);
        rfsq = Rfsq.builder(levels).stages(stages)
                .strategy(strategy.startsWith("layernorm") ? Strategy.LAYERNORM : Strategy.valueOf(strategy.toUpperCase()))
                .statsMode(strategy.equals("layernorm-running") ? StatsMode.RUNNING : StatsMode.PARITY)
                .build(scope);
        // Random latents: zeros would all land in one bin and hide the real per-element cost.
        Random rnd = new Random(1234);
        float[] host = new float[b * levels.count() * h * w];
        for (int i = 0; i < host.length; i++) {
            host[i] = (float) rnd.nextGaussian();
        }
        z = scope.fromArray(host, b, levels.count(), h, w);
        encode(); // fail here, not inside a measurement
    }

    @Benchmark
    public Rfsq.Encoded encode() {
        Rfsq.Encoded e = rfsq.encode(z);
        e.indices().free();
        if (e.stats() != null) {
            e.stats().free();
        }
        return e;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scope.close();
        device.close();
    }
}
