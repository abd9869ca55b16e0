package dev.rfsq4j;

import dev.rfsq4j.bindings.rfsq_h;

/** Turns rfsq.h status codes into exceptions. */
final class Status {
    private Status() {}

    /**
     * Throws for a negative status. Must run on the thread that made the failed call, right after it: the native
     * message is thread-local and overwritten by the next call.
     */
    static void check(int status, String op) {
        if (status >= 0) {
            return;
        }
        String message = rfsq_h.rfsq_last_error().reinterpret(Long.MAX_VALUE).getString(0);
        throw new RfsqException(status, message.isEmpty() ? op + " failed with " + name(status) : message);
    }

    static String name(int status) {
        if (status == rfsq_h.RFSQ_OK()) return "RFSQ_OK";
        if (status == rfsq_h.RFSQ_E_INVALID()) return "RFSQ_E_INVALID";
        if (status == rfsq_h.RFSQ_E_NO_DEVICE()) return "RFSQ_E_NO_DEVICE";
        if (status == rfsq_h.RFSQ_E_CUDA()) return "RFSQ_E_CUDA";
        if (status == rfsq_h.RFSQ_E_NOMEM()) return "RFSQ_E_NOMEM";
        if (status == rfsq_h.RFSQ_E_NONFINITE()) return "RFSQ_E_NONFINITE";
        if (status == rfsq_h.RFSQ_E_RANGE()) return "RFSQ_E_RANGE";
        return "status " + status;
    }
}
