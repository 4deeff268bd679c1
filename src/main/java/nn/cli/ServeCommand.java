package nn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import nn.serve.WebApp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A local web app: draw a digit and see the network's answer, browse the runs, "
                + "watch a training's curves grow while nn train runs in another terminal.",
                "Listens on 127.0.0.1 only unless --host says otherwise. Ctrl-C stops it."},
        footer = {"", "Examples:",
                "  nn serve",
                "  nn serve --port 9000 --checkpoint data/models/cnn.ckpt",
                "  curl -s --data-binary @digit.png localhost:8080/api/predict",
                "", "Pages, API and safety rules: docs/serve.md"})
final class ServeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only). Anything else lets others use it.")
    String host;

    @Option(names = "--runs", paramLabel = "DIR", description = "The runs folder to show (default: $NN_RUNS_DIR, else runs/).")
    Path runs;

    @Option(names = "--checkpoint", paramLabel = "FILE|RUN_DIR",
            description = "The draw page's default model (default: the run runs/latest points at, else data/models/cnn.ckpt).")
    Path checkpoint;

    @Option(names = "--models", paramLabel = "DIR", description = "Folder of shipped checkpoints to offer too (default: data/models/).")
    Path models;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (port < 0 || port > 65535) throw new ParameterException(spec.commandLine(), "--port must be between 0 and 65535, got " + port);
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (checkpoint != null && !checkpoint.toFile().exists()) {
            throw new ParameterException(spec.commandLine(), "--checkpoint " + checkpoint + ": no such checkpoint or run folder");
        }
        WebApp app;
        try {
            app = WebApp.start(new WebApp.Options(host, port, runsDir(), modelsDir(), checkpoint));
        } catch (BindException e) {
            throw new IOException("cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); is another server using it? choose another with --port");
        } catch (UnknownHostException e) {
            throw new ParameterException(spec.commandLine(), "--host " + host + ": unknown address");
        }
        if (!app.isLoopback()) {
            err.println("nn serve: warning: listening on " + host + ": anyone who can reach this port can use the server "
                    + "and read the runs folder's reports");
            err.flush();
        }
        out.println("nn serve: " + app.address() + "  (runs: " + runsDir() + "; Ctrl-C stops it)");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            app.close();
            out.println("nn serve: stopped");
            out.flush();
            stopped.countDown();
        }, "nn-serve-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return 0;
    }

    private Path runsDir() {
        if (runs != null) return runs;
        String env = System.getenv("NN_RUNS_DIR");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of("runs");
    }

    private Path modelsDir() {
        if (models != null) return models;
        String home = System.getProperty("nn.home");
        Path local = Path.of("data", "models");
        return home != null && !local.toFile().isDirectory() ? Path.of(home, "data", "models") : local;
    }
}
