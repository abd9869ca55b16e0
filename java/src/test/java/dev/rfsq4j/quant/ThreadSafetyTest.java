package dev.rfsq4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One Device and one Rfsq shared by several threads give the same results as one thread. */
@ExtendWith(NoLeaks.class)
class ThreadSafetyTest {
    private static final int INPUTS = 8;
    private static final int THREADS = 4;
    private static final int ROUNDS = 3;

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void concurrentEncodesEqualSequentialOnes(Backend backend) throws Exception {
        SplittableRandom random = Seeds.random("threads " + backend);
        Levels levels = Levels.of(8, 8, 8, 4);
        int b = 2, c = levels.count(), h = 8, w = 8;
        try (Device device = Backends.open(backend); Scope shared = Scope.open(device)) {
            Rfsq rfsq = Rfsq.builder(levels).stages(2).strategy(Strategy.LAYERNORM).build(shared);
            List<Tensor> inputs = new ArrayList<>();
            List<int[]> indices = new ArrayList<>();
            List<float[]> stats = new ArrayList<>();
            for (int i = 0; i < INPUTS; i++) {
                Tensor z = shared.fromArray(Seeds.gaussian(random, b * c * h * w, 1.0), b, c, h, w);
                inputs.add(z);
                Rfsq.Encoded e = rfsq.encode(z);
                indices.add(e.indices().toIntArray());
                stats.add(e.stats().toFloatArray());
            }
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int offset = t;
                    futures.add(pool.submit(() -> {
                        for (int round = 0; round < ROUNDS; round++) {
                            for (int j = 0; j < INPUTS; j++) {
                                int i = (j + offset) % INPUTS;
                                Rfsq.Encoded e = rfsq.encode(inputs.get(i));
                                assertArrayEquals(indices.get(i), e.indices().toIntArray(), "indices of input " + i);
                                assertArrayEquals(stats.get(i), e.stats().toFloatArray(), "stats of input " + i);
                                e.indices().free();
                                e.stats().free();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
        }
    }
}
