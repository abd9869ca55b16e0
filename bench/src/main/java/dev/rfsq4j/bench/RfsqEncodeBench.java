package dev.rfsq4j.bench;

import static dev.rfsq4j.bindings.rfsq_h.*;

import dev.rfsq4j.bindings.rfsq_levels;
import dev.rfsq4j.bindings.rfsq_rfsq_cfg;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * RFSQ forward (encode) on a CPU context through the raw bindings: one call per batch of 16 latents of 32x32.
 * Throughput is in images per second (16 per call).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(RfsqEncodeBench.B)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class RfsqEncodeBench {
    static final int B = 16, H = 32, W = 32;

    /** Spec §3 presets: 2x2048 = [8,8,8,4] with K=2, 4x1024 = [4,4,4,4,4] with K=4. */
    @Param({"2x2048", "4x1024"})
    public String config;

    @Param({"none", "scale", "layernorm"})
    public String strategy;

    private Arena arena;
    private CpuContext cpu;
    private MemorySegment cfg, z, params, zhat, idx, stats;

    @Setup(Level.Trial)
    public void setup() {
        int[] levels = config.equals("2x2048") ? new int[] {8, 8, 8, 4} : new int[] {4, 4, 4, 4, 4};
        int stages = config.equals("2x2048") ? 2 : 4;
        int c = levels.length;
        arena = Arena.ofConfined();
        cfg = rfsq_rfsq_cfg.allocate(arena);
        MemorySegment lv = rfsq_rfsq_cfg.levels(cfg);
        rfsq_levels.count(lv, c);
        MemorySegment.copy(levels, 0, rfsq_levels.levels(lv), ValueLayout.JAVA_INT, 0, c);
        rfsq_rfsq_cfg.stages(cfg, stages);
        rfsq_rfsq_cfg.strategy(cfg, switch (strategy) {
            case "none" -> RFSQ_STRATEGY_NONE();
            case "scale" -> RFSQ_STRATEGY_SCALE();
            case "layernorm" -> RFSQ_STRATEGY_LAYERNORM();
            default -> throw new IllegalArgumentException(strategy);
        });

        cpu = new CpuContext();
        // Random latents: zeros would all land in one bin and hide the real per-element cost.
        Random rnd = new Random(1234);
        float[] zh = new float[B * c * H * W];
        for (int i = 0; i < zh.length; i++) zh[i] = (float) rnd.nextGaussian();
        z = cpu.upload(zh);
        params = switch (strategy) {
            case "scale" -> cpu.upload(new float[stages]); // theta = 0: s = ln 2, the reference init
            case "layernorm" -> {
                float[] p = new float[stages * 2 * c]; // gamma = 1, beta = 0 per stage
                for (int k = 0; k < stages; k++) Arrays.fill(p, k * 2 * c, k * 2 * c + c, 1f);
                yield cpu.upload(p);
            }
            default -> MemorySegment.NULL;
        };
        zhat = cpu.alloc(4L * zh.length);
        idx = cpu.alloc(4L * B * H * W * stages);
        stats = strategy.equals("layernorm") ? cpu.alloc(4L * stages * B * c * 2) : MemorySegment.NULL;
        forward(); // fail here, not inside a measurement, if the call is rejected
    }

    @Benchmark
    public int forward() {
        int rc = rfsq_rfsq_forward(cpu.ctx, cfg, z, B, H, W, params, MemorySegment.NULL, zhat, idx, stats,
                MemorySegment.NULL);
        if (rc != RFSQ_OK()) CpuContext.check(rc, "rfsq_rfsq_forward");
        return rc;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cpu.close();
        arena.close();
    }
}
