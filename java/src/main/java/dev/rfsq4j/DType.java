package dev.rfsq4j;

/** Element types of device tensors: float32 for latents and codes, int32 for indices. */
public enum DType {
    F32("float32"),
    I32("int32");

    private final String label;

    DType(String label) {
        this.label = label;
    }

    /** Bytes per element (4 for both). */
    public int byteSize() {
        return 4;
    }

    /** NumPy's name, used in messages: float32 or int32. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
