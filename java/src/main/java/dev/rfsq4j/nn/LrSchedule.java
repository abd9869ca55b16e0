package dev.rfsq4j.nn;

/**
 * The reference learning rate (spec §5), as its AnnealingLR computes it from the count i of updates already done:
 * linear warmup peak * i / W for i <= W, then linear decay peak * (T - (i - W)) / T, clamped at 0. So the first
 * update runs at lr 0 when there is a warmup, as in the reference.
 */
public record LrSchedule(double peak, long warmupSteps, long decaySteps) {
    public LrSchedule {
        if (!(peak >= 0) || !Double.isFinite(peak) || warmupSteps < 0 || decaySteps <= 0) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, warmup >= 0 and decay > 0 steps, got "
                    + peak + ", " + warmupSteps + ", " + decaySteps);
        }
    }

    /** The learning rate of update number n (counting from 1). */
    public double at(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("updates count from 1, got " + n);
        }
        long done = n - 1;
        if (warmupSteps > 0 && done <= warmupSteps) {
            return peak * done / warmupSteps;
        }
        return peak * Math.max(0, decaySteps - (done - warmupSteps)) / decaySteps;
    }
}
