package dev.rfsq4j.nn;

import dev.rfsq4j.Tensor;
import java.util.Map;

/**
 * The quantizer between encoder and decoder, as a training layer: outputs and gradients live in work buffers
 * owned by the quantizer (valid until its next call), learnable parameters in the model's {@link ParameterStore}.
 */
public sealed interface LatentQuantizer permits RfsqQuantizer, LfqQuantizer, VqEmaQuantizer {
    /** An inference result: zhat and indices; per-image stats (RFSQ layernorm, parity) and rnorm (RFSQ), or null. */
    record Quantized(Tensor zhat, Tensor indices, Tensor stats, Tensor rnorm) {}

    /** Latent channels C it quantizes. */
    int channels();

    /** Training forward of z (B,C,H,W): returns zhat (like z); updates running state (EMA codebooks, statistics). */
    Tensor forward(Tensor z);

    /** The auxiliary loss (1) of the last forward, on the device; null for quantizers without one (FSQ, RFSQ). */
    Tensor auxLoss();

    /** Inference of z: no state changes (EMA codebooks, running statistics); outputs allocated in z's scope. */
    Quantized quantize(Tensor z);

    /** Indices of the last forward: RFSQ (B,H,W,K), LFQ and VQ (B,H,W). */
    Tensor indices();

    /** dz for the gradient dzhat of zhat, after {@link #forward} of the same z; writes parameter gradients. */
    Tensor backward(Tensor z, Tensor dzhat);

    /** State that is not learned by the optimizer but saved in checkpoints, by state_dict name. */
    Map<String, Tensor> buffers();
}
