package io.mmsedge.distribution.cli;

import io.mmsedge.distribution.auth.PasswordHash;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mms-edge passwd USER}: a users-file line for Basic authentication (MS-MMSP 4.6.1). */
@Command(name = "passwd", description = {"Read a password (from the terminal, else one line of stdin) and print "
        + "a users-file line USER:<PBKDF2 hash> for Basic authentication."})
public final class PasswdCommand extends Subcommand {

    @Parameters(paramLabel = "USER", description = "The user name (no ':' or spaces).")
    String user;

    @Override
    public Integer call() throws IOException {
        if (!user.matches("[^:\\s]+")) {
            throw usageError("passwd takes one user name (no ':' or spaces)");
        }
        char[] password;
        if (System.console() != null) {
            password = System.console().readPassword("password for %s: ", user);
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? new char[0] : line.toCharArray();
        }
        if (password == null || password.length == 0) {
            err().println("mms-edge: empty password");
            return RootCommand.USAGE;
        }
        out().println(user + ":" + PasswordHash.hash(password));
        Arrays.fill(password, '\0');
        return 0;
    }
}
