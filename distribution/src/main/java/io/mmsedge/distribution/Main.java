package io.mmsedge.distribution;

import io.mmsedge.distribution.cli.OriginCommand;
import io.mmsedge.distribution.cli.RootCommand;
import io.mmsedge.distribution.config.ConfigException;
import io.mmsedge.distribution.config.EdgeConfig;
import java.io.OutputStream;
import java.io.PrintStream;
import picocli.CommandLine;

/**
 * The entry point of {@code java -jar mms-edge.jar}. The command line itself ({@link RootCommand}
 * and its subcommands in {@code io.mmsedge.distribution.cli}):
 * <pre>
 *   mms-edge                                   embedded default (bundled samples, edge on 127.0.0.1:1755)
 *   mms-edge --config FILE                     a full configuration
 *   mms-edge origin --media DIR [--live NAME=FILE.asf]... [--port P] [--bind ADDR] ...
 *   mms-edge edge --origin mms://HOST[:PORT] [--forward --allow RULE]... [--cache-dir DIR] ...
 *   mms-edge prestuff [--status HOST:PORT] PATH|URL
 *   mms-edge inspect FILE.asf                  JSON summary of an ASF file
 *   mms-edge passwd USER                       a users-file line
 *   mms-edge [COMMAND] --help | --version
 * </pre>
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs a command; returns the exit status (servers block until the JVM is stopped). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return RootCommand.commandLine(out, err).execute(args);
    }

    /** The configuration of an {@code origin ...} command line (tests start it in-process). */
    static EdgeConfig originConfig(String[] args) throws ConfigException {
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        CommandLine.ParseResult parsed = RootCommand.commandLine(discard, discard).parseArgs(args);
        return ((OriginCommand) parsed.subcommand().commandSpec().userObject()).config();
    }
}
