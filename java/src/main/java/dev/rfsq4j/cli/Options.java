package dev.rfsq4j.cli;

import dev.rfsq4j.Backend;
import dev.rfsq4j.io.Messages;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
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

    /** Every name of the given sets: a command's own options plus a shared group's. */
    @SafeVarargs
    static Set<String> union(Set<String>... sets) {
        Set<String> all = new HashSet<>();
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return Set.copyOf(all);
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
        } catch (NumberFormatException e) { // its own message is "For input string: ..."
            throw usage("--" + name + ": expected a number, got " + shown(text));
        } catch (IllegalArgumentException e) {
            throw usage("--" + name + ": " + e.getMessage());
        }
    }

    /** An int option (or its fallback): a usage error naming the option unless an integer in [min, max]. */
    int integer(String name, String fallback, int min, int max) {
        return (int) whole(name, fallback, min, max);
    }

    /** A long option (or its fallback): a usage error naming the option unless an integer in [min, max]. */
    long whole(String name, String fallback, long min, long max) {
        String text = optional(name, fallback);
        String range = " from " + min + " to " + max;
        if (!text.strip().matches("[-+]?\\d+")) {
            throw usage("--" + name + ": expected an integer" + range + ", got " + shown(text));
        }
        BigInteger value = new BigInteger(text.strip());
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw usage("--" + name + ": " + shown(text) + " is out of range: expected an integer" + range);
        }
        return value.longValue();
    }

    /** {@code --device auto|cpu|cuda} (default auto: CUDA when a GPU is usable, else the CPU). */
    Backend backend() {
        return convert("device", optional("device", "auto"), Backend::parse);
    }

    /** A double option (or its fallback): a usage error naming the option unless a finite number. */
    double number(String name, String fallback) {
        String text = optional(name, fallback);
        double value;
        try {
            value = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw usage("--" + name + ": expected a number, got " + shown(text));
        }
        if (!Double.isFinite(value)) {
            throw usage("--" + name + ": expected a finite number, got " + shown(text));
        }
        return value;
    }

    /** A path option: a usage error if empty (Path.of("") would be the current folder). */
    Path path(String name) {
        String text = required(name);
        if (text.isBlank()) {
            throw usage("--" + name + " is empty: give a path");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw usage("--" + name + ": not a valid path: " + e.getReason());
        }
    }

    /**
     * Refuses two flags naming one file (an output would overwrite another output, or the input), whatever the
     * spelling: links and relative paths are resolved.
     */
    void requireDistinct(Map<String, Path> filesByFlag) throws IOException {
        Map<Path, String> seen = new HashMap<>();
        for (Map.Entry<String, Path> e : filesByFlag.entrySet()) {
            Path key = e.getValue().toAbsolutePath().normalize();
            if (Files.exists(key)) {
                key = key.toRealPath();
            } else if (key.getParent() != null && Files.isDirectory(key.getParent())) {
                key = key.getParent().toRealPath().resolve(key.getFileName());
            }
            String other = seen.putIfAbsent(key, e.getKey());
            if (other != null) {
                throw usage("--" + other + " and --" + e.getKey() + " name the same file " + e.getValue()
                        + "; give each its own file");
            }
        }
    }

    /** A user's text in a message: quoted, and cut when long. */
    private static String shown(String text) {
        return "'" + Messages.clip(text, 60) + "'";
    }

    UsageException usage(String message) {
        return new UsageException(command + ": " + message + " (see rfsq4j " + command + " --help)");
    }
}
