package dev.rfsq4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.RfsqException;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.nn.Adam;
import dev.rfsq4j.nn.ImageNormalization;
import dev.rfsq4j.nn.LrSchedule;
import dev.rfsq4j.nn.VqVae;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The recorded (CUDA graph) training step against the same steps run op by op; graphs refused on the CPU. */
@ExtendWith(NoLeaks.class)
class TrainingStepGraphTest {
    @Test
    void aCpuDeviceRecordsNoGraphsAndSaysSo() {
        try (Device device = Device.open(Backend.CPU)) {
            RfsqException e = assertThrows(RfsqException.class, () -> device.record(() -> {}));
            assertTrue(e.getMessage().contains("rfsq_graph_begin: a CPU context"), e.getMessage());
        }
    }

    @Test
    void replayedStepsEqualOpByOpStepsBitForBit() {
        try (Device device = Backends.open(Backend.CUDA); Scope scope = Scope.open(device)) {
            float[][] params = new float[2][];
            String[] notes = new String[2];
            for (int run = 0; run < 2; run++) {
                VqVae model = new VqVae(Presets.quantizer("rfsq-4x1024-ln"), scope, 99);
                Adam adam = new Adam(model.parameters(), Adam.Config.reference(), scope);
                try (TrainingStep step = new TrainingStep(model, adam, new LrSchedule(1e-3, 2, 100), 1,
                        new ImageNormalization(scope, ImageNormalization.IMAGENET_MEAN, ImageNormalization.IMAGENET_STD),
                        scope, run == 1)) {
                    Tensor images = scope.allocate(dev.rfsq4j.DType.F32, 4, 3, 32, 32);
                    SplittableRandom random = new SplittableRandom(5);
                    for (int n = 0; n < 5; n++) {
                        float[] batch = new float[4 * 3 * 32 * 32];
                        for (int i = 0; i < batch.length; i++) {
                            batch[i] = (float) random.nextDouble();
                        }
                        images.copyFrom(batch);
                        step.run(images);
                    }
                    params[run] = model.parameters().values().toFloatArray();
                    notes[run] = step.graphNote();
                    if (run == 1) {
                        // The recorded step refuses to replay once a tensor it uses is gone.
                        images.free();
                        IllegalStateException e = assertThrows(IllegalStateException.class, () -> step.run(images));
                        assertTrue(e.getMessage().contains("that the graph uses was freed"), e.getMessage());
                    }
                }
            }
            assertEquals("op by op (CUDA graph off)", notes[0]);
            assertTrue(notes[1].startsWith("CUDA graph: one launch per step"), notes[1]);
            assertArrayEquals(params[0], params[1], "parameters after 5 steps");
        }
    }
}
