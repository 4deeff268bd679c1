package nn.cli;

import java.io.PrintWriter;
import java.util.List;

import nn.data.DatasetKind;
import nn.compute.cpu.Team;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The {@code nn} command. Exit codes follow picocli: 0 success, 1 a runtime failure (bad file,
 * failed download), 2 a usage error; 130 when training is interrupted with Ctrl-C.
 */
@Command(name = "nn", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        description = {"Train, evaluate and run handwritten-digit recognisers on MNIST.",
                "Networks are built on ND4J arrays with forward and backward passes written by hand."},
        footer = {"", "Start with:  nn download  then  nn train", "Run 'nn help COMMAND' for a command's options."})
public final class Main implements Runnable {
    /** The commands, in the order the help lists them. */
    private static final List<Class<?>> COMMANDS = List.of(DownloadCommand.class, TrainCommand.class, EvalCommand.class,
            PredictCommand.class, ShowCommand.class, ExplainCommand.class, PruneCommand.class, ExportCommand.class,
            ServeCommand.class, InfoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class);

    @CommandLine.Spec CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Say more: library logs (ND4J start-up) and stack traces of errors.")
    boolean verbose;

    @Option(names = "--threads", paramLabel = "N", scope = CommandLine.ScopeType.INHERIT,
            description = {"Threads that share each matrix product and vector update (our own on the cpu engine, "
                    + "ND4J's on the nd4j engine; default: $NN_THREADS, else all cores). Same seed and threads, same result."})
    Integer threads;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: choose one of " + spec.subcommands().keySet());
    }

    public static void main(String[] args) {
        System.exit(commandLine(args).execute(args));
    }

    /**
     * The configured command line for these arguments, as main runs it (tests call execute on it
     * with captured output). When the first argument names a command (other than help), only
     * that command is registered: picocli builds its model of a command by reflection when the
     * command is registered, and building all eleven cost a cold 'nn predict' about 0.1 s.
     * Otherwise (no arguments, help, options first, a misspelt command) every command is, so the
     * help lists them all and a typo gets suggestions.
     */
    public static CommandLine commandLine(String... args) {
        String first = args.length > 0 ? args[0] : "";
        boolean named = COMMANDS.stream().anyMatch(c -> c != CommandLine.HelpCommand.class && nameOf(c).equals(first));
        CommandLine cmd = new CommandLine(new Main());
        for (Class<?> c : COMMANDS) {
            if (!named || nameOf(c).equals(first)) cmd.addSubcommand(c);
        }
        cmd.setExecutionExceptionHandler(Main::handleFailure);
        cmd.setParameterExceptionHandler(Main::handleUsageError);
        cmd.setExecutionStrategy(parsed -> {
            // --help, --version and 'nn help' need no engine: answered before ND4J starts (~0.8 s).
            Integer helped = CommandLine.executeHelpRequest(parsed);
            if (helped != null) return helped;
            boolean verbose = parsed.asCommandLineList().stream().anyMatch(c -> c.getCommand() instanceof Main m && m.verbose)
                    || parsed.originalArgs().contains("-v") || parsed.originalArgs().contains("--verbose");
            // ND4J logs through slf4j-simple, which reads its level once, at first use.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
            Integer threads = null;
            for (CommandLine c : parsed.asCommandLineList()) {
                if (c.getCommand() instanceof Main m && m.threads != null) threads = m.threads;
            }
            OptionRanges.atLeast(parsed.commandSpec(), "--threads", threads, 1);
            int team = capAtCores(threads != null ? threads : defaultThreads(), parsed.commandSpec().commandLine().getErr());
            Team.setSize(team);
            EngineOption.apply(parsed.asCommandLineList().get(parsed.asCommandLineList().size() - 1));
            nn.compute.Engines.current().useThreads(team);
            try {
                return new CommandLine.RunLast().execute(parsed);
            } catch (OutOfMemoryError e) {
                return outOfMemory(e, parsed, verbose);
            } finally {
                nn.compute.Engines.reset();
            }
        });
        return cmd;
    }

    private static String nameOf(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    /** More threads than cores only take turns (100 threads ran 100x slower): use the cores, and say so. */
    static int capAtCores(int threads, PrintWriter err) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (threads <= cores) return threads;
        err.printf("nn: %d threads is more than this machine's %d cores; using %d%n", threads, cores, cores);
        err.flush();
        return cores;
    }

    /** A model or file too large for this JVM: one line with the limits, not a stack trace. */
    private static int outOfMemory(OutOfMemoryError e, CommandLine.ParseResult parsed, boolean verbose) {
        CommandLine cmd = parsed.asCommandLineList().get(parsed.asCommandLineList().size() - 1);
        PrintWriter err = cmd.getErr();
        err.printf("nn %s: error: out of memory (%s; heap limit %.1f GB, off-heap limit %.1f GB): try a smaller model or batch, "
                        + "or raise the limits with NN_JAVA_OPTS=-Xmx...%n", cmd.getCommandName(), e.getMessage(),
                Runtime.getRuntime().maxMemory() / 1e9, org.bytedeco.javacpp.Pointer.maxBytes() / 1e9);
        if (verbose) e.printStackTrace(err);
        err.flush();
        return 1;
    }

    /** Usage errors: the one line that says what is wrong, and where the help is (exit code 2). */
    private static int handleUsageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + name + " --help' for the options.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Runtime failures: one clear line (the stack trace only with --verbose), exit code 1. */
    private static int handleFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        err.println("nn " + cmd.getCommandName() + ": error: " + message);
        if (e instanceof nn.data.DownloadException) {
            err.println("hint: without internet, use a local copy: --mirror DIR (a folder with the .gz files, or one folder per data set)");
        }
        boolean verbose = parsed.originalArgs().contains("-v") || parsed.originalArgs().contains("--verbose");
        if (verbose) e.printStackTrace(err);
        err.flush();
        return 1;
    }

    /** $NN_THREADS if set, else one thread per core. */
    static int defaultThreads() {
        String env = System.getenv("NN_THREADS");
        if (env != null && env.matches("[1-9][0-9]{0,3}")) return Integer.parseInt(env);
        return Runtime.getRuntime().availableProcessors();
    }

    /** Parses a data set name given on the command line; an unknown one is a usage error. */
    static DatasetKind dataset(CommandSpec spec, String id) {
        try {
            return DatasetKind.fromId(id);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
