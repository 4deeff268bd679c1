package nn.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import picocli.CommandLine;

/** Runs {@code nn} in-process as a user would, capturing what it prints (picocli's own testing pattern). */
final class Nn {
    record Result(int code, String out, String err) {}

    private Nn() {}

    static Result run(String... args) {
        CommandLine cmd = Main.commandLine(args);
        StringWriter out = new StringWriter(), err = new StringWriter();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
