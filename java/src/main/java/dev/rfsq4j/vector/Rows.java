package dev.rfsq4j.vector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/** Vectors to read, from Java arrays or from native or heap memory, one row at a time. */
interface Rows {
    long count();

    int dimension();

    /** Row i: the array itself where it is one, else a copy into {@code buffer} (of length dimension()). */
    float[] row(long i, float[] buffer);

    /** float[n][D]; every row must have the same length, D >= 1. */
    static Rows of(float[][] vectors) {
        Objects.requireNonNull(vectors, "vectors");
        if (vectors.length == 0) {
            throw new IllegalArgumentException("no vectors given (an empty array)");
        }
        int d = Objects.requireNonNull(vectors[0], "vector 0").length;
        for (int i = 0; i < vectors.length; i++) {
            float[] v = Objects.requireNonNull(vectors[i], "vector " + i);
            if (v.length != d) {
                throw new IllegalArgumentException("vector " + i + " has " + v.length + " dimensions, vector 0 has " + d);
            }
        }
        if (d == 0) {
            throw new IllegalArgumentException("vectors must have at least one dimension");
        }
        return new Rows() {
            public long count() {
                return vectors.length;
            }

            public int dimension() {
                return d;
            }

            public float[] row(long i, float[] buffer) {
                return vectors[(int) i];
            }
        };
    }

    /** n row-major float32 vectors of D dimensions (native byte order) in a segment of exactly n*D*4 bytes. */
    static Rows of(MemorySegment vectors, int dimension) {
        Objects.requireNonNull(vectors, "vectors");
        long rowBytes = 4L * dimension;
        if (vectors.byteSize() == 0 || vectors.byteSize() % rowBytes != 0) {
            throw new IllegalArgumentException("a segment of " + vectors.byteSize() + " bytes is not a whole number (> 0) of "
                    + dimension + "-dimensional float32 vectors (" + rowBytes + " bytes each)");
        }
        long n = vectors.byteSize() / rowBytes;
        return new Rows() {
            public long count() {
                return n;
            }

            public int dimension() {
                return dimension;
            }

            public float[] row(long i, float[] buffer) {
                MemorySegment.copy(vectors, ValueLayout.JAVA_FLOAT_UNALIGNED, i * rowBytes, buffer, 0, dimension);
                return buffer;
            }
        };
    }

    /** The rows of {@code rows} at {@code picks}, in that order (repeats allowed). */
    static Rows select(Rows rows, long[] picks) {
        return new Rows() {
            public long count() {
                return picks.length;
            }

            public int dimension() {
                return rows.dimension();
            }

            public float[] row(long i, float[] buffer) {
                return rows.row(picks[(int) i], buffer);
            }
        };
    }
}
