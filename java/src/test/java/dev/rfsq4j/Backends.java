package dev.rfsq4j;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Opens devices for tests: CPU always; CUDA cases are skipped visibly (an assumption) when no GPU is usable. */
public final class Backends {
    public static final String NO_GPU =
            "no usable CUDA device (rfsq_cuda_device_count == 0): CUDA case skipped";
    private static volatile Integer cudaDevices;

    private Backends() {}

    public static int cudaDevices() {
        if (cudaDevices == null) {
            cudaDevices = Native.cudaDeviceCount();
        }
        return cudaDevices;
    }

    public static void assumeCuda() {
        assumeTrue(cudaDevices() > 0, NO_GPU);
    }

    /** Opens backend (CPU or CUDA); for CUDA without a GPU the calling test is skipped with a message. */
    public static Device open(Backend backend) {
        if (backend == Backend.CUDA) {
            assumeCuda();
        }
        return Device.open(backend);
    }
}
