package dev.rfsq4j.cli;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of the rfsq4j command line. */
interface Command {
    String name();

    /** One line for the command list. */
    String summary();

    /** The command's full help text. */
    String usage();

    /** Runs with the arguments after the command name; failures are exceptions with one-line messages. */
    void run(List<String> args, PrintStream out) throws Exception;
}
