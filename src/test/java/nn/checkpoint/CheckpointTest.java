package nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import nn.data.DatasetKind;
import nn.io.AtomicFile;
import nn.model.ModelSpec;
import nn.model.Network;
import nn.model.Param;
import nn.random.Rng;
import nn.compute.Tensor;
import nn.train.Augmentation;
import nn.train.EpochMetrics;
import nn.train.Schedule;
import nn.train.TrainConfig;
import nn.train.TrainingState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** A checkpoint holds every field of a run, and a damaged one is refused with a clear reason. */
class CheckpointTest {
    @TempDir Path dir;
    private TrainingState state;
    private final Checkpoint.Origin origin = new Checkpoint.Origin("fashion", DatasetKind.FASHION.classNames, 5000, 20000, "0.1.0", "1.0.0-M2.1");
    private Path file;

    @BeforeEach
    void setUp() throws IOException {
        Network net = ModelSpec.of("conv(3,3),bn,relu,pool(2),dense(8),relu,dropout(0.1)").build(DataType.FLOAT);
        net.initialize(new Rng(5));
        TrainConfig config = new TrainConfig(7, 32, 0.03, "adam", 0.9, 2e-4, Schedule.ONECYCLE, new Augmentation(1, 5, 0.05, true), 99);
        state = new TrainingState(net, config);
        state.frozenLayers = 1;
        state.optimizer.prepare(state.trainableParams());
        Rng rng = new Rng(8);
        for (Tensor t : state.optimizer.state()) for (int i = 0; i < t.length; i++) t.set(i, rng.nextGaussian());
        for (Tensor t : net.buffers()) for (int i = 0; i < t.length; i++) t.set(i, rng.nextDouble());
        state.optimizer.setSteps(41);
        state.epoch = 3;
        state.batchInEpoch = 5;
        state.step = 41;
        state.noise.nextLong();
        state.epochLossSum = 1.25;
        state.epochCorrect = 140;
        state.epochSeen = 160;
        state.epochSeconds = 2.5;
        state.bestValidationAccuracy = 0.9712;
        state.bestEpoch = 2;
        state.history.add(new EpochMetrics(1, 0.5, 0.8, 0.4, 0.85, 0.01, 3.5));
        state.history.add(new EpochMetrics(2, 0.3, 0.9, Double.NaN, 0.9712, 0.02, 3.4));
        file = dir.resolve("run.ckpt");
        Checkpoint.save(file, state, origin);
    }

