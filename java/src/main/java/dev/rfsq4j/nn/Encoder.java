package dev.rfsq4j.nn;

import dev.rfsq4j.Tensor;
import java.util.SplittableRandom;

/**
 * The reference encoder (spec §4): Conv(3→128, k4 s2 p1) → ReLU → Conv(128→256, k4 s2 p1) → ReLU → Conv(256→C, k1),
 * parameters {@code encoder.0/2/4} as PyTorch's nn.Sequential names them. The activations between the convolutions
 * stay in the device's blocked layout ({@link ConvLayout}); each ReLU is fused into the convolution before it, and its
 * backward into the backward of the convolution after it (which needs only the ReLU's output).
 */
public final class Encoder {
    private static final ConvIo IN = new ConvIo(ConvLayout.NCHW, ConvLayout.BLOCKED, true, false);
    private static final ConvIo MID = new ConvIo(ConvLayout.BLOCKED, ConvLayout.BLOCKED, true, true);
    private static final ConvIo OUT = new ConvIo(ConvLayout.BLOCKED, ConvLayout.NCHW, false, true);

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
        Shapes s = shapes(x);
        Tensor a1 = work.floats("enc.a1", s.a1);
        conv0.forward(x, a1, IN);
        Tensor a2 = work.floats("enc.a2", s.a2);
        conv2.forward(a1, a2, MID);
        Tensor z = work.floats("enc.z", s.z);
        conv4.forward(a2, z, OUT);
        return z;
    }

    /** Parameter gradients for dz, after {@link #forward} of x (the images need no gradient). */
    public void backward(Tensor x, Tensor dz) {
        Shapes s = shapes(x);
        Tensor a1 = work.floats("enc.a1", s.a1);
        Tensor a2 = work.floats("enc.a2", s.a2);
        Tensor da2 = work.floats("enc.da2", s.a2);
        conv4.backward(a2, dz, da2, OUT);
        Tensor da1 = work.floats("enc.da1", s.a1);
        conv2.backward(a1, da2, da1, MID);
        conv0.backward(x, da1, null, IN);
    }

    /** The activations' buffer shapes: a1, a2 blocked, z NCHW. */
    private record Shapes(long[] a1, long[] a2, long[] z) {}

    private Shapes shapes(Tensor x) {
        long[] a1 = conv0.outputShape(x.shape()), a2 = conv2.outputShape(a1), z = conv4.outputShape(a2);
        return new Shapes(ConvLayout.BLOCKED.shape(x.device(), a1), ConvLayout.BLOCKED.shape(x.device(), a2), z);
    }
}
