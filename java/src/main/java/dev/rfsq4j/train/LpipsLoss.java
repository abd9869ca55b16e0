package dev.rfsq4j.train;

import java.nio.file.Path;

/**
 * The LPIPS-VGG term of the training loss (spec §5): weight * mean over the batch of LPIPS(denorm(x̂), denorm(x)),
 * fed [0, 1] images unscaled as the reference does, with VGG16 weights from backbone (see
 * {@link dev.rfsq4j.eval.Lpips#load}).
 */
public record LpipsLoss(Path backbone, double weight) {
    public LpipsLoss {
        if (backbone == null) {
            throw new IllegalArgumentException("LPIPS needs a VGG16 backbone file");
        }
        if (!(weight >= 0) || !Double.isFinite(weight)) {
            throw new IllegalArgumentException("the LPIPS weight must be finite and >= 0, got " + weight);
        }
    }
}
