package dev.rfsq4j.cli;

import dev.rfsq4j.io.Messages;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The rfsq4j command line. Exit status: 0 success, 1 error, 2 bad usage; errors are one line on stderr
 * ({@code rfsq4j: <message>}), with the stack trace only when RFSQ_DEBUG=1.
 */
public final class Main {
    /** Longest error line; longer messages (a long list from a file, say) are cut in the middle. */
    static final int MAX_MESSAGE = 1000;
    private static final List<Command> COMMANDS = List.of(new DemoCommand(), new QuantizeCommand(),
            new DequantizeCommand(), new PrepareCommand(), new TrainCommand(), new EvalCommand(), new CompareCommand(),
            new EncodeCommand(), new DecodeCommand());

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line and returns its exit status instead of exiting (for tests and embedding). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(usage());
            return 2;
        }
        String name = args[0];
        if (name.equals("help") || name.equals("--help") || name.equals("-h")) {
            out.print(usage());
            return 0;
        }
        Command command = COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
        if (command == null) {
            err.println("rfsq4j: unknown command '" + name + "'");
            err.print(usage());
            return 2;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.contains("--help") || rest.contains("-h")) {
            out.print(command.usage());
            return 0;
        }
        try {
            command.run(rest, out);
            return 0;
        } catch (UsageException e) {
            return fail(err, e, 2);
        } catch (Throwable e) { // Errors too (out of memory, a stack overflow): one line and a status, never a trace
            return fail(err, e, 1);
        }
    }

    private static int fail(PrintStream err, Throwable e, int status) {
        err.println("rfsq4j: " + Messages.clip(oneLine(describe(e)), MAX_MESSAGE));
        if ("1".equals(System.getenv("RFSQ_DEBUG"))) {
            e.printStackTrace(err);
        }
        return status;
    }

    /** The message to show: the cause that says what happened (out of memory anywhere in the chain wins). */
    private static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError oom) {
                String where = t == e || e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
                return "out of memory: " + oom.getMessage() + where + ". Give Java more with RFSQ4J_JAVA_OPTS=-Xmx<size>"
                        + " (now " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB), or use smaller inputs";
            }
        }
        String message = e.getMessage() == null || e.getMessage().isBlank() ? null : e.getMessage();
        if (e instanceof Error && !(e instanceof LinkageError)) {
            return "internal error: " + e.getClass().getSimpleName() + (message == null ? "" : ": " + message)
                    + " (RFSQ_DEBUG=1 shows where)";
        }
        return message == null ? e.toString() : message;
    }

    private static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static String usage() {
        StringBuilder text = new StringBuilder("usage: rfsq4j <command> [options]\n\ncommands:\n");
        for (Command c : COMMANDS) {
            text.append(String.format("  %-10s %s%n", c.name(), c.summary()));
        }
        text.append(String.format("  %-10s %s%n", "help", "show this text; rfsq4j <command> --help shows a command's options"));
        text.append("\nexit status: 0 success, 1 error, 2 bad usage; RFSQ_DEBUG=1 adds stack traces to errors\n");
        return text.toString();
    }
}
