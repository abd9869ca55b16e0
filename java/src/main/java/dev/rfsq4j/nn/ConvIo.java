package dev.rfsq4j.nn;

import dev.rfsq4j.bindings.rfsq_h;
import java.util.Objects;

/**
 * How one convolution call reads and writes its activations: the layouts of x (and dx) and y (and dy); relu: the
 * forward writes max(conv + bias, 0), fused into the convolution; reluInput: x is the output of such a ReLU, and
 * the backward folds that ReLU's backward into dx (dx = 0 where x = 0), so no separate ReLU op runs.
 */
public record ConvIo(ConvLayout input, ConvLayout output, boolean relu, boolean reluInput) {
    /** NCHW in and out, no ReLU: what {@link Conv2d#forward(dev.rfsq4j.Tensor, dev.rfsq4j.Tensor)} does. */
    public static final ConvIo PLAIN = new ConvIo(ConvLayout.NCHW, ConvLayout.NCHW, false, false);

    public ConvIo {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
    }

    int forwardFlags() {
        return layoutFlags() | (relu ? rfsq_h.RFSQ_CONV_RELU() : 0);
    }

    int backwardFlags() {
        return layoutFlags() | (reluInput ? rfsq_h.RFSQ_CONV_RELU_X() : 0);
    }

    private int layoutFlags() {
        return (input == ConvLayout.BLOCKED ? rfsq_h.RFSQ_CONV_X_BLOCKED() : 0)
                | (output == ConvLayout.BLOCKED ? rfsq_h.RFSQ_CONV_Y_BLOCKED() : 0);
    }
}
