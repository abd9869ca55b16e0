package dev.rfsq4j.eval;

import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.nn.Conv2d;
import dev.rfsq4j.nn.MaxPool2d;
import dev.rfsq4j.nn.ParameterStore;
import dev.rfsq4j.nn.Relu;
import java.util.Map;

/**
 * VGG16's feature stack up to relu5_3 with fixed weights (a frozen {@link ParameterStore}: the backward computes
 * input gradients only): five blocks of 3x3 convolutions with ReLU, 2x2 max-pools between them. The forward keeps
 * every activation (in buffers reused while the batch fits) and hands out the five block outputs LPIPS compares
 * (relu1_2, relu2_2, relu3_3, relu4_3, relu5_3); the backward runs for the first n images of the last forward.
 */
final class Vgg16Features {
    /** Indices into {@link Vgg16Backbone#CONVS} of each block's convolutions. */
    private static final int[][] BLOCKS = {{0, 1}, {2, 3}, {4, 5, 6}, {7, 8, 9}, {10, 11, 12}};

    /** Adds the gradient of the loss at block output {@code tap} (0..4) of the first n images into (or, for tap 4, writes) g. */
    @FunctionalInterface
    interface TapGradient {
        void add(int tap, Tensor g);
    }

    private final Conv2d[] convs = new Conv2d[Vgg16Backbone.CONVS.size()];
    private final Buffers buffers;
    private Tensor input;
    private final Tensor[] outputs = new Tensor[convs.length];
    private final Tensor[] pooled = new Tensor[BLOCKS.length - 1];

    Vgg16Features(Scope scope, Map<String, float[]> weights) {
        this.buffers = new Buffers(scope);
        ParameterStore.Layout layout = new ParameterStore.Layout();
        for (Vgg16Backbone.Conv c : Vgg16Backbone.CONVS) {
            Conv2d.declare(layout, "features." + c.index(), c.in(), c.out(), 3);
        }
        ParameterStore store = ParameterStore.allocateFrozen(layout, scope);
        for (int i = 0; i < convs.length; i++) {
            Vgg16Backbone.Conv c = Vgg16Backbone.CONVS.get(i);
            store.value(c.weight()).copyFrom(weights.get(c.weight()));
            store.value(c.bias()).copyFrom(weights.get(c.bias()));
            convs[i] = new Conv2d("features." + c.index(), c.in(), c.out(), 3, 1, 1, store);
        }
    }

    /** Runs x (N,3,H,W), H and W at least 16; returns the five block outputs (views, valid until the next forward). */
    Tensor[] forward(Tensor x) {
        input = x;
        Tensor[] taps = new Tensor[BLOCKS.length];
        Tensor cur = x;
        for (int b = 0; b < BLOCKS.length; b++) {
            if (b > 0) {
                Tensor p = buffers.get("pool" + b, MaxPool2d.outputShape(cur.shape()));
                MaxPool2d.forward(cur, p);
                pooled[b - 1] = p;
                cur = p;
            }
            for (int k : BLOCKS[b]) {
                Tensor y = buffers.get("act" + k, convs[k].outputShape(cur.shape()));
                convs[k].forward(cur, y);
                Relu.forward(y, y);
                outputs[k] = y;
                cur = y;
            }
            taps[b] = cur;
        }
        return taps;
    }

    /** The input gradient dInput (n,3,H,W) of the first n images of the last forward, given the taps' gradients. */
    void backward(long n, TapGradient head, Tensor dInput) {
        int last = BLOCKS[BLOCKS.length - 1][BLOCKS[BLOCKS.length - 1].length - 1];
        Tensor g = buffers.get("grad" + last, first(n, outputs[last]).shape());
        head.add(BLOCKS.length - 1, g);
        for (int b = BLOCKS.length - 1; b >= 0; b--) {
            int[] block = BLOCKS[b];
            for (int i = block.length - 1; i >= 0; i--) {
                int k = block[i];
                Relu.backward(first(n, outputs[k]), g, g);
                Tensor in = i > 0 ? outputs[block[i - 1]] : b > 0 ? pooled[b - 1] : input;
                Tensor dx = b == 0 && i == 0 ? dInput
                        : buffers.get(i > 0 ? "grad" + block[i - 1] : "gradpool" + b, first(n, in).shape());
                convs[k].backward(first(n, in), g, dx);
                g = dx;
            }
            if (b > 0) {
                int tapConv = BLOCKS[b - 1][BLOCKS[b - 1].length - 1];
                Tensor dTap = buffers.get("grad" + tapConv, first(n, outputs[tapConv]).shape());
                MaxPool2d.backward(first(n, outputs[tapConv]), g, dTap);
                head.add(b - 1, dTap);
                g = dTap;
            }
        }
    }

    /** The first n images of t (a view). */
    static Tensor first(long n, Tensor t) {
        long[] shape = t.shape();
        shape[0] = n;
        return t.view(0, shape);
    }
}
