package dev.rfsq4j.bench;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.nn.Adam;
import dev.rfsq4j.nn.ImageNormalization;
import dev.rfsq4j.nn.LrSchedule;
import dev.rfsq4j.nn.VqVae;
import dev.rfsq4j.train.Presets;
import dev.rfsq4j.train.TrainingStep;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Training throughput of the reference VQ-VAE: full steps (normalize, forward, loss, backward, Adam) on random
 * images already on the device, so the figure is the model's, not the JPEG decoder's. Usage:
 * {@code TrainStepBench BACKEND BATCH SIZE WARMUP STEPS PRESET...}; prints one line per preset.
 */
public final class TrainStepBench {
    private TrainStepBench() {}

    public static void main(String[] args) {
        if (args.length < 6) {
            System.err.println("usage: TrainStepBench cpu|cuda BATCH IMAGE_SIZE WARMUP_STEPS STEPS PRESET...");
            System.exit(2);
        }
        Backend backend = Backend.parse(args[0]);
        int batch = Integer.parseInt(args[1]), size = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]), steps = Integer.parseInt(args[4]);
        for (int p = 5; p < args.length; p++) {
            try (Device device = Device.open(backend); Scope scope = Scope.open(device)) {
                VqVae model = new VqVae(Presets.quantizer(args[p]), scope, 1234);
                Adam adam = new Adam(model.parameters(), Adam.Config.reference(), scope);
                try (TrainingStep step = new TrainingStep(model, adam, new LrSchedule(8e-4, 5000, 500_000), 1,
                        new ImageNormalization(scope, ImageNormalization.IMAGENET_MEAN, ImageNormalization.IMAGENET_STD), scope)) {
                    float[] host = new float[batch * 3 * size * size];
                    SplittableRandom random = new SplittableRandom(1);
                    for (int i = 0; i < host.length; i++) {
                        host[i] = (float) random.nextDouble();
                    }
                    Tensor source = scope.fromArray(host, batch, 3, size, size);
                    Tensor images = scope.allocate(source.dtype(), source.shape());
                    for (int i = 0; i < warmup; i++) {
                        images.copyFrom(source);
                        step.run(images);
                    }
                    step.losses();
                    long start = System.nanoTime();
                    for (int i = 0; i < steps; i++) {
                        images.copyFrom(source);
                        step.run(images);
                    }
                    double loss = step.losses().total(); // waits for the device
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf(Locale.ROOT, "%-20s %s batch %d %dpx: %.1f images/s (%.1f ms/step over %d steps), loss %.4f; %s%s%n",
                            args[p], device, batch, size, steps * batch / seconds, 1e3 * seconds / steps, steps, loss,
                            step.graphNote(), device.isCuda() ? "" : ", kernels " + device.cpuIsa());
                }
            }
        }
    }
}
