package nn.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import nn.io.AtomicFile;
import nn.model.ModelSpec;
import nn.model.Network;
import nn.model.Param;
import nn.model.Shape;
import nn.compute.Tensor;
import nn.train.Augmentation;
import nn.train.EarlyStopping;
import nn.train.EpochMetrics;
import nn.train.Schedule;
import nn.train.TrainConfig;
import nn.train.TrainingState;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The checkpoint file: one file that holds a model and everything needed to resume training.
 * <pre>
 *   "NNCKPT\r\n"                        8 bytes: magic (the \r\n catches text-mode mangling)
 *   int32 format version                 currently 1
 *   int32 header length, header          UTF-8 JSON: versions, data set, model spec, arrays,
 *                                        training state (see README, "Checkpoint format")
 *   arrays                               float32 little-endian, in the header's order
 *   int64 CRC-32 of all bytes before it
 *   "NNEND\n"                            6 bytes
 * </pre>
 * Written atomically; read back only if every check passes.
 */
public final class Checkpoint {
    public static final int FORMAT_VERSION = 1;
    private static final byte[] MAGIC = "NNCKPT\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "NNEND\n".getBytes(StandardCharsets.US_ASCII);
    /** Magic, format version and header length: what is read before anything else. */
    private static final int PREFIX = MAGIC.length + 4 + 4;
    /** CRC and end marker. */
    private static final int TRAILER = 8 + END.length;
    /** Far more than any header nn writes (a few kilobytes, and about 150 bytes an epoch of history). */
    private static final int MAX_HEADER = 16 << 20;
    private static final int CHUNK_BYTES = 1 << 16;
    /** Values a model may compute per image: 37 times the cnn-best preset's 111,914. Building a network allocates in proportion. */
    private static final long MAX_ACTIVATIONS = 1 << 22;
    private static final Gson GSON = new GsonBuilder().setFieldNamingPolicy(com.google.gson.FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).serializeSpecialFloatingPointValues().create();

    /** What the checkpoint says about where the model came from. */
    public record Origin(String dataset, List<String> classNames, int validationSize, int limit, String nnVersion, String nd4jVersion) {}

    /** A loaded checkpoint: the model, its training state, and where it came from. */
    public record Loaded(Path file, Network network, TrainingState state, Origin origin, JsonObject header) {}

    private Checkpoint() {}

    public static void save(Path file, TrainingState state, Origin origin) throws IOException {
        AtomicFile.write(file, encode(state, origin));
    }

