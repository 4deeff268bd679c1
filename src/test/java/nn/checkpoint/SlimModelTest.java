package nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import nn.data.DatasetKind;
import nn.model.ModelSpec;
import nn.model.Network;
import nn.model.Param;
import nn.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** A slim model stores a pruned network's weights sparsely and loads back the same numbers. */
class SlimModelTest {
    private final Checkpoint.Origin origin = new Checkpoint.Origin("mnist", DatasetKind.MNIST.classNames, 5000, -1, "test", "test");
    @TempDir Path dir;

    private static Network prunedNetwork() {
        Network net = ModelSpec.of("dense(32),relu").build(DataType.FLOAT);
        net.initialize(new Rng(5));
        for (Param p : net.params()) for (int i = 0; i < p.value().length; i++) if (i % 10 != 0) p.value().set(i, 0);   // 90% zeros
        return net;
    }

    @Test
    void aNinetyPercentPrunedModelIsSmallAndLoadsBackBitForBit() throws IOException {
        Network net = prunedNetwork();
        Path slim = dir.resolve("model.slim");
        SlimModel.save(slim, net, origin, 1);
        assertTrue(Files.size(slim) <= 0.25 * 4 * net.parameterCount(), Files.size(slim) + " bytes");
        Network back = SlimModel.load(slim).network();
        for (int k = 0; k < net.params().size(); k++) {
            assertArrayEquals(net.params().get(k).value().toFloatArray(), back.params().get(k).value().toFloatArray());
        }
    }

    @Test
    void aForgedSpecIsRefusedBeforeTheNetworkIsBuilt() throws IOException {
        byte[] valid = SlimModel.encode(prunedNetwork(), origin, 1);
        Path forged = Files.write(dir.resolve("forged.slim"), CheckpointTest.withHeader(valid, h -> h.replace("dense(32)", "dense(1000000)")));
        long start = System.nanoTime();
        CheckpointException e = assertThrows(CheckpointException.class, () -> SlimModel.load(forged));
        assertTrue(e.getMessage().contains("has 795,000,010 parameters, the file holds 25,450"), e.getMessage());
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "refused at once, nothing of its size built");
    }
}
