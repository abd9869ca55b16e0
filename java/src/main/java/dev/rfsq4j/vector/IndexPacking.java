package dev.rfsq4j.vector;

/**
 * Indices of one vector's code, bit-packed: ceil(log2 codebook) bits per index, stage-major (all P positions of
 * stage 1, then stage 2, ...), each index least significant bit first into a little-endian bit stream (bit j of
 * the stream is bit j % 8 of byte j / 8). Stage-major order makes the first {@link #bytes(int) bytes(k)} bytes of a
 * code a k-stage code. Unused bits of the last byte are zero.
 */
record IndexPacking(int positions, int stages, int bitsPerIndex, int codebook) {
    IndexPacking {
        if (bitsPerIndex < 1 || bitsPerIndex > 31 || codebook < 2 || codebook > 1L << bitsPerIndex) {
            throw new IllegalArgumentException("bad packing: " + bitsPerIndex + " bits for a codebook of " + codebook);
        }
    }

    static IndexPacking of(int positions, int stages, int codebook) {
        return new IndexPacking(positions, stages, 32 - Integer.numberOfLeadingZeros(codebook - 1), codebook);
    }

    /** Bytes of a code that holds the first k stages. */
    int bytes(int k) {
        return (int) (((long) k * positions * bitsPerIndex + 7) / 8);
    }

    /**
     * Packs vector i's indices from idx (layout (vector, position, stage): idx[(i*P + p)*K + s]) into
     * out[outOffset, outOffset + bytes(stages)).
     */
    void pack(int[] idx, int i, byte[] out, int outOffset) {
        long acc = 0;
        int filled = 0, at = outOffset;
        int base = i * positions * stages;
        for (int s = 0; s < stages; s++) {
            for (int p = 0; p < positions; p++) {
                acc |= (long) idx[base + p * stages + s] << filled;
                filled += bitsPerIndex;
                while (filled >= 8) {
                    out[at++] = (byte) acc;
                    acc >>>= 8;
                    filled -= 8;
                }
            }
        }
        if (filled > 0) {
            out[at] = (byte) acc;
        }
    }

    /**
     * Unpacks the first k stages of the code at in[inOffset...] into idx (layout (vector, position, stage) with k
     * stages) for vector slot i; an index outside the codebook (a corrupt code) fails, naming the vector.
     */
    void unpack(byte[] in, int inOffset, int k, int[] idx, int i, long vectorNumber) {
        long acc = 0;
        int filled = 0, at = inOffset;
        int mask = (1 << bitsPerIndex) - 1;
        int base = i * positions * k;
        for (int s = 0; s < k; s++) {
            for (int p = 0; p < positions; p++) {
                while (filled < bitsPerIndex) {
                    acc |= (long) (in[at++] & 0xFF) << filled;
                    filled += 8;
                }
                int index = (int) (acc & mask);
                acc >>>= bitsPerIndex;
                filled -= bitsPerIndex;
                if (index >= codebook) {
                    throw new IllegalArgumentException("code of vector " + vectorNumber + " holds index " + index
                            + " at stage " + (s + 1) + ", position " + p + ", outside the codebook of " + codebook
                            + " (a corrupt code, or one from another codec)");
                }
                idx[base + p * k + s] = index;
            }
        }
    }
}
