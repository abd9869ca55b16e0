package dev.rfsq4j.nn;

import dev.rfsq4j.Tensor;
import java.util.SplittableRandom;

/**
 * The reference decoder (spec §4): Conv(C→256, k1) → ReLU → ConvT(256→128, k4 s2 p1) → ReLU → ConvT(128→3, k4 s2 p1),
 * no output activation; parameters {@code decoder.0/2/4}. ReLUs run in place.
 */
public final class Decoder {
    private final Conv2d conv0;
    private final ConvTranspose2d conv2;
    private final ConvTranspose2d conv4;
    private final WorkBuffers work;

    public Decoder(int latentChannels, ParameterStore store, WorkBuffers work) {
        this.conv0 = new Conv2d("decoder.0", latentChannels, 256, 1, 1, 0, store);
        this.conv2 = new ConvTranspose2d("decoder.2", 256, 128, 4, 2, 1, store);
        this.conv4 = new ConvTranspose2d("decoder.4", 128, 3, 4, 2, 1, store);
        this.work = work;
    }

    public static void declare(ParameterStore.Layout layout, int latentChannels) {
        Conv2d.declare(layout, "decoder.0", latentChannels, 256, 1);
        ConvTranspose2d.declare(layout, "decoder.2", 256, 128, 4);
        ConvTranspose2d.declare(layout, "decoder.4", 128, 3, 4);
    }

    void initialize(SplittableRandom random) {
        conv0.initialize(random);
        conv2.initialize(random);
        conv4.initialize(random);
    }

    /** Reconstruction xhat (B,3,4H,4W) in normalized units from zhat (B,C,H,W); a work buffer. */
    public Tensor forward(Tensor zhat) {
        Tensor d1 = work.floats("dec.d1", conv0.outputShape(zhat.shape()));
        conv0.forward(zhat, d1);
        Relu.forward(d1, d1);
        Tensor d2 = work.floats("dec.d2", conv2.outputShape(d1.shape()));
        conv2.forward(d1, d2);
        Relu.forward(d2, d2);
        Tensor xhat = work.floats("dec.xhat", conv4.outputShape(d2.shape()));
        conv4.forward(d2, xhat);
        return xhat;
    }

    /** dzhat (a work buffer) and the parameter gradients for dxhat, after {@link #forward} of zhat. */
    public Tensor backward(Tensor zhat, Tensor dxhat) {
        Tensor d1 = work.floats("dec.d1", conv0.outputShape(zhat.shape()));
        Tensor d2 = work.floats("dec.d2", conv2.outputShape(d1.shape()));
        Tensor dd2 = work.floats("dec.dd2", d2.shape());
        conv4.backward(d2, dxhat, dd2);
        Relu.backward(d2, dd2, dd2);
        Tensor dd1 = work.floats("dec.dd1", d1.shape());
        conv2.backward(d1, dd2, dd1);
        Relu.backward(d1, dd1, dd1);
        Tensor dzhat = work.floats("dec.dzhat", zhat.shape());
        conv0.backward(zhat, dd1, dzhat);
        return dzhat;
    }
}
