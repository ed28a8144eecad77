package io.mmsedge.distribution.cli;

import io.mmsedge.protocol.asf.AsfFormatException;
import io.mmsedge.protocol.asf.AsfSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mms-edge inspect FILE.asf}: a JSON summary of an ASF file. */
@Command(name = "inspect", description = "Print a JSON summary of an ASF file: packet size and count, duration, "
        + "bit rates, streams.")
public final class InspectCommand extends Subcommand {

    @Parameters(paramLabel = "FILE.asf", description = "The file.")
    Path file;

    @Override
    public Integer call() {
        PrintWriter err = err();
        try {
            out().println(AsfSummary.inspectJson(file));
            return 0;
        } catch (AsfFormatException e) {
            err.println("mms-edge: " + file + " is not a valid ASF file: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("mms-edge: cannot read " + file + ": " + e.getMessage());
            return 1;
        }
    }
}
