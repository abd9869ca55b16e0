package dev.rfsq4j.nn;

import dev.rfsq4j.DType;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.quant.VqEma;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * VQ-EMA as a training layer: the codebook follows its EMA, not the optimizer, so all of its state is buffers,
 * named as the reference's nn.Embedding and buffers ({@code quantizer.embed.weight}, {@code quantizer.cluster_size},
 * {@code quantizer.embed_avg}).
 */
public final class VqEmaQuantizer implements LatentQuantizer {
    private final VqEma vq;
    private final WorkBuffers work;
    private VqEma.Output last;

    public VqEmaQuantizer(VqEma vq, WorkBuffers work) {
        this.vq = vq;
        this.work = work;
    }

    /** The quantizer itself, for inference (encode, decode). */
    public VqEma vq() {
        return vq;
    }

    @Override
    public int channels() {
        return vq.dim();
    }

    @Override
    public Tensor forward(Tensor z) {
        long b = z.dim(0), h = z.dim(2), w = z.dim(3);
        VqEma.Output out = new VqEma.Output(work.floats("vq.zq", z.shape()), work.get("vq.indices", DType.I32, b, h, w),
                work.floats("vq.loss", 1));
        vq.forward(z, out);
        last = out;
        return out.zq();
    }

    @Override
    public Quantized quantize(Tensor z) {
        VqEma.Output out = vq.quantize(z);
        out.loss().free();
        return new Quantized(out.zq(), out.indices(), null, null);
    }

    @Override
    public Tensor auxLoss() {
        return last().loss();
    }

    @Override
    public Tensor indices() {
        return last().indices();
    }

    @Override
    public Tensor backward(Tensor z, Tensor dzhat) {
        Tensor dz = work.floats("vq.dz", z.shape());
        vq.backward(z, last().zq(), dzhat, dz);
        return dz;
    }

    @Override
    public Map<String, Tensor> buffers() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("quantizer.embed.weight", vq.codebook());
        state.put("quantizer.cluster_size", vq.clusterSize());
        state.put("quantizer.embed_avg", vq.embedAvg());
        return state;
    }

    private VqEma.Output last() {
        if (last == null) {
            throw new IllegalStateException("no forward has run yet");
        }
        return last;
    }
}
