package dev.rfsq4j.cli;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Small helpers the subcommands share. */
final class Commands {
    private Commands() {}

    /** An integer >= 1 (a malformed or smaller one throws IllegalArgumentException, a usage error via Options). */
    static int positive(String text) {
        int n = Integer.parseInt(text.strip());
        if (n < 1) {
            throw new IllegalArgumentException("must be >= 1, got " + n);
        }
        return n;
    }

    /** A finished task's result; its failure rethrown as it was thrown. */
    static <T> T take(Future<T> f) throws Exception {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw (Error) e.getCause();
        }
    }
}
