package nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The packages are layered, and a package uses only packages on lower floors: the layers
 * are math on engines, training runs layers, evaluation and checkpoints sit on training, the
 * tools on those, the command line on top. Checked over every reference to an {@code nn.*}
 * package in the main sources (imports and fully qualified names; comments are ignored).
 * <pre>
 *   8  cli              the commands (nn serve among them)
 *   7  serve            the web app
 *   6  inspect  prune  bench  export
 *   5  eval  checkpoint
 *   4  train
 *   3  model            layers, network, spec: the math
 *   2  compute          the engines: cpu, nd4j
 *   1  data  image      read data sets and pictures
 *   0  io  random       files, random numbers
 * </pre>
 */
public class LayeringTest {
    static final Map<String, Integer> FLOOR = Map.ofEntries(
            Map.entry("cli", 8), Map.entry("serve", 7),
            Map.entry("inspect", 6), Map.entry("prune", 6), Map.entry("bench", 6), Map.entry("export", 6),
            Map.entry("eval", 5), Map.entry("checkpoint", 5),
            Map.entry("train", 4),
            Map.entry("model", 3),
            Map.entry("compute", 2),
            Map.entry("data", 1), Map.entry("image", 1),
            Map.entry("io", 0), Map.entry("random", 0));

    private static final Pattern USE = Pattern.compile("\\bnn\\.([a-z]+)\\.[A-Za-z]");
    private static final Path MAIN = Path.of("src/main/java/nn");

    @Test
    void everyPackageHasAFloor() throws IOException {
        try (Stream<Path> dirs = Files.list(MAIN)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                assertTrue(FLOOR.containsKey(dir.getFileName().toString()), "package nn." + dir.getFileName() + " needs a floor in LayeringTest");
            }
        }
    }

    @Test
    void noPackageUsesOneOnItsOwnFloorOrAbove() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String from = MAIN.relativize(file).getName(0).toString();
                String code = withoutComments(Files.readString(file));
                Matcher m = USE.matcher(code);
                TreeSet<String> used = new TreeSet<>();
                while (m.find()) used.add(m.group(1));
                for (String to : used) {
                    if (to.equals(from) || !FLOOR.containsKey(to)) continue;
                    if (FLOOR.get(to) >= FLOOR.get(from)) violations.add(MAIN.relativize(file) + ": nn." + from + " (floor " + FLOOR.get(from) + ") uses nn." + to + " (floor " + FLOOR.get(to) + ")");
                }
            }
        }
        assertEquals(List.of(), violations, "layering violations");
    }

    /** The layering test must see a violation when there is one. */
    @Test
    void theCheckSeesAnUpwardReference() {
        Matcher m = USE.matcher(withoutComments("import nn.prune.Pruning; // nn.cli.Main\n/* nn.eval.Predictor */ int x = nn.train.Trainer.y;"));
        List<String> found = new ArrayList<>();
        while (m.find()) found.add(m.group(1));
        assertEquals(List.of("prune", "train"), found);
    }

    public static String withoutComments(String code) {
        return code.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
    }
}
