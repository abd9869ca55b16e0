package dev.rfsq4j;

/** Which native backend a {@link Device} runs on. */
public enum Backend {
    /** CUDA when a usable GPU is present, else CPU. */
    AUTO,
    CPU,
    CUDA;

    /** AUTO resolved against the GPUs present now; CPU and CUDA resolve to themselves. */
    public Backend resolve() {
        if (this != AUTO) {
            return this;
        }
        return Native.cudaDeviceCount() > 0 ? CUDA : CPU;
    }

    /** Parses a command-line name: auto, cpu or cuda (any case). */
    public static Backend parse(String name) {
        for (Backend b : values()) {
            if (b.name().equalsIgnoreCase(name)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown device '" + name + "' (expected auto, cpu or cuda)");
    }
}
