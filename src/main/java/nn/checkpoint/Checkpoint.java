package nn.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeInt(FORMAT_VERSION);
        byte[] headerBytes = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        out.writeInt(headerBytes.length);
        out.write(headerBytes);
        for (Tensor t : arrays) {
            ByteBuffer buf = ByteBuffer.allocate(t.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < t.length; i++) buf.putFloat((float) t.get(i));
            out.write(buf.array());
        }
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
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "no such file");
        }
        if (bytes.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new CheckpointException(file, "not an nn checkpoint (no NNCKPT signature at the start)");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.position(MAGIC.length);
        if (in.remaining() < 8) throw new CheckpointException(file, "truncated: the file ends inside its header");
        int format = in.getInt();
        if (format > FORMAT_VERSION || format < 1) {
            throw new CheckpointException(file, "checkpoint format " + format + " is newer than this nn understands (format "
                    + FORMAT_VERSION + "); update nn to read it");
        }
        int trailer = 8 + END.length;
        if (bytes.length < MAGIC.length + 8 + trailer
                || !Arrays.equals(Arrays.copyOfRange(bytes, bytes.length - END.length, bytes.length), END)) {
            throw new CheckpointException(file, "truncated: the end marker is missing (was the write interrupted?)");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - trailer);
        long stored = ByteBuffer.wrap(bytes, bytes.length - trailer, 8).getLong();
        if (stored != crc.getValue()) {
            throw new CheckpointException(file, "corrupted: CRC-32 mismatch (stored " + Long.toHexString(stored)
                    + ", computed " + Long.toHexString(crc.getValue()) + ")");
        }
        int headerLength = in.getInt();
        if (headerLength < 2 || headerLength > bytes.length - in.position() - trailer) {
            throw new CheckpointException(file, "corrupted: header length " + headerLength + " does not fit the file");
        }
        JsonObject header;
        try {
            header = JsonParser.parseString(new String(bytes, in.position(), headerLength, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new CheckpointException(file, "corrupted header (" + e.getMessage() + ")");
        }
        in.position(in.position() + headerLength);
        try {
            return decode(file, header, in, bytes.length - trailer);
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
            throw new CheckpointException(file, "inconsistent content (" + e.getMessage() + ")");
        }
    }

    private static Loaded decode(Path file, JsonObject header, ByteBuffer in, int dataEnd) throws CheckpointException {
        JsonObject model = header.getAsJsonObject("model");
        JsonArray inputDims = model.getAsJsonArray("input");
        Shape input = new Shape(inputDims.get(0).getAsInt(), inputDims.get(1).getAsInt(), inputDims.get(2).getAsInt());
        ModelSpec spec = new ModelSpec(model.get("spec").getAsString(), input, model.get("classes").getAsInt());
        Network net = spec.build(DataType.FLOAT);
        TrainingState state = trainingState(net, header.getAsJsonObject("training"));
        state.optimizer.prepare(state.trainableParams());

        List<Tensor> targets = new ArrayList<>();
        for (Param p : net.params()) targets.add(p.value());
        targets.addAll(net.buffers());
        targets.addAll(state.optimizer.state());
        JsonArray index = header.getAsJsonArray("arrays");
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
        in.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < targets.size(); k++) {
            Tensor t = targets.get(k);
            long[] shape = GSON.fromJson(index.get(k).getAsJsonObject().get("shape"), long[].class);
            if (!Arrays.equals(shape, t.shape())) {
                throw new CheckpointException(file, "array " + index.get(k).getAsJsonObject().get("name").getAsString() + " has shape "
                        + Arrays.toString(shape) + ", the model needs " + Arrays.toString(t.shape()));
            }
            if (in.position() + 4L * t.length > dataEnd) throw new CheckpointException(file, "truncated: array data ends early");
            for (int i = 0; i < t.length; i++) t.set(i, in.getFloat());
        }
        if (in.position() != dataEnd) throw new CheckpointException(file, (dataEnd - in.position()) + " unexpected bytes after the arrays");

        List<String> classNames = new ArrayList<>();
        for (JsonElement e : header.getAsJsonArray("class_names")) classNames.add(e.getAsString());
        Origin origin = new Origin(header.get("dataset").getAsString(), classNames, header.get("validation_size").getAsInt(),
                header.get("limit").getAsInt(), header.get("nn_version").getAsString(), header.get("nd4j_version").getAsString());
        return new Loaded(file, net, state, origin, header);
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
