package dev.rfsq4j.nn;

import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;

/** What sits between encoder and decoder: its configuration, the parameters it declares, and how it is built. */
public interface QuantizerSpec {
    /** Latent channels C of the model. */
    int latentChannels();

    /** Bits per latent position (indices only). */
    double bitsPerPosition();

    /** Codebook entries per stage (index range). */
    long codebookSize();

    /** Declares its learnable parameters (if any) in the model's layout. */
    void declare(ParameterStore.Layout layout);

    /** Builds it over the store (initializing its parameters); seed draws random initial state (codebooks). */
    LatentQuantizer build(ParameterStore store, WorkBuffers work, long seed);

    /** RFSQ with K stages (FSQ is K = 1, none). */
    record RfsqSpec(Levels levels, int stages, Strategy strategy, StatsMode statsMode, double momentum)
            implements QuantizerSpec {
        public RfsqSpec {
            builder(levels, stages, strategy, statsMode, momentum); // validates
        }

        @Override
        public int latentChannels() {
            return levels.count();
        }

        @Override
        public double bitsPerPosition() {
            return stages * levels.bits();
        }

        @Override
        public long codebookSize() {
            return levels.codebookSize();
        }

        @Override
        public void declare(ParameterStore.Layout layout) {
            RfsqQuantizer.declare(layout, builder());
        }

        @Override
        public LatentQuantizer build(ParameterStore store, WorkBuffers work, long seed) {
            return new RfsqQuantizer(builder(), store, work);
        }

        /** As runs print it: "RFSQ 2x[8,8,8,4] layernorm (per-image stats)". */
        @Override
        public String toString() {
            String stats = statsMode == StatsMode.PARITY ? " (per-image stats)" : " (running stats, momentum " + momentum + ")";
            return (stages == 1 && strategy == Strategy.NONE ? "FSQ " + levels : "RFSQ " + stages + "x" + levels + " "
                    + strategy.label()) + (strategy == Strategy.LAYERNORM ? stats : "");
        }

        Rfsq.Builder builder() {
            return builder(levels, stages, strategy, statsMode, momentum);
        }

        private static Rfsq.Builder builder(Levels levels, int stages, Strategy strategy, StatsMode statsMode, double momentum) {
            return Rfsq.builder(levels).stages(stages).strategy(strategy).statsMode(statsMode).momentum(momentum);
        }
    }
}
