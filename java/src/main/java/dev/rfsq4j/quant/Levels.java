package dev.rfsq4j.quant;

import dev.rfsq4j.bindings.rfsq_h;
import dev.rfsq4j.bindings.rfsq_levels;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * FSQ levels, one per latent channel: 1 to 16 channels, each with at least 2 levels, and a codebook (the product)
 * below 2^31 so that an index fits an int32.
 */
public record Levels(int[] values) {
    /** rfsq.h's RFSQ_MAX_LEVELS. */
    public static final int MAX_CHANNELS = 16;

    public Levels {
        values = values.clone();
        if (values.length < 1 || values.length > MAX_CHANNELS) {
            throw new IllegalArgumentException(
                    "levels must have 1 to " + MAX_CHANNELS + " entries (one per channel), got " + values.length);
        }
        long product = 1;
        for (int v : values) {
            if (v < 2) {
                throw new IllegalArgumentException("every level must be >= 2, got " + Arrays.toString(values));
            }
            product *= v;
            if (product >= 1L << 31) {
                throw new IllegalArgumentException(
                        "the product of levels " + Arrays.toString(values) + " must be < 2^31 (indices are int32)");
            }
        }
    }

    public static Levels of(int... values) {
        return new Levels(values);
    }

    /** Parses a comma-separated list such as {@code 8,8,8,4}. */
    public static Levels parse(String text) {
        String[] parts = text.split(",", -1);
        int[] values = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                values[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("levels must be comma-separated integers such as 8,8,8,4, got '" + text + "'");
            }
        }
        return new Levels(values);
    }

    @Override
    public int[] values() {
        return values.clone();
    }

    /** Number of channels C. */
    public int count() {
        return values.length;
    }

    public int get(int channel) {
        return values[channel];
    }

    /** Codebook size: the product of the levels. */
    public int codebookSize() {
        int product = 1;
        for (int v : values) {
            product *= v;
        }
        return product;
    }

    /** Bits per index: log2 of the codebook size. */
    public double bits() {
        return Math.log(codebookSize()) / Math.log(2);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Levels other && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    /** As messages show it: {@code [8,8,8,4]}. */
    @Override
    public String toString() {
        return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
    }

    /** Fills an {@code rfsq_levels} struct. */
    void writeTo(MemorySegment struct) {
        rfsq_levels.count(struct, values.length);
        MemorySegment array = rfsq_levels.levels(struct);
        for (int i = 0; i < values.length; i++) {
            array.setAtIndex(rfsq_h.C_INT, i, values[i]);
        }
    }
}
