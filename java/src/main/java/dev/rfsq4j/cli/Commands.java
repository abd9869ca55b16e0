package dev.rfsq4j.cli;

import dev.rfsq4j.Backend;
import dev.rfsq4j.tokens.Tokenizer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;

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

    /**
     * A parser of a stage count k in 1..stages (whose: "the checkpoint's", named in the message), for options that
     * decode from the first k stages only; a malformed or out-of-range k is a usage error via Options.convert.
     */
    static Function<String, Integer> stageCount(int stages, String whose) {
        return text -> {
            int k = Integer.parseInt(text.strip());
            if (k < 1 || k > stages) {
                throw new IllegalArgumentException("must be 1.." + stages + " (" + whose + " stages), got " + k);
            }
            return k;
        };
    }

    /** The tokenizer of encode and decode on backend, with {@code --workers N} native contexts when given. */
    static Tokenizer.Options tokenizerOptions(Options o, Backend backend) {
        Tokenizer.Options options = Tokenizer.Options.of(backend);
        if (o.has("workers")) {
            options = options.withWorkers(o.convert("workers", o.required("workers"), Commands::positive));
        }
        return options;
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
