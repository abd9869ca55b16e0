package dev.rfsq4j.nn;

import dev.rfsq4j.DType;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.quant.Lfq;
import java.util.Map;

/** LFQ as a training layer: no parameters, an auxiliary loss (commitment + entropy, per their weights). */
public final class LfqQuantizer implements LatentQuantizer {
    private final Lfq lfq;
    private final WorkBuffers work;
    private Lfq.Output last;

    public LfqQuantizer(Lfq lfq, WorkBuffers work) {
        this.lfq = lfq;
        this.work = work;
    }

    /** The quantizer itself, for inference (encode, decode). */
    public Lfq lfq() {
        return lfq;
    }

    @Override
    public int channels() {
        return lfq.channels();
    }

    @Override
    public Tensor forward(Tensor z) {
        long b = z.dim(0), h = z.dim(2), w = z.dim(3);
        Lfq.Output out = new Lfq.Output(work.floats("lfq.q", z.shape()), work.get("lfq.indices", DType.I32, b, h, w),
                work.floats("lfq.loss", 1));
        lfq.forward(z, out);
        last = out;
        return out.q();
    }

    @Override
    public Quantized quantize(Tensor z) {
        Lfq.Output out = lfq.forward(z); // LFQ keeps no state: its training forward is its inference
        out.loss().free();
        return new Quantized(out.q(), out.indices(), null, null);
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
        Tensor dz = work.floats("lfq.dz", z.shape());
        lfq.backward(z, dzhat, dz);
        return dz;
    }

    @Override
    public Map<String, Tensor> buffers() {
        return Map.of();
    }

    private Lfq.Output last() {
        if (last == null) {
            throw new IllegalStateException("no forward has run yet");
        }
        return last;
    }
}
