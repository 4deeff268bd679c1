package nn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nn serve as a process: prints its address, serves, and stops cleanly on a termination signal (as Ctrl-C). */
class ServeCommandTest {
    @TempDir Path dir;

    @Test
    void startsPrintsItsAddressAndStopsCleanlyOnASignal() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), "nn.cli.Main", "serve", "--port", "0",
                "--runs", dir.toString())).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("nn serve: http://127.0.0.1:"), String.valueOf(line));
            URI base = URI.create(line.split(" ")[2]);
            assertEquals(200, Fixtures.get(base, "/api/runs").statusCode());
            p.toHandle().destroy();   // SIGTERM (the same shutdown path as Ctrl-C), keeping its output readable
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "stopped");
            assertEquals("nn serve: stopped", out.readLine());
            assertThrows(ConnectException.class, () -> new Socket(base.getHost(), base.getPort()).close(), "the port is free again");
        } finally {
            p.destroyForcibly();
        }
    }
}
