package dev.rfsq4j.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** {@code --name value} and {@code --name=value} options of one subcommand, and valueless {@code --flag}s. */
final class Options {
    private final String command;
    private final Map<String, String> values = new HashMap<>();

    private Options(String command) {
        this.command = command;
    }

    /** Parses args against the option names a command knows (without the leading dashes). */
    static Options parse(String command, List<String> args, Set<String> known) {
        return parse(command, args, known, Set.of());
    }

    /** Like {@link #parse(String, List, Set)}, with flags: options that take no value (has() tells them). */
    static Options parse(String command, List<String> args, Set<String> known, Set<String> flags) {
        Options options = new Options(command);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw options.usage("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw options.usage("--" + name + " takes no value");
                }
                value = "";
            } else if (!known.contains(name)) {
                throw options.usage("unknown option --" + name);
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw options.usage("option --" + name + " needs a value");
                }
                value = args.get(++i);
            }
            if (options.values.put(name, value) != null) {
                throw options.usage("option --" + name + " is given twice");
            }
        }
        return options;
    }

    String required(String name) {
        String value = values.get(name);
        if (value == null) {
            throw usage("missing option --" + name);
        }
        return value;
    }

    String optional(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    /** Converts an option's text; a malformed value is a usage error that names the option. */
    <T> T convert(String name, String text, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw usage("--" + name + ": " + e.getMessage());
        }
    }

    /** Parses a positive int (for {@link #convert}). */
    static int positive(String text) {
        int v = Integer.parseInt(text);
        if (v < 1) {
            throw new IllegalArgumentException("must be >= 1, got " + v);
        }
        return v;
    }

    UsageException usage(String message) {
        return new UsageException(command + ": " + message + " (see rfsq4j " + command + " --help)");
    }
}
