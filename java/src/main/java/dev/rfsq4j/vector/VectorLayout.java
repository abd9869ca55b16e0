package dev.rfsq4j.vector;

/**
 * How a vector of D floats becomes an RFSQ latent of C channels (one per FSQ level) and P = ceil(D / C) positions:
 * dimension d sits at channel d / P, position d % P (channel-major: each channel holds P consecutive dimensions,
 * so the FSQ index of a position combines dimensions p, P + p, 2P + p, ...). When C does not divide D, the last
 * C*P - D slots (the tail of the last channel) are padding: they hold the fitted mean (0 after standardization),
 * are quantized with the rest, cost their bits, and are dropped by decode.
 *
 * <p>A batch is laid out as images of {@code vectorsPerImage} vectors each, (B, C, 1, vectorsPerImage * P), vector
 * slots side by side along W; the last image is padded with zero vectors. Under statistics frozen at fit time every
 * position is quantized on its own, so the grouping changes the native op's scheduling (one team per image), never
 * a code.
 */
record VectorLayout(int dimension, int channels, int positions, int vectorsPerImage) {
    VectorLayout {
        if (dimension < 1 || channels < 1 || vectorsPerImage < 1) {
            throw new IllegalArgumentException("dimension, channels and vectors per image must be >= 1, got "
                    + dimension + ", " + channels + ", " + vectorsPerImage);
        }
        if (positions != ceilDiv(dimension, channels)) {
            throw new IllegalArgumentException("positions must be ceil(" + dimension + " / " + channels + "), got " + positions);
        }
    }

    static VectorLayout of(int dimension, int channels, int vectorsPerImage) {
        return new VectorLayout(dimension, channels, ceilDiv(dimension, channels), vectorsPerImage);
    }

    VectorLayout withVectorsPerImage(int vectorsPerImage) {
        return new VectorLayout(dimension, channels, positions, vectorsPerImage);
    }

    /** Positions along W of one image. */
    long imageWidth() {
        return (long) vectorsPerImage * positions;
    }

    /** Images needed for n vectors. */
    long images(long n) {
        return (n + vectorsPerImage - 1) / vectorsPerImage;
    }

    /** Floats of the latent for n vectors (whole images, padding included). */
    long latentFloats(long n) {
        return images(n) * channels * imageWidth();
    }

    /** Offset in the latent of vector i's channel c, position 0 (its P positions follow contiguously). */
    long offset(long i, int c) {
        long image = i / vectorsPerImage, slot = i % vectorsPerImage;
        return (image * channels + c) * imageWidth() + slot * positions;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
