package dev.rfsq4j.train;

import dev.rfsq4j.nn.Adam;
import dev.rfsq4j.nn.LrSchedule;
import dev.rfsq4j.nn.QuantizerSpec;
import java.util.Locale;

/**
 * Everything that defines a training run (spec §5's recipe by default, see {@link Presets}). {@link #identity()}
 * names what must not change across a resume. lpips: the loss's LPIPS-VGG term, or null for L1 only.
 */
public record TrainConfig(
        String preset,
        QuantizerSpec quantizer,
        int batch,
        long steps,
        int imageSize,
        long seed,
        LrSchedule schedule,
        Adam.Config adam,
        double l1Weight,
        int logEvery,
        int checkpointEvery,
        LpipsLoss lpips) {
    /** A run whose loss is L1 (+ the quantizer's auxiliary loss) only. */
    public TrainConfig(String preset, QuantizerSpec quantizer, int batch, long steps, int imageSize, long seed,
            LrSchedule schedule, Adam.Config adam, double l1Weight, int logEvery, int checkpointEvery) {
        this(preset, quantizer, batch, steps, imageSize, seed, schedule, adam, l1Weight, logEvery, checkpointEvery, null);
    }

    public TrainConfig {
        if (batch < 1 || steps < 1 || imageSize < 4 || imageSize % 4 != 0 || logEvery < 1 || checkpointEvery < 1) {
            throw new IllegalArgumentException("batch, steps, log and checkpoint intervals must be >= 1 and the image size a"
                    + " multiple of 4, got batch " + batch + ", steps " + steps + ", image size " + imageSize + ", log every "
                    + logEvery + ", checkpoint every " + checkpointEvery);
        }
        double floats = (double) batch * 3 * imageSize * imageSize; // a double: the product may overflow a long
        if (floats > Integer.MAX_VALUE - 8) { // one batch is one float array
            throw new IllegalArgumentException(String.format(Locale.ROOT, "a batch of %d images of %dx%d px is"
                    + " %.4g floats, more than one array holds (%d): lower --batch or --image-size", batch, imageSize,
                    imageSize, floats, Integer.MAX_VALUE - 8));
        }
        if (!(l1Weight >= 0) || !Double.isFinite(l1Weight)) {
            throw new IllegalArgumentException("the L1 weight must be finite and >= 0, got " + l1Weight);
        }
    }

    /** The settings a resumed run must share with the run it continues (all but the step count and intervals). */
    public String identity() {
        return "preset=" + preset + " quantizer=" + quantizer + " batch=" + batch + " image=" + imageSize + " seed=" + seed
                + " schedule=" + schedule + " adam=" + adam + " l1=" + l1Weight
                + (lpips == null ? "" : " lpips=" + lpips.weight()); // absent for L1-only runs, as before LPIPS existed
    }
}
