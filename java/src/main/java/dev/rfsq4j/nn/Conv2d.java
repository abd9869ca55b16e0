package dev.rfsq4j.nn;

import dev.rfsq4j.Tensor;
import java.util.SplittableRandom;

/** A 2-D convolution with bias, weight (out, in, k, k) as PyTorch's nn.Conv2d. */
public final class Conv2d {
    private final Convolution conv;

    /** Binds to the parameters {@code name.weight} and {@code name.bias} of store (see {@link #declare}). */
    public Conv2d(String name, int in, int out, int kernel, int stride, int padding, ParameterStore store) {
        this.conv = new Convolution(name, in, out, kernel, stride, padding, false, store);
    }

    public static void declare(ParameterStore.Layout layout, String name, int in, int out, int kernel) {
        Convolution.declare(layout, name, in, out, kernel, false);
    }

    /** PyTorch's default init (see spec §4), drawn from random: weight first, then bias. */
    public void initialize(SplittableRandom random) {
        conv.initialize(random);
    }

    public long[] outputShape(long[] inputShape) {
        return conv.outputShape(inputShape);
    }

    /** y = conv(x) + bias, NCHW in and out. */
    public void forward(Tensor x, Tensor y) {
        conv.forward(x, y, ConvIo.PLAIN);
    }

    /** Writes the parameter gradients (none in a frozen store), and dx unless it is null (NCHW). */
    public void backward(Tensor x, Tensor dy, Tensor dx) {
        conv.backward(x, dy, dx, ConvIo.PLAIN);
    }

    /** The forward with x and y in io's layouts and io's fused ReLU. */
    public void forward(Tensor x, Tensor y, ConvIo io) {
        conv.forward(x, y, io);
    }

    /** The backward with x, dx and dy in io's layouts, folding the backward of a ReLU that made x (io.reluInput()). */
    public void backward(Tensor x, Tensor dy, Tensor dx, ConvIo io) {
        conv.backward(x, dy, dx, io);
    }
}
