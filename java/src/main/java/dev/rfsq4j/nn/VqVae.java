package dev.rfsq4j.nn;

import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The reference VQ-VAE (spec §4): encoder, quantizer, decoder, with explicit forward and backward. All parameters
 * are in one {@link ParameterStore} named as PyTorch's state_dict of the reference model; activations are work
 * buffers reused from step to step.
 */
public final class VqVae {
    private final QuantizerSpec spec;
    private final ParameterStore store;
    private final Encoder encoder;
    private final LatentQuantizer quantizer;
    private final Decoder decoder;
    private Tensor x;
    private Tensor z;
    private Tensor zhat;
    private Tensor xhat;

    /** Allocates parameters and work buffers in scope, initialized as PyTorch would (spec §4) from seed. */
    public VqVae(QuantizerSpec spec, Scope scope, long seed) {
        this.spec = spec;
        int c = spec.latentChannels();
        ParameterStore.Layout layout = new ParameterStore.Layout();
        Encoder.declare(layout, c);
        spec.declare(layout);
        Decoder.declare(layout, c);
        this.store = ParameterStore.allocate(layout, scope);
        WorkBuffers work = new WorkBuffers(scope);
        this.encoder = new Encoder(c, store, work);
        this.decoder = new Decoder(c, store, work);
        SplittableRandom random = new SplittableRandom(seed);
        encoder.initialize(random);
        decoder.initialize(random);
        this.quantizer = spec.build(store, work, random.nextLong());
    }

    public QuantizerSpec spec() {
        return spec;
    }

    public ParameterStore parameters() {
        return store;
    }

    public LatentQuantizer quantizer() {
        return quantizer;
    }

    /** Non-learned state saved in checkpoints (running statistics, EMA codebooks), by state_dict name. */
    public Map<String, Tensor> buffers() {
        return quantizer.buffers();
    }

    /** Training forward of normalized images x (B,3,H,W), H and W multiples of 4: the reconstruction xhat. */
    public Tensor forward(Tensor x) {
        checkImages(x);
        this.x = x;
        this.z = encoder.forward(x);
        this.zhat = quantizer.forward(z);
        this.xhat = decoder.forward(zhat);
        return xhat;
    }

    /**
     * Inference: the latent z (B,C,H/4,W/4) of normalized images x (B,3,H,W), H and W multiples of 4. A work buffer
     * of this model, valid until its next call; nothing is kept for a backward.
     */
    public Tensor encode(Tensor x) {
        checkImages(x);
        return encoder.forward(x);
    }

    /** Inference: the reconstruction (B,3,4H,4W) in normalized units of a quantized latent (B,C,H,W); a work buffer. */
    public Tensor decode(Tensor zhat) {
        return decoder.forward(zhat);
    }

    /** Every parameter gradient for the gradient dxhat of the last forward's xhat (overwritten, not accumulated). */
    public void backward(Tensor dxhat) {
        if (xhat == null) {
            throw new IllegalStateException("backward needs a forward first");
        }
        Tensor dzhat = decoder.backward(zhat, dxhat);
        Tensor dz = quantizer.backward(z, dzhat);
        encoder.backward(x, dz);
    }

    private static void checkImages(Tensor x) {
        if (x.rank() != 4 || x.dim(2) % 4 != 0 || x.dim(3) % 4 != 0) {
            throw new IllegalArgumentException("images must be (B,3,H,W) with H and W multiples of 4, got " + x.describe());
        }
    }

    /** The last forward's latent z (B,C,H/4,W/4). */
    public Tensor latent() {
        return z;
    }

    /** The last forward's quantized latent. */
    public Tensor quantizedLatent() {
        return zhat;
    }

    /** The last forward's reconstruction. */
    public Tensor reconstruction() {
        return xhat;
    }
}
