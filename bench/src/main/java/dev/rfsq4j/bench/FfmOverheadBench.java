package dev.rfsq4j.bench;

import static dev.rfsq4j.bindings.rfsq_h.*;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * The fixed cost of one FFM downcall: a trivial native function, and the smallest real op of rfsq.h (ReLU with
 * n = 1 on a CPU context, which also validates its arguments), against a Java call that does nothing.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class FfmOverheadBench {
    private CpuContext cpu;
    private MemorySegment x, y;

    @Setup(Level.Trial)
    public void setup() {
        cpu = new CpuContext();
        x = cpu.upload(new float[] {-0.75f});
        y = cpu.alloc(4);
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private static int javaNoop() {
        return 1;
    }

    /** Baseline: a Java call kept out of line, as a downcall is. */
    @Benchmark
    public int javaCall() {
        return javaNoop();
    }

    /** rfsq_abi_version(): no arguments, returns a constant. */
    @Benchmark
    public int abiVersion() {
        return rfsq_abi_version();
    }

    /** rfsq_relu_forward with n = 1: four arguments, validation, one float. */
    @Benchmark
    public int reluForward1() {
        return rfsq_relu_forward(cpu.ctx, x, 1, y);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cpu.close();
    }
}