    public static byte[] encode(TrainingState state, Origin origin) throws IOException {
        Network net = state.network;
        List<Tensor> arrays = new ArrayList<>();
        JsonArray arrayIndex = new JsonArray();
        for (Param p : net.params()) add(arrays, arrayIndex, "param", p.name(), p.value());
        List<Tensor> buffers = net.buffers();
        for (int i = 0; i < buffers.size(); i++) add(arrays, arrayIndex, "buffer", "buffer" + i, buffers.get(i));
        List<Tensor> opt = state.optimizer.state();
        for (int i = 0; i < opt.size(); i++) add(arrays, arrayIndex, "optimizer", "optimizer" + i, opt.get(i));
        if (state.masks != null) for (int i = 0; i < state.masks.size(); i++) add(arrays, arrayIndex, "mask", "mask" + i, state.masks.get(i));

        JsonObject header = new JsonObject();
        header.addProperty("format", FORMAT_VERSION);
        header.addProperty("nn_version", origin.nnVersion());
        header.addProperty("nd4j_version", origin.nd4jVersion());
        header.addProperty("dataset", origin.dataset());
        header.add("class_names", GSON.toJsonTree(origin.classNames()));
        header.addProperty("validation_size", origin.validationSize());
        header.addProperty("limit", origin.limit());
        header.addProperty("normalisation", "pixel / 255, white digit on black, 28x28 as MNIST");
        JsonObject model = new JsonObject();
        model.addProperty("spec", net.spec().text());
        Shape in = net.spec().input();
        model.add("input", GSON.toJsonTree(new int[] {in.height(), in.width(), in.channels()}));
        model.addProperty("classes", net.classes());
        model.addProperty("parameters", net.parameterCount());
        header.add("model", model);
        header.add("training", trainingJson(state));
        header.add("arrays", arrayIndex);

        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Tensor t : arrays) {
            ByteBuffer buf = ByteBuffer.allocate(t.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < t.length; i++) buf.putFloat((float) t.get(i));
            body.write(buf.array());
        }
        return frame(MAGIC, FORMAT_VERSION, GSON.toJson(header), body);
    }

    /**
     * The frame nn's model files share (checkpoints and slim models): signature, int32 version,
     * int32 header length, the JSON header, the body, the int64 CRC-32 of every byte before it,
     * and the end marker.
     */
    static byte[] frame(byte[] magic, int version, String header, ByteArrayOutputStream body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(magic);
        out.writeInt(version);
        byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
        out.writeInt(headerBytes.length);
        out.write(headerBytes);
        body.writeTo(out);
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        out.write(END);
        return bytes.toByteArray();
    }

    private static void add(List<Tensor> arrays, JsonArray index, String kind, String name, Tensor t) {
        arrays.add(t);
        JsonObject o = new JsonObject();
        o.addProperty("kind", kind);
        o.addProperty("name", name);
        o.add("shape", GSON.toJsonTree(t.shape()));
        index.add(o);
    }

    private static JsonObject trainingJson(TrainingState s) {
        JsonObject t = new JsonObject();
        t.add("config", GSON.toJsonTree(s.config.toMap()));
        t.addProperty("frozen_layers", s.frozenLayers);
        t.addProperty("epoch", s.epoch);
        t.addProperty("batch_in_epoch", s.batchInEpoch);
        t.addProperty("step", s.step);
        t.addProperty("optimizer_steps", s.optimizer.steps());
        t.addProperty("rng_state", Long.toString(s.noise.state()));
        t.addProperty("epoch_loss_sum", s.epochLossSum);
        t.addProperty("epoch_correct", s.epochCorrect);
        t.addProperty("epoch_seen", s.epochSeen);
        t.addProperty("epoch_seconds", s.epochSeconds);
        t.addProperty("best_validation_accuracy", s.bestValidationAccuracy);
        t.addProperty("best_epoch", s.bestEpoch);
        if (s.stoppedEarly != null) t.addProperty("stopped_early", s.stoppedEarly);
        t.add("history", GSON.toJsonTree(s.history));
        return t;
    }

    /** Moves a run's progress (position, random stream, optimiser state, history) into another state. */
    public static void copyProgress(TrainingState from, TrainingState to) {
        to.frozenLayers = from.frozenLayers;
        to.epoch = from.epoch;
        to.batchInEpoch = from.batchInEpoch;
        to.step = from.step;
        to.noise.setState(from.noise.state());
        to.epochLossSum = from.epochLossSum;
        to.epochCorrect = from.epochCorrect;
        to.epochSeen = from.epochSeen;
        to.epochSeconds = from.epochSeconds;
        to.bestValidationAccuracy = from.bestValidationAccuracy;
        to.bestEpoch = from.bestEpoch;
        to.stoppedEarly = from.stoppedEarly;
        to.history.addAll(from.history);
        to.masks = from.masks;
        to.optimizer.setSteps(from.optimizer.steps());
        to.optimizer.prepare(to.trainableParams());
        for (int i = 0; i < from.optimizer.state().size(); i++) {
            Tensor src = from.optimizer.state().get(i);
            to.optimizer.state().get(i).copyFrom(src, 0, 0, src.length);
        }
    }

    public static Loaded load(Path file) throws IOException {
        FileChannel in;
        try {
            in = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "no such file");
        }
        try (in) {
            return read(file, in);
        }
    }

    /**
     * Reads a checkpoint piece by piece, cheapest check first: signature, format, end marker and
     * header length, then the header's declared arrays against the file's length, then the CRC,
     * and only then the arrays themselves. Nothing is allocated beyond what the file holds.
     */
    private static Loaded read(Path file, FileChannel in) throws IOException {
        long size = in.size();
        ByteBuffer prefix = readAt(file, in, 0, (int) Math.min(size, PREFIX));
        if (size < MAGIC.length || !Arrays.equals(Arrays.copyOf(prefix.array(), MAGIC.length), MAGIC)) {
            throw new CheckpointException(file, "not an nn checkpoint (no NNCKPT signature at the start)");
        }
        if (size < PREFIX) throw new CheckpointException(file, "truncated: the file ends inside its header");
        int format = prefix.getInt(MAGIC.length);
        if (format > FORMAT_VERSION || format < 1) {
            throw new CheckpointException(file, "checkpoint format " + format + " is newer than this nn understands (format "
                    + FORMAT_VERSION + "); update nn to read it");
        }
        long dataEnd = size - TRAILER;
        if (dataEnd < PREFIX || !Arrays.equals(readAt(file, in, size - END.length, END.length).array(), END)) {
            throw new CheckpointException(file, "truncated: the end marker is missing (was the write interrupted?)");
        }
        int headerLength = prefix.getInt(MAGIC.length + 4);
        if (headerLength < 2 || headerLength > MAX_HEADER || PREFIX + (long) headerLength > dataEnd) {
            throw new CheckpointException(file, "corrupted: header length " + headerLength + " does not fit the file");
        }
        JsonObject header;
        try {
            header = JsonParser.parseString(StandardCharsets.UTF_8.decode(readAt(file, in, PREFIX, headerLength)).toString()).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new CheckpointException(file, "corrupted header (" + reason(e) + ")");
        }
        long dataStart = PREFIX + headerLength;
        long declared = fromHeader(file, () -> declaredBytes(header));
        if (declared != dataEnd - dataStart) {
            throw new CheckpointException(file, "corrupted: the header declares " + declared + " bytes of arrays, the file holds "
                    + (dataEnd - dataStart));
        }
        checkCrc(file, in, dataEnd);
        in.position(dataStart);
        return fromHeader(file, () -> decode(file, header, in));
    }

    /** The bytes of array data the header's index declares, computed in long; an impossible shape throws. */
    private static long declaredBytes(JsonObject header) {
        long total = 0;
        for (JsonElement a : header.getAsJsonArray("arrays")) total = Math.addExact(total, Math.multiplyExact(4L, elements(a)));
        return total;
    }

    private static long elements(JsonElement array) {
        long elements = 1;
        for (long dim : GSON.fromJson(array.getAsJsonObject().get("shape"), long[].class)) {
            if (dim < 0) throw new IllegalArgumentException("negative dimension " + dim);
            elements = Math.multiplyExact(elements, dim);
        }
        return elements;
    }

    /**
     * Parameters and saved statistics: the arrays that make the model (the others are optimiser
     * state and masks); a slim model's arrays name no kind, as they are all of the model.
     */
    private static boolean isModelArray(JsonElement array) {
        JsonElement kind = array.getAsJsonObject().get("kind");
        return kind == null || kind.getAsString().equals("param") || kind.getAsString().equals("buffer");
    }

    /**
     * The model the header names must be the one its arrays hold, and one nn can run: checked from
     * the spec alone, before the network is built, so a forged spec cannot make nn allocate.
     */
    static void checkModelSize(Path file, ModelSpec spec, JsonArray index) throws CheckpointException {
        ModelSpec.Footprint footprint = spec.footprint();
        if (footprint.activationsPerExample() > MAX_ACTIVATIONS) {
            throw new CheckpointException(file, String.format("the model '%s' computes %,d values per image, over nn's limit of %,d",
                    spec.text(), footprint.activationsPerExample(), MAX_ACTIVATIONS));
        }
        long stored = 0;
        for (JsonElement a : index) if (isModelArray(a)) stored += elements(a);
        if (footprint.parameters() != stored) {
            throw new CheckpointException(file, String.format("the model '%s' has %,d parameters, the file holds %,d",
                    spec.text(), footprint.parameters(), stored));
        }
    }

    private static void checkCrc(Path file, FileChannel in, long dataEnd) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
        in.position(0);
        for (long left = dataEnd; left > 0; left -= chunk.limit()) {
            chunk.clear().limit((int) Math.min(CHUNK_BYTES, left));
            readFully(file, in, chunk);
            crc.update(chunk.flip());
        }
        long stored = readAt(file, in, dataEnd, 8).getLong();
        if (stored != crc.getValue()) {
            throw new CheckpointException(file, "corrupted: CRC-32 mismatch (stored " + Long.toHexString(stored)
                    + ", computed " + Long.toHexString(crc.getValue()) + ")");
        }
    }

    /** A step that interprets the header: every way a well-formed but wrong header can fail becomes one line. */
    private interface HeaderStep<T> {
        T run() throws IOException;
    }

    private static <T> T fromHeader(Path file, HeaderStep<T> step) throws IOException {
        try {
            return step.run();
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException | UnsupportedOperationException
                 | ClassCastException | IndexOutOfBoundsException | ArithmeticException | JsonParseException e) {
            throw new CheckpointException(file, "inconsistent content (" + reason(e) + ")");
        }
    }

    /** A library's message cut to its first line (Gson adds a line pointing at its troubleshooting page). */
    private static String reason(RuntimeException e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    }

    private static ByteBuffer readAt(Path file, FileChannel in, long position, int length) throws IOException {
        in.position(position);
        return readFully(file, in, ByteBuffer.allocate(length)).flip();
    }

    private static ByteBuffer readFully(Path file, FileChannel in, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) throw new CheckpointException(file, "truncated: the file ends early (shrunk while being read?)");
        }
        return buffer;
    }

    private static Loaded decode(Path file, JsonObject header, FileChannel in) throws IOException {
        JsonObject model = header.getAsJsonObject("model");
        JsonArray inputDims = model.getAsJsonArray("input");
        Shape input = new Shape(inputDims.get(0).getAsInt(), inputDims.get(1).getAsInt(), inputDims.get(2).getAsInt());
        ModelSpec spec = new ModelSpec(model.get("spec").getAsString(), input, model.get("classes").getAsInt());
        JsonArray index = header.getAsJsonArray("arrays");
        checkModelSize(file, spec, index);
        Network net = spec.build(DataType.FLOAT);
        TrainingState state = trainingState(net, header.getAsJsonObject("training"));
        state.optimizer.prepare(state.trainableParams());

        List<Tensor> targets = new ArrayList<>();
        for (Param p : net.params()) targets.add(p.value());
        targets.addAll(net.buffers());
        targets.addAll(state.optimizer.state());
        boolean masked = false;
        for (JsonElement a : index) masked |= "mask".equals(a.getAsJsonObject().get("kind").getAsString());
        if (masked) {
            state.masks = new ArrayList<>();
            for (nn.model.Param w : net.weights()) state.masks.add(Tensor.zeros(w.value().type(), w.value().shape()));
            targets.addAll(state.masks);
        }
        if (index.size() != targets.size()) {
            throw new CheckpointException(file, "holds " + index.size() + " arrays, the model '" + spec.text() + "' needs " + targets.size());
        }
        for (int k = 0; k < targets.size(); k++) {
            Tensor t = targets.get(k);
            JsonObject entry = index.get(k).getAsJsonObject();
            String name = entry.get("name").getAsString();
            long[] shape = GSON.fromJson(entry.get("shape"), long[].class);
            if (!Arrays.equals(shape, t.shape())) {
                throw new CheckpointException(file, "array " + name + " has shape " + Arrays.toString(shape) + ", the model needs "
                        + Arrays.toString(t.shape()));
            }
            readArray(file, in, t);
            if (isModelArray(entry) && !t.isFinite()) {
                throw new CheckpointException(file, "holds non-finite values in " + name + " (training diverged?)");
            }
        }

        List<String> classNames = new ArrayList<>();
        for (JsonElement e : header.getAsJsonArray("class_names")) classNames.add(e.getAsString());
        Origin origin = new Origin(header.get("dataset").getAsString(), classNames, header.get("validation_size").getAsInt(),
                header.get("limit").getAsInt(), header.get("nn_version").getAsString(), header.get("nd4j_version").getAsString());
        return new Loaded(file, net, state, origin, header);
    }

    /** Fills a tensor from the file's little-endian floats, a chunk at a time. */
    private static void readArray(Path file, FileChannel in, Tensor t) throws IOException {
        float[] floats = new float[Math.min(t.length, CHUNK_BYTES / 4)];
        ByteBuffer chunk = ByteBuffer.allocate(4 * floats.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < t.length; done += floats.length) {
            int n = Math.min(floats.length, t.length - done);
            chunk.clear().limit(4 * n);
            readFully(file, in, chunk).flip().asFloatBuffer().get(floats, 0, n);
            t.copyFrom(floats, 0, done, n);
        }
    }

    private static TrainingState trainingState(Network net, JsonObject t) {
        JsonObject c = t.getAsJsonObject("config");
        JsonElement aug = c.get("augmentation");
        TrainConfig config = new TrainConfig(c.get("epochs").getAsInt(), c.get("batch_size").getAsInt(),
                c.get("learning_rate").getAsDouble(), c.get("optimizer").getAsString(), c.get("momentum").getAsDouble(),
                c.get("weight_decay").getAsDouble(), Schedule.parse(c.get("schedule").getAsString()),
                aug == null || aug.isJsonNull() ? null : GSON.fromJson(aug, Augmentation.class), c.get("seed").getAsLong(),
                // Checkpoints from before early stopping have neither key.
                new EarlyStopping(c.has("patience") ? c.get("patience").getAsInt() : 0,
                        c.has("target_accuracy") ? c.get("target_accuracy").getAsDouble() : 0));
        TrainingState s = new TrainingState(net, config);
        s.frozenLayers = t.get("frozen_layers").getAsInt();
        s.epoch = t.get("epoch").getAsInt();
        s.batchInEpoch = t.get("batch_in_epoch").getAsInt();
        s.step = t.get("step").getAsLong();
        s.optimizer.setSteps(t.get("optimizer_steps").getAsLong());
        s.noise.setState(Long.parseLong(t.get("rng_state").getAsString()));
        s.epochLossSum = t.get("epoch_loss_sum").getAsDouble();
        s.epochCorrect = t.get("epoch_correct").getAsLong();
        s.epochSeen = t.get("epoch_seen").getAsLong();
        s.epochSeconds = t.get("epoch_seconds").getAsDouble();
        s.bestValidationAccuracy = t.get("best_validation_accuracy").getAsDouble();
        s.bestEpoch = t.get("best_epoch").getAsInt();
        if (t.has("stopped_early")) s.stoppedEarly = t.get("stopped_early").getAsString();
        for (JsonElement e : t.getAsJsonArray("history")) s.history.add(GSON.fromJson(e, EpochMetrics.class));
        return s;
    }
}
