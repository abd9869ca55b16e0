package dev.rfsq4j;

/** A native call failed: carries the rfsq.h status code and the native message, which names the op and the cause. */
public final class RfsqException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public RfsqException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The negative {@code RFSQ_E_*} status the native call returned. */
    public int status() {
        return status;
    }

    /** The status as its rfsq.h name, e.g. {@code RFSQ_E_RANGE}. */
    public String statusName() {
        return Status.name(status);
    }
}
