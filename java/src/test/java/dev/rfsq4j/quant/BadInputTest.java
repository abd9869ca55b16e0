package dev.rfsq4j.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.RfsqException;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Wrong arguments fail in Java with messages that say what was expected; bad data fails natively, naming the op. */
@ExtendWith(NoLeaks.class)
class BadInputTest {
    private static final Levels LEVELS = Levels.of(8, 8, 8, 4);

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void wrongShapesAndDtypesSayWhatWasExpected(Backend backend) {
        try (Device device = Backends.open(backend); Scope scope = Scope.open(device)) {
            Rfsq rfsq = Rfsq.builder(LEVELS).stages(2).strategy(Strategy.LAYERNORM).build(scope);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> rfsq.forward(scope.allocate(DType.F32, 2, 5, 8, 8)));
            assertEquals("z must be float32 (B,4,H,W) for levels [8,8,8,4], got float32 (2,5,8,8)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> rfsq.encode(scope.allocate(DType.I32, 2, 4, 8, 8)));
            assertEquals("z must be float32 (B,4,H,W) for levels [8,8,8,4], got int32 (2,4,8,8)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> rfsq.quantize(scope.allocate(DType.F32, 4, 8, 8)));
            assertEquals("z must be float32 (B,4,H,W) for levels [8,8,8,4], got float32 (4,8,8)", e.getMessage());

            Tensor z = scope.allocate(DType.F32, 2, 4, 8, 8);
            e = assertThrows(IllegalArgumentException.class, () -> rfsq.backward(z, scope.allocate(DType.F32, 2, 4, 8, 9)));
            assertEquals("dzhat must be float32 (2,4,8,8) like z, got float32 (2,4,8,9)", e.getMessage());

            Tensor idx3 = scope.allocate(DType.I32, 2, 8, 8, 3);
            e = assertThrows(IllegalArgumentException.class, () -> rfsq.decode(idx3, null));
            assertEquals("indices must be int32 (B,H,W,2) for 2 stage(s), got int32 (2,8,8,3)", e.getMessage());
            Tensor idx = scope.allocate(DType.I32, 2, 8, 8, 2);
            e = assertThrows(IllegalArgumentException.class, () -> rfsq.decode(idx, null));
            assertTrue(e.getMessage().startsWith("decode needs the per-image stats (K,B,C,2)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> rfsq.decode(idx, scope.allocate(DType.F32, 2, 3, 4, 2)));
            assertEquals("stats must be float32 (2,2,4,2) for these indices, got float32 (2,3,4,2)", e.getMessage());

            Rfsq none = Rfsq.builder(LEVELS).stages(2).build(scope);
            e = assertThrows(IllegalArgumentException.class,
                    () -> none.decode(idx, scope.allocate(DType.F32, 2, 2, 4, 2)));
            assertTrue(e.getMessage().startsWith("stats must be null for none in parity mode"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void outOfRangeIndicesFailDecodeNamingTheOp(Backend backend) {
        for (Strategy strategy : Strategy.values()) {
            for (int bad : new int[] {LEVELS.codebookSize(), -1}) {
                try (Device device = Backends.open(backend); Scope scope = Scope.open(device)) {
                    Rfsq rfsq = Rfsq.builder(LEVELS).stages(2).strategy(strategy).statsMode(StatsMode.RUNNING)
                            .build(scope);
                    int[] indices = new int[2 * 3 * 3 * 2];
                    indices[7] = bad;
                    Tensor idx = scope.fromArray(indices, 2, 3, 3, 2);
                    RfsqException e = assertThrows(RfsqException.class, () -> rfsq.decode(idx, null),
                            strategy + " index " + bad);
                    assertEquals("RFSQ_E_RANGE", e.statusName(), e.getMessage());
                    assertTrue(e.getMessage().contains("rfsq_rfsq_decode"), e.getMessage());
                }
            }
        }
    }

    /** Decode checks the statistics it is given: NaN or infinite mu or sigma, and sigma <= 0, fail naming the op. */
    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void decodeRefusesStatisticsThatCannotBeReal(Backend backend) {
        try (Device device = Backends.open(backend); Scope scope = Scope.open(device)) {
            Rfsq rfsq = Rfsq.builder(LEVELS).stages(2).strategy(Strategy.LAYERNORM).build(scope);
            float[] z = Seeds.gaussian(Seeds.random("stats"), 2 * 4 * 4 * 4, 1.0);
            Rfsq.Encoded code = rfsq.encode(scope.fromArray(z, 2, 4, 4, 4));
            float[] good = code.stats().toFloatArray();
            rfsq.decode(code.indices(), code.stats());
            record Bad(int at, float value, String status) {}
            for (Bad bad : new Bad[] {new Bad(3, Float.NaN, "RFSQ_E_NONFINITE"), new Bad(2, Float.POSITIVE_INFINITY,
                    "RFSQ_E_NONFINITE"), new Bad(5, 0f, "RFSQ_E_INVALID"), new Bad(7, -1f, "RFSQ_E_INVALID")}) {
                float[] stats = good.clone();
                stats[bad.at()] = bad.value();
                Tensor s = scope.fromArray(stats, code.stats().shape());
                RfsqException e = assertThrows(RfsqException.class, () -> rfsq.decode(code.indices(), s), bad.toString());
                assertEquals(bad.status(), e.statusName(), e.getMessage());
                assertTrue(e.getMessage().startsWith("rfsq_rfsq_decode: ") && e.getMessage().contains("sigma"), e.getMessage());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void nonFiniteLatentsFailEncodeNamingTheOp(Backend backend) {
        for (Strategy strategy : Strategy.values()) {
            for (float poison : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
                try (Device device = Backends.open(backend); Scope scope = Scope.open(device)) {
                    Rfsq rfsq = Rfsq.builder(LEVELS).stages(2).strategy(strategy).build(scope);
                    float[] z = new float[2 * 4 * 4 * 4];
                    Arrays.fill(z, 0.3f);
                    z[37] = poison;
                    Tensor tz = scope.fromArray(z, 2, 4, 4, 4);
                    RfsqException e = assertThrows(RfsqException.class, () -> rfsq.encode(tz), strategy + " " + poison);
                    assertEquals("RFSQ_E_NONFINITE", e.statusName(), e.getMessage());
                    assertTrue(e.getMessage().contains("rfsq_rfsq_forward"), e.getMessage());
                    e = assertThrows(RfsqException.class, () -> rfsq.quantize(tz), strategy + " " + poison);
                    assertEquals("RFSQ_E_NONFINITE", e.statusName(), e.getMessage());
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void tensorsOfAnotherDeviceOrAClosedScopeAreRejected(Backend backend) {
        try (Device device = Backends.open(backend); Device other = Device.open(Backend.CPU);
                Scope scope = Scope.open(device); Scope otherScope = Scope.open(other)) {
            Rfsq rfsq = Rfsq.builder(LEVELS).stages(2).strategy(Strategy.SCALE).build(scope);
            Tensor foreign = otherScope.allocate(DType.F32, 1, 4, 2, 2);
            var e = assertThrows(IllegalArgumentException.class, () -> rfsq.encode(foreign));
            assertEquals("z belongs to another device (cpu) than this op's (" + device
                    + "); use tensors from scopes of one Device", e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> rfsq.backward(scope.allocate(DType.F32, 1, 4, 2, 2), foreign));
            assertThrows(IllegalArgumentException.class, () -> rfsq.decode(otherScope.allocate(DType.I32, 1, 2, 2, 2), null));

            Scope closed = Scope.open(device);
            Tensor stale = closed.allocate(DType.F32, 1, 4, 2, 2);
            closed.close();
            assertThrows(IllegalStateException.class, () -> rfsq.encode(stale));

            Scope paramScope = Scope.open(device);
            Rfsq orphan = Rfsq.builder(LEVELS).strategy(Strategy.SCALE).build(paramScope);
            paramScope.close();
            var s = assertThrows(IllegalStateException.class, () -> orphan.encode(scope.allocate(DType.F32, 1, 4, 2, 2)));
            assertTrue(s.getMessage().contains("after its scope was closed"), s.getMessage());
        }
    }

    @Test
    void levelsAreValidated() {
        assertEquals(2048, LEVELS.codebookSize());
        assertEquals(11.0, LEVELS.bits(), 1e-12);
        assertEquals(LEVELS, Levels.parse("8, 8,8,4"));
        assertEquals("[8,8,8,4]", LEVELS.toString());
        var e = assertThrows(IllegalArgumentException.class, () -> Levels.of(8, 1, 8));
        assertEquals("every level must be >= 2, got [8, 1, 8]", e.getMessage());
        int[] seventeen = new int[17];
        Arrays.fill(seventeen, 2);
        e = assertThrows(IllegalArgumentException.class, () -> Levels.of(seventeen));
        assertEquals("levels must have 1 to 16 entries (one per channel), got 17", e.getMessage());
        assertThrows(IllegalArgumentException.class, Levels::of);
        int[] huge = new int[16];
        Arrays.fill(huge, 4);
        e = assertThrows(IllegalArgumentException.class, () -> Levels.of(huge));
        assertTrue(e.getMessage().contains("must be < 2^31"), e.getMessage());
        assertEquals(1 << 30, Levels.of(Arrays.copyOf(huge, 15)).codebookSize());
        assertThrows(IllegalArgumentException.class, () -> Levels.parse("8,x,8"));
        assertThrows(IllegalArgumentException.class, () -> Levels.parse(""));
        int[] values = {8, 8};
        Levels copy = Levels.of(values);
        values[0] = 1;
        assertEquals(8, copy.get(0), "levels keep their own copy");
    }

    @Test
    void builderArgumentsAreValidated() {
        try (Device device = Device.open(Backend.CPU); Scope scope = Scope.open(device)) {
            Rfsq.Builder b = Rfsq.builder(LEVELS);
            assertThrows(IllegalArgumentException.class, () -> b.stages(0));
            assertThrows(IllegalArgumentException.class, () -> b.stages(17));
            assertThrows(IllegalArgumentException.class, () -> b.momentum(1.0));
            assertThrows(IllegalArgumentException.class, () -> b.initialScale(0));
            assertThrows(IllegalArgumentException.class, () -> b.initialScale(Double.NaN));
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Rfsq.builder(LEVELS).strategy(Strategy.NONE).initialScale(2).build(scope));
            assertEquals("an initial scale applies to the scale strategy only, not none", e.getMessage());
            assertEquals(Strategy.LAYERNORM, Strategy.parse("LN"));
            assertThrows(IllegalArgumentException.class, () -> Strategy.parse("lfq"));
            assertEquals(StatsMode.RUNNING, StatsMode.parse("running"));
        }
    }
}
