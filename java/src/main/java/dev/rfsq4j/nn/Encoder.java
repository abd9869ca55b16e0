package dev.rfsq4j.nn;

import dev.rfsq4j.Tensor;
import java.util.SplittableRandom;

/**
 * The reference encoder (spec §4): Conv(3→128, k4 s2 p1) → ReLU → Conv(128→256, k4 s2 p1) → ReLU → Conv(256→C, k1),
 * parameters {@code encoder.0/2/4} as PyTorch's nn.Sequential names them. ReLUs run in place on the conv outputs:
 * their backward needs only that output.
 */
public final class Encoder {
    private final Conv2d conv0;
    private final Conv2d conv2;
    private final Conv2d conv4;
    private final WorkBuffers work;

    public Encoder(int latentChannels, ParameterStore store, WorkBuffers work) {
        this.conv0 = new Conv2d("encoder.0", 3, 128, 4, 2, 1, store);
        this.conv2 = new Conv2d("encoder.2", 128, 256, 4, 2, 1, store);
        this.conv4 = new Conv2d("encoder.4", 256, latentChannels, 1, 1, 0, store);
        this.work = work;
    }

    public static void declare(ParameterStore.Layout layout, int latentChannels) {
        Conv2d.declare(layout, "encoder.0", 3, 128, 4);
        Conv2d.declare(layout, "encoder.2", 128, 256, 4);
        Conv2d.declare(layout, "encoder.4", 256, latentChannels, 1);
    }

    void initialize(SplittableRandom random) {
        conv0.initialize(random);
        conv2.initialize(random);
        conv4.initialize(random);
    }

    /** z (B,C,H/4,W/4) of normalized images x (B,3,H,W); a work buffer. */
    public Tensor forward(Tensor x) {
        Tensor a1 = work.floats("enc.a1", conv0.outputShape(x.shape()));
        conv0.forward(x, a1);
        Relu.forward(a1, a1);
        Tensor a2 = work.floats("enc.a2", conv2.outputShape(a1.shape()));
        conv2.forward(a1, a2);
        Relu.forward(a2, a2);
        Tensor z = work.floats("enc.z", conv4.outputShape(a2.shape()));
        conv4.forward(a2, z);
        return z;
    }

    /** Parameter gradients for dz, after {@link #forward} of x (the images need no gradient). */
    public void backward(Tensor x, Tensor dz) {
        Tensor a1 = work.floats("enc.a1", conv0.outputShape(x.shape()));
        Tensor a2 = work.floats("enc.a2", conv2.outputShape(a1.shape()));
        Tensor da2 = work.floats("enc.da2", a2.shape());
        conv4.backward(a2, dz, da2);
        Relu.backward(a2, da2, da2);
        Tensor da1 = work.floats("enc.da1", a1.shape());
        conv2.backward(a1, da2, da1);
        Relu.backward(a1, da1, da1);
        conv0.backward(x, da1, null);
    }
}
