package dev.rfsq4j.vector;

import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.quant.Strategy;
import java.util.Objects;

/**
 * What {@link VectorCodec#fit} builds: RFSQ with {@code stages} stages of {@code levels} (one FSQ level per channel,
 * so a D-dimensional vector becomes ceil(D / C) positions of C channels) and a strategy, and how it is fitted.
 *
 * @param fitSteps Adam steps on reconstruction MSE (scale: theta; layernorm: gamma, beta); 0 keeps the initial
 *     parameters (theta = 0, gamma = 1, beta = 0). The none strategy has nothing to train.
 * @param fitBatch vectors per step (drawn at random, with replacement, from the sample)
 * @param learningRate Adam's initial learning rate, decayed linearly to 0 over the steps
 * @param statsSample layernorm: at most this many sample vectors (evenly spaced) give the frozen statistics
 * @param seed the batches' random stream: a fit is a function of the sample, this config and the backend
 * @param imagePositions scheduling only: about how many latent positions one native image holds when encoding and
 *     decoding (whole vectors per image, at least one); codes do not depend on it
 */
public record VectorCodecConfig(Levels levels, int stages, Strategy strategy, int fitSteps, int fitBatch,
        double learningRate, int statsSample, long seed, int imagePositions) {
    public static final int DEFAULT_FIT_STEPS = 300;
    public static final int DEFAULT_FIT_BATCH = 256;
    public static final double DEFAULT_LEARNING_RATE = 0.05;
    public static final int DEFAULT_STATS_SAMPLE = 8192;
    public static final long DEFAULT_SEED = 1234;
    public static final int DEFAULT_IMAGE_POSITIONS = 1024;

    public VectorCodecConfig {
        Objects.requireNonNull(levels, "levels");
        Objects.requireNonNull(strategy, "strategy");
        if (stages < 1 || stages > Rfsq.MAX_STAGES) {
            throw new IllegalArgumentException("stages must be 1.." + Rfsq.MAX_STAGES + ", got " + stages);
        }
        if (fitSteps < 0 || fitBatch < 1 || statsSample < 1 || imagePositions < 1) {
            throw new IllegalArgumentException("fit steps must be >= 0, fit batch, stats sample and image positions >= 1, got "
                    + fitSteps + ", " + fitBatch + ", " + statsSample + ", " + imagePositions);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
        }
    }

    /** The defaults: 300 Adam steps of 256 vectors at lr 0.05, 8192 vectors for statistics, seed 1234. */
    public static VectorCodecConfig of(Levels levels, int stages, Strategy strategy) {
        return new VectorCodecConfig(levels, stages, strategy, DEFAULT_FIT_STEPS, DEFAULT_FIT_BATCH,
                DEFAULT_LEARNING_RATE, DEFAULT_STATS_SAMPLE, DEFAULT_SEED, DEFAULT_IMAGE_POSITIONS);
    }

    public VectorCodecConfig withFitSteps(int steps) {
        return new VectorCodecConfig(levels, stages, strategy, steps, fitBatch, learningRate, statsSample, seed, imagePositions);
    }

    public VectorCodecConfig withFitBatch(int batch) {
        return new VectorCodecConfig(levels, stages, strategy, fitSteps, batch, learningRate, statsSample, seed, imagePositions);
    }

    public VectorCodecConfig withLearningRate(double lr) {
        return new VectorCodecConfig(levels, stages, strategy, fitSteps, fitBatch, lr, statsSample, seed, imagePositions);
    }

    public VectorCodecConfig withStatsSample(int vectors) {
        return new VectorCodecConfig(levels, stages, strategy, fitSteps, fitBatch, learningRate, vectors, seed, imagePositions);
    }

    public VectorCodecConfig withSeed(long newSeed) {
        return new VectorCodecConfig(levels, stages, strategy, fitSteps, fitBatch, learningRate, statsSample, newSeed, imagePositions);
    }

    public VectorCodecConfig withImagePositions(int positions) {
        return new VectorCodecConfig(levels, stages, strategy, fitSteps, fitBatch, learningRate, statsSample, seed, positions);
    }
}
