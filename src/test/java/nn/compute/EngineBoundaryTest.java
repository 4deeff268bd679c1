package nn.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Where compute ends: layers and optimisers see only the Engine interface, and the nd4j engine
 * never touches host memory (which would not exist on CUDA). Checked over the sources.
 */
class EngineBoundaryTest {
    /** Each file under {@code dir} that mentions one of {@code forbidden} (outside comments), with what it mentions. */
    private static List<String> mentions(String dir, String... forbidden) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/nn", dir))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String code = nn.LayeringTest.withoutComments(Files.readString(f));
                for (String word : forbidden) if (code.contains(word)) found.add(f + ": " + word);
            }
        }
        return found;
    }

    @Test
    void layersAndOptimisersAreWrittenAgainstTheInterfaceOnly() throws IOException {
        String[] plumbing = {"nn.compute.cpu", "nn.compute.nd4j", "Blas", "Team", "Scratch", ".floats(", ".doubles(", "address()", "Tensor.F32", "Tensor.F64"};
        assertEquals(List.of(), mentions("model", plumbing));
        assertEquals(List.of(), mentions("train", plumbing));
    }

    @Test
    void theNd4jEngineUsesNoHostMemory() throws IOException {
        assertEquals(List.of(), mentions("compute/nd4j", "nn.compute.cpu", "openblas", "Team.", "Scratch.", ".floats(", ".doubles(",
                "address()", "Tensor.F32", "Tensor.F64", ".get(", ".set(", ".add(", "asNio", "Unsafe"));
    }
}
