package dev.rfsq4j.eval;

import dev.rfsq4j.Seeds;
import dev.rfsq4j.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** A random VGG16-shaped LPIPS backbone for tests (real weights cannot be shipped): He-normal, small biases. */
public final class RandomBackbone {
    private RandomBackbone() {}

    /** Writes dir/random-vgg16.safetensors with torchvision's names, drawn from seed; returns its path. */
    public static Path write(Path dir, String seed) throws IOException {
        SplittableRandom random = Seeds.random(seed);
        SafeTensors.Writer w = SafeTensors.writer();
        for (Vgg16Backbone.Conv c : Vgg16Backbone.CONVS) {
            w.add(c.weight(), new long[] {c.out(), c.in(), 3, 3},
                    Seeds.gaussian(random, c.out() * c.in() * 9, Math.sqrt(2.0 / (c.out() * 9))));
            w.add(c.bias(), new long[] {c.out()}, Seeds.gaussian(random, c.out(), 0.05));
        }
        Path file = dir.resolve("random-vgg16.safetensors");
        w.write(file);
        return file;
    }
}
