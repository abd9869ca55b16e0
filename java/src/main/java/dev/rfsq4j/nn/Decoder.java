package dev.rfsq4j.nn;

import dev.rfsq4j.Tensor;
import java.util.SplittableRandom;

/**
 * The reference decoder (spec §4): Conv(C→256, k1) → ReLU → ConvT(256→128, k4 s2 p1) → ReLU → ConvT(128→3, k4 s2 p1),
 * no output activation; parameters {@code decoder.0/2/4}. As in the {@link Encoder}: blocked activations between
 * the convolutions, ReLUs fused into them.
 */
public final class Decoder {
    private static final ConvIo IN = new ConvIo(ConvLayout.NCHW, ConvLayout.BLOCKED, true, false);
    private static final ConvIo MID = new ConvIo(ConvLayout.BLOCKED, ConvLayout.BLOCKED, true, true);
    private static final ConvIo OUT = new ConvIo(ConvLayout.BLOCKED, ConvLayout.NCHW, false, true);

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
        Shapes s = shapes(zhat);
        Tensor d1 = work.floats("dec.d1", s.d1);
        conv0.forward(zhat, d1, IN);
        Tensor d2 = work.floats("dec.d2", s.d2);
        conv2.forward(d1, d2, MID);
        Tensor xhat = work.floats("dec.xhat", s.xhat);
        conv4.forward(d2, xhat, OUT);
        return xhat;
    }

    /** dzhat (a work buffer) and the parameter gradients for dxhat, after {@link #forward} of zhat. */
    public Tensor backward(Tensor zhat, Tensor dxhat) {
        Shapes s = shapes(zhat);
        Tensor d1 = work.floats("dec.d1", s.d1);
        Tensor d2 = work.floats("dec.d2", s.d2);
        Tensor dd2 = work.floats("dec.dd2", s.d2);
        conv4.backward(d2, dxhat, dd2, OUT);
        Tensor dd1 = work.floats("dec.dd1", s.d1);
        conv2.backward(d1, dd2, dd1, MID);
        Tensor dzhat = work.floats("dec.dzhat", zhat.shape());
        conv0.backward(zhat, dd1, dzhat, IN);
        return dzhat;
    }

    /** The activations' buffer shapes: d1, d2 blocked, xhat NCHW. */
    private record Shapes(long[] d1, long[] d2, long[] xhat) {}

    private Shapes shapes(Tensor zhat) {
        long[] d1 = conv0.outputShape(zhat.shape()), d2 = conv2.outputShape(d1), xhat = conv4.outputShape(d2);
        return new Shapes(ConvLayout.BLOCKED.shape(zhat.device(), d1), ConvLayout.BLOCKED.shape(zhat.device(), d2), xhat);
    }
}
