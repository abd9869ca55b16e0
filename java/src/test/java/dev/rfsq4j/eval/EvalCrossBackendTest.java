package dev.rfsq4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rfsq4j.Approx;
import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.nn.MaxPool2d;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The CPU and CUDA backends agree on the evaluation ops: max-pool, the image metrics, LPIPS and its gradient. */
@ExtendWith(NoLeaks.class)
class EvalCrossBackendTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void needsAGpu() {
        Backends.assumeCuda();
    }

    private record Run(float[] pooled, float[] poolGrad, List<ImageScores> scores, float[] lpips, float[] grad) {}

    private static Run run(Backend backend, Path backbone, float[] x, float[] y, float[] dy, int b, int s)
            throws Exception {
        try (Device device = Device.open(backend); Lpips lpips = Lpips.load(device, backbone);
                Scope scope = Scope.openPoisoned(device)) {
            Tensor tx = scope.fromArray(x, b, 3, s, s), ty = scope.fromArray(y, b, 3, s, s);
            Tensor pooled = scope.allocate(DType.F32, b, 3, s / 2, s / 2), dx = scope.allocate(DType.F32, b, 3, s, s);
            MaxPool2d.forward(tx, pooled);
            MaxPool2d.backward(tx, scope.fromArray(dy, b, 3, s / 2, s / 2), dx);
            Tensor d = scope.allocate(DType.F32, b), grad = scope.fromArray(new float[x.length], b, 3, s, s);
            lpips.lossAndGradient(ty, tx, InputRange.UNIT_UNSCALED, 1.0, d, grad);
            return new Run(pooled.toFloatArray(), dx.toFloatArray(), ImageMetrics.perImage(tx, ty),
                    lpips.distance(ty, tx, InputRange.UNIT), grad.toFloatArray());
        }
    }

    @Test
    void cpuAndCudaAgree() throws Exception {
        SplittableRandom random = Seeds.random("eval cross-backend");
        int b = 3, s = 48;
        float[] x = Seeds.gaussian(random, b * 3 * s * s, 1.0), y = Seeds.gaussian(random, x.length, 1.0);
        for (int i = 0; i < x.length; i++) {
            y[i] = 0.7f * x[i] + 0.3f * y[i];
        }
        float[] dy = Seeds.gaussian(random, b * 3 * (s / 2) * (s / 2), 1.0);
        Path backbone = RandomBackbone.write(tmp, "eval cross-backend backbone");
        Run cpu = run(Backend.CPU, backbone, x, y, dy, b, s), gpu = run(Backend.CUDA, backbone, x, y, dy, b, s);
        assertArrayEquals(cpu.pooled(), gpu.pooled(), "max-pool forward");
        assertArrayEquals(cpu.poolGrad(), gpu.poolGrad(), "max-pool backward");
        for (int i = 0; i < b; i++) {
            ImageScores c = cpu.scores().get(i), g = gpu.scores().get(i);
            assertEquals(c.l1(), g.l1(), 1e-6 * c.l1(), "l1");
            assertEquals(c.psnr(), g.psnr(), 1e-5, "psnr");
            assertEquals(c.psnrPaper(), g.psnrPaper(), 1e-5, "psnr (paper)");
            assertEquals(c.ssim(), g.ssim(), 1e-6, "ssim");
            assertEquals(c.msSsim(), g.msSsim(), 1e-6, "ms-ssim");
        }
        Approx.assertClose("lpips", cpu.lpips(), gpu.lpips(), 1e-7, 1e-4);
        double scale = 0;
        for (float v : cpu.grad()) {
            scale = Math.max(scale, Math.abs(v));
        }
        Approx.assertClose("lpips gradient", cpu.grad(), gpu.grad(), 1e-4 * scale, 1e-3);
    }
}
