package dev.rfsq4j.nn;

import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.Lfq;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import dev.rfsq4j.quant.VqEma;

/**
 * What sits between encoder and decoder: its configuration, the parameters it declares, and how it is built. Sealed:
 * the three kinds below are every quantizer the model, checkpoints and token files know.
 */
public sealed interface QuantizerSpec {
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

        /** A builder of this configuration (initial parameters). */
        public Rfsq.Builder builder() {
            return builder(levels, stages, strategy, statsMode, momentum);
        }

        private static Rfsq.Builder builder(Levels levels, int stages, Strategy strategy, StatsMode statsMode, double momentum) {
            return Rfsq.builder(levels).stages(stages).strategy(strategy).statsMode(statsMode).momentum(momentum);
        }
    }

    /** LFQ with bits = C channels; weights of the commitment and entropy losses (0 and 0 in the reference). */
    record LfqSpec(int bits, double commitmentWeight, double entropyWeight, double diversityGamma, double invTemperature)
            implements QuantizerSpec {
        public LfqSpec {
            builder(bits, commitmentWeight, entropyWeight, diversityGamma, invTemperature); // validates
        }

        @Override
        public int latentChannels() {
            return bits;
        }

        @Override
        public double bitsPerPosition() {
            return bits;
        }

        @Override
        public long codebookSize() {
            return 1L << bits;
        }

        @Override
        public void declare(ParameterStore.Layout layout) {}

        @Override
        public LatentQuantizer build(ParameterStore store, WorkBuffers work, long seed) {
            return new LfqQuantizer(builder(bits, commitmentWeight, entropyWeight, diversityGamma, invTemperature)
                    .build(work.scope().device()), work);
        }

        @Override
        public String toString() {
            return "LFQ " + bits + " bits (commitment weight " + commitmentWeight + ", entropy weight " + entropyWeight
                    + ", diversity " + diversityGamma + ", inverse temperature " + invTemperature + ")";
        }

        private static Lfq.Builder builder(int bits, double wc, double we, double gamma, double tau) {
            return Lfq.builder(bits).commitmentWeight(wc).entropyWeight(we).diversityGamma(gamma).invTemperature(tau);
        }
    }

    /** VQ-EMA with M codes of dimension D = C; deadThreshold 0: no dead-code restart. */
    record VqEmaSpec(int codes, int dim, double decay, double eps, double commitmentWeight, double deadThreshold)
            implements QuantizerSpec {
        public VqEmaSpec {
            builder(codes, dim, decay, eps, commitmentWeight, deadThreshold); // validates
        }

        @Override
        public int latentChannels() {
            return dim;
        }

        @Override
        public double bitsPerPosition() {
            return Math.log(codes) / Math.log(2);
        }

        @Override
        public long codebookSize() {
            return codes;
        }

        @Override
        public void declare(ParameterStore.Layout layout) {}

        @Override
        public LatentQuantizer build(ParameterStore store, WorkBuffers work, long seed) {
            return new VqEmaQuantizer(builder(codes, dim, decay, eps, commitmentWeight, deadThreshold).build(work.scope(), seed),
                    work);
        }

        @Override
        public String toString() {
            return "VQ-EMA " + codes + "x" + dim + " (decay " + decay + ", eps " + eps + ", commitment weight "
                    + commitmentWeight + (deadThreshold > 0 ? ", dead-code restart below " + deadThreshold : "") + ")";
        }

        private static VqEma.Builder builder(int codes, int dim, double decay, double eps, double wc, double dead) {
            return VqEma.builder(codes, dim).decay(decay).eps(eps).commitmentWeight(wc).deadCodeThreshold(dead);
        }
    }
}
