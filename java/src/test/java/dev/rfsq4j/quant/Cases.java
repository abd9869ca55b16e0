package dev.rfsq4j.quant;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** Shared inputs of the RFSQ tests: level sets of spec §3 plus odd levels, and random parameters. */
final class Cases {
    /** (levels, stages): the spec's presets and one configuration with odd levels. */
    static final Object[][] CONFIGS = {
        {Levels.of(8, 8, 8, 4), 2},
        {Levels.of(4, 4, 4, 4, 4), 4},
        {Levels.of(8, 8, 8, 8), 1},
        {Levels.of(8, 5, 5, 3), 3},
    };

    private Cases() {}

    /** Random parameters in rfsq.h's layout: theta in [-1, 1.5]; gamma in [0.5, 2], beta in [-0.5, 0.5]. */
    static float[] randomParams(SplittableRandom random, Strategy strategy, int stages, int channels) {
        return switch (strategy) {
            case NONE -> null;
            case SCALE -> {
                float[] theta = new float[stages];
                for (int k = 0; k < stages; k++) {
                    theta[k] = (float) random.nextDouble(-1, 1.5);
                }
                yield theta;
            }
            case LAYERNORM -> {
                float[] p = new float[stages * 2 * channels];
                for (int k = 0; k < stages; k++) {
                    for (int c = 0; c < channels; c++) {
                        p[k * 2 * channels + c] = (float) random.nextDouble(0.5, 2);
                        p[k * 2 * channels + channels + c] = (float) random.nextDouble(-0.5, 0.5);
                    }
                }
                yield p;
            }
        };
    }

    /** rfsq with params copied in (a strategy without parameters has null params); returns rfsq. */
    static Rfsq withParams(Rfsq rfsq, float[] params) {
        if (params != null) {
            rfsq.parameters().copyFrom(params);
        }
        return rfsq;
    }

    /** Every backend x strategy x statistics mode, for parameterized tests. */
    static Stream<Arguments> backendsStrategiesModes() {
        List<Arguments> out = new ArrayList<>();
        for (Backend backend : new Backend[] {Backend.CPU, Backend.CUDA}) {
            for (Strategy strategy : Strategy.values()) {
                for (StatsMode mode : StatsMode.values()) {
                    out.add(Arguments.of(backend, strategy, mode));
                }
            }
        }
        return out.stream();
    }

    static double[] toDouble(float[] a) {
        return a == null ? null : Seeds.toDouble(a);
    }

    /** Mask of index positions (B,H,W,K) whose value may differ in float32: any channel tainted at that stage. */
    static boolean[] indexMask(Reference.Result ref, int b, int c, int hw, int stages) {
        boolean[] mask = new boolean[b * hw * stages];
        for (int k = 0; k < stages; k++) {
            for (int i = 0; i < b * c * hw; i++) {
                if (ref.tainted[k][i]) {
                    mask[(i / (c * hw) * hw + i % hw) * stages + k] = true;
                }
            }
        }
        return mask;
    }

    /** Mask of rnorm (B,K): any element of the image tainted at that stage. */
    static boolean[] rnormMask(Reference.Result ref, int b, int c, int hw, int stages) {
        boolean[] mask = new boolean[b * stages];
        for (int k = 0; k < stages; k++) {
            for (int i = 0; i < b * c * hw; i++) {
                mask[i / (c * hw) * stages + k] |= ref.tainted[k][i];
            }
        }
        return mask;
    }

    /** Mask of stats (K,B,C,2) from the per-plane taint. */
    static boolean[] statsMask(Reference.Result ref) {
        boolean[] mask = new boolean[ref.statsTainted.length * 2];
        for (int s = 0; s < ref.statsTainted.length; s++) {
            mask[2 * s] = mask[2 * s + 1] = ref.statsTainted[s];
        }
        return mask;
    }

    static int count(boolean[] mask) {
        int n = 0;
        for (boolean m : mask) {
            n += m ? 1 : 0;
        }
        return n;
    }
}