    @Test
    void roundTripsEveryField() throws IOException {
        Checkpoint.Loaded loaded = Checkpoint.load(file);
        TrainingState s = loaded.state();
        assertEquals(origin, loaded.origin());
        assertEquals(state.network.spec(), loaded.network().spec());
        List<Param> a = state.network.params(), b = loaded.network().params();
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).value().toFloatArray(), b.get(i).value().toFloatArray(), a.get(i).name());
        for (int i = 0; i < state.network.buffers().size(); i++) {
            assertArrayEquals(state.network.buffers().get(i).toFloatArray(), loaded.network().buffers().get(i).toFloatArray());
        }
        for (int i = 0; i < state.optimizer.state().size(); i++) {
            assertArrayEquals(state.optimizer.state().get(i).toFloatArray(), s.optimizer.state().get(i).toFloatArray());
        }
        assertEquals(state.config, s.config);
        assertEquals(41, s.optimizer.steps());
        assertEquals(3, s.epoch);
        assertEquals(5, s.batchInEpoch);
        assertEquals(41, s.step);
        assertEquals(state.noise.state(), s.noise.state());
        assertEquals(1.25, s.epochLossSum);
        assertEquals(140, s.epochCorrect);
        assertEquals(160, s.epochSeen);
        assertEquals(2.5, s.epochSeconds);
        assertEquals(0.9712, s.bestValidationAccuracy);
        assertEquals(2, s.bestEpoch);
        assertEquals(1, s.frozenLayers);
        assertEquals(state.history, s.history);
    }

    /** Every family's parameters come back bit for bit, and the rebuilt network answers exactly as the saved one. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"lstm(12)", "patches(7,16),attention(2),attention(4),layernorm,pool"})
    void recurrentAndTransformerModelsRoundTrip(String spec) throws IOException {
        Network net = ModelSpec.of(spec).build(DataType.FLOAT);
        net.initialize(new Rng(2));
        Path f = dir.resolve("family.ckpt");
        TrainingState saved = new TrainingState(net, new TrainConfig(1, 8, 0.01, "adam", 0.9, 0, Schedule.COSINE, null, 1));
        saved.optimizer.prepare(saved.trainableParams());
        Checkpoint.save(f, saved, origin);
        Network back = Checkpoint.load(f).network();
        assertEquals(net.params().size(), back.params().size());
        for (int i = 0; i < net.params().size(); i++) {
            assertArrayEquals(net.params().get(i).value().toFloatArray(), back.params().get(i).value().toFloatArray(), net.params().get(i).name());
        }
        float[] pixels = new float[3 * 784];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (i * 37 % 101) / 100f;
        assertArrayEquals(nn.model.Inference.probabilities(net, pixels, 3, 3), nn.model.Inference.probabilities(back, pixels, 3, 3));
    }

    @Test
    void savingTwiceGivesTheSameBytes() throws IOException {
        Path again = dir.resolve("again.ckpt");
        Checkpoint.save(again, Checkpoint.load(file).state(), origin);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again));
    }

    private String refusal(byte[] bytes) throws IOException {
        Path bad = dir.resolve("bad.ckpt");
        Files.write(bad, bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()));
        return e.getMessage();
    }

    @Test
    void refusesAFlippedBit() throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x10;
        assertTrue(refusal(b).contains("CRC-32 mismatch"));
    }

    @Test
    void refusesATruncatedFile() throws IOException {
        byte[] b = Files.readAllBytes(file);
        assertTrue(refusal(Arrays.copyOf(b, b.length - 100)).contains("truncated"));
        assertTrue(refusal(Arrays.copyOf(b, 10)).contains("truncated"));
    }

    @Test
    void refusesAForeignFile() throws IOException {
        assertTrue(refusal("PK\u0003\u0004 a zip file, not a checkpoint".getBytes()).contains("not an nn checkpoint"));
        assertTrue(refusal(new byte[0]).contains("not an nn checkpoint"));
    }

    @Test
    void refusesANewerFormat() throws IOException {
        byte[] b = Files.readAllBytes(file);
        ByteBuffer.wrap(b).putInt(8, Checkpoint.FORMAT_VERSION + 1);
        String m = refusal(b);
        assertTrue(m.contains("format 2 is newer than this nn understands"), m);
    }

    @Test
    void refusesNonFiniteParametersAndBuffers() throws IOException {
        state.network.params().get(0).value().set(3, Double.NaN);
        Checkpoint.save(file, state, origin);
        assertEquals(file + ": holds non-finite values in 0.W (training diverged?)",
                assertThrows(CheckpointException.class, () -> Checkpoint.load(file)).getMessage());

        state.network.params().get(0).value().set(3, 0.5);
        state.network.buffers().get(1).set(0, Double.POSITIVE_INFINITY);
        Checkpoint.save(file, state, origin);
        assertEquals(file + ": holds non-finite values in buffer1 (training diverged?)",
                assertThrows(CheckpointException.class, () -> Checkpoint.load(file)).getMessage());
    }

    @Test
    void refusesAHugeFileWithoutReadingItWhole() throws IOException {
        byte[] valid = Files.readAllBytes(file);
        Path huge = dir.resolve("huge.ckpt");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.write(valid, 0, valid.length - TRAILER);
            f.setLength(3L << 30);                       // sparse: 3 GB on paper, nothing on disk
            f.seek(f.length() - TRAILER);
            f.write(valid, valid.length - TRAILER, TRAILER);
        }
        String m = assertThrows(CheckpointException.class, () -> Checkpoint.load(huge)).getMessage();
        assertTrue(m.startsWith(huge + ": corrupted: the header declares "), m);

        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.seek(0);
            f.write("PK\u0003\u0004".getBytes(StandardCharsets.ISO_8859_1));
        }
        assertTrue(assertThrows(CheckpointException.class, () -> Checkpoint.load(huge)).getMessage().contains("not an nn checkpoint"));
    }

    @Test
    void refusesHeaderShapesThatDoNotFitTheFile() throws IOException {
        byte[] valid = Files.readAllBytes(file);
        String m = refusal(withHeader(valid, h -> h.replaceFirst("\"shape\":\\[(\\d+),", "\"shape\":[$1000000000,")));
        assertTrue(m.contains("the header declares"), m);
        m = refusal(withHeader(valid, h -> h.replaceFirst("\"shape\":\\[(\\d+),", "\"shape\":[4611686018427387904,")));
        assertTrue(m.contains("inconsistent content (long overflow)"), m);
        m = refusal(withHeader(valid, h -> h.replaceFirst("\"shape\":\\[(\\d+),", "\"shape\":[-$1,")));
        assertTrue(m.contains("negative dimension"), m);
    }

    @Test
    void refusesAModelSpecThatDoesNotMatchItsArraysBeforeBuildingIt() throws IOException {
        byte[] valid = Files.readAllBytes(file);
        String m = refusal(withHeader(valid, h -> h.replace("dense(8)", "dense(1000000)")));   // 2 GB of weights, were it built
        assertTrue(m.contains("the model 'conv(3,3),bn,relu,pool(2),dense(1000000),relu,dropout(0.1)' has 518,000,052 parameters, "
                + "the file holds 4,196"), m);
        m = refusal(withHeader(valid, h -> h.replace("conv(3,3)", "conv(3,3,pad=2000)")));
        assertTrue(m.contains("values per image, over nn's limit of 4,194,304"), m);
    }

    /**
     * Thousands of damaged copies of a small checkpoint (bits flipped, cut short, bytes inserted,
     * header numbers changed, with and without a matching CRC) are each loaded or refused with a
     * one-line CheckpointException, never another exception, and never allocate more than a
     * small multiple of the file's own size.
     */
    @Test
    void survivesThousandsOfRandomDamages() throws IOException {
        Network net = ModelSpec.of("dense(8)").build(DataType.FLOAT);
        net.initialize(new Rng(1));
        TrainingState small = new TrainingState(net, new TrainConfig(2, 16, 0.1, "sgd", 0.9, 0, Schedule.CONSTANT, null, 3));
        small.optimizer.prepare(small.trainableParams());
        small.epoch = 1;
        small.history.add(new EpochMetrics(1, 0.5, 0.8, 0.4, 0.85, 0.1, 1.5));
        byte[] valid = Checkpoint.encode(small, origin);
        Rng rng = new Rng(2024);
        Path damaged = dir.resolve("damaged.ckpt");
        long heapBudget = 64L * valid.length + (8 << 20);
        for (int i = 0; i < 2000; i++) {
            byte[] b = damage(valid, rng);
            Files.write(damaged, b);
            long before = allocatedBytes();
            try {
                Checkpoint.load(damaged);
            } catch (CheckpointException e) {
                assertTrue(e.getMessage().startsWith(damaged + ": ") && !e.getMessage().contains("\n"), e.getMessage());
            }
            long allocated = allocatedBytes() - before;
            assertTrue(allocated < heapBudget, "damage " + i + " allocated " + allocated + " bytes");
        }
    }

    private static final int TRAILER = 8 + 6;

    private static byte[] damage(byte[] valid, Rng rng) {
        byte[] b = switch (rng.nextInt(5)) {
            case 0 -> flipBits(valid, rng);
            case 1 -> Arrays.copyOf(valid, rng.nextInt(valid.length));
            case 2 -> insertBytes(valid, rng);
            case 3 -> withHeader(valid, h -> changeANumber(h, rng));
            default -> changeABinaryNumber(valid, rng);
        };
        return rng.nextInt(2) == 0 && b.length > 16 + TRAILER ? resealed(b) : b;
    }

    private static byte[] flipBits(byte[] valid, Rng rng) {
        byte[] b = valid.clone();
        for (int k = 1 + rng.nextInt(4); k > 0; k--) b[rng.nextInt(b.length)] ^= (byte) (1 << rng.nextInt(8));
        return b;
    }

    private static byte[] insertBytes(byte[] valid, Rng rng) {
        int at = rng.nextInt(valid.length), n = 1 + rng.nextInt(16);
        byte[] b = new byte[valid.length + n];
        System.arraycopy(valid, 0, b, 0, at);
        for (int k = 0; k < n; k++) b[at + k] = (byte) rng.nextInt(256);
        System.arraycopy(valid, at, b, at + n, valid.length - at);
        return b;
    }

    /** One digit of the JSON header replaced by another, or one more digit put in. */
    private static String changeANumber(String header, Rng rng) {
        int at;
        do at = rng.nextInt(header.length()); while (!Character.isDigit(header.charAt(at)));
        String digit = Integer.toString(rng.nextInt(10));
        return header.substring(0, at) + digit + header.substring(rng.nextInt(2) == 0 ? at + 1 : at);
    }

    /** The format version, the header length or the stored CRC set to a random int. */
    private static byte[] changeABinaryNumber(byte[] valid, Rng rng) {
        byte[] b = valid.clone();
        int[] offsets = {8, 12, b.length - TRAILER + 4};
        ByteBuffer.wrap(b).putInt(offsets[rng.nextInt(3)], (int) rng.nextLong());
        return b;
    }

    /** The checkpoint with its JSON header edited, header length and CRC made to match. */
    static byte[] withHeader(byte[] valid, java.util.function.UnaryOperator<String> edit) {
        ByteBuffer in = ByteBuffer.wrap(valid);
        int length = in.getInt(12);
        byte[] header = edit.apply(new String(valid, 16, length, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(valid.length - length + header.length);
        out.put(valid, 0, 12).putInt(header.length).put(header).put(valid, 16 + length, valid.length - 16 - length);
        return resealed(out.array());
    }

    /** The bytes with a CRC and end marker that match them, as a deliberate forger would write. */
    private static byte[] resealed(byte[] b) {
        byte[] out = b.clone();
        CRC32 crc = new CRC32();
        crc.update(out, 0, out.length - TRAILER);
        ByteBuffer.wrap(out).putLong(out.length - TRAILER, crc.getValue()).put(out.length - 6, "NNEND\n".getBytes(StandardCharsets.US_ASCII));
        return out;
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void aWriteInterruptedBeforeTheRenameLeavesTheOldFileIntact() throws IOException {
        byte[] before = Files.readAllBytes(file);
        assertThrows(IOException.class, () -> AtomicFile.write(file, out -> {
            out.write(new byte[1000]);
            throw new IOException("killed mid-write");
        }));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }
}
