package nn.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import nn.io.AtomicFile;
import nn.model.ModelSpec;
import nn.model.Network;
import nn.model.Param;
import nn.model.Shape;
import nn.compute.Tensor;
import nn.train.Schedule;
import nn.train.TrainConfig;
import nn.train.TrainingState;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A model saved for use, not for more training: the spec, where it came from, and its arrays,
 * each stored densely or, when that is smaller (a pruned model), as a bitmap of which values are
 * not zero followed by those values. No optimiser state, no masks: a 90%-sparse model takes
 * about an eighth of its dense weight bytes. Values keep their exact float32 bits (a pruned
 * weight's −0 comes back as +0, which no layer tells apart: x·(±0) is a zero, and adding a zero
 * changes no sum), so predictions are bit-identical to the checkpoint's.
 * <pre>
 *   "NNSLIM\r\n"                        8 bytes
 *   int32 format version                 1
 *   int32 header length, header          UTF-8 JSON: versions, data set, class names, model spec,
 *                                        arrays [{name, shape, encoding: dense|bitmap, nonzero}]
 *   arrays                               dense: float32 LE each value;
 *                                        bitmap: ceil(n/8) bytes (bit i%8 of byte i/8 set: value i
 *                                        is stored), then the stored values, float32 LE
 *   int64 CRC-32 of all bytes before it
 *   "NNEND\n"
 * </pre>
 */
public final class SlimModel {
    public static final int FORMAT_VERSION = 1;
    private static final byte[] MAGIC = "NNSLIM\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "NNEND\n".getBytes(StandardCharsets.US_ASCII);

    private SlimModel() {}

    /** True when the file starts with the slim model signature. */
    public static boolean isSlim(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return false;
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        }
    }

    public static void save(Path file, Network net, Checkpoint.Origin origin, long seed) throws IOException {
        AtomicFile.write(file, encode(net, origin, seed));
    }

    public static byte[] encode(Network net, Checkpoint.Origin origin, long seed) throws IOException {
        List<Tensor> arrays = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Param p : net.params()) {
            arrays.add(p.value());
            names.add(p.name());
        }
        List<Tensor> buffers = net.buffers();
        for (int i = 0; i < buffers.size(); i++) {
            arrays.add(buffers.get(i));
            names.add("buffer" + i);
        }
        Gson gson = new Gson();
        JsonObject header = new JsonObject();
        header.addProperty("format", FORMAT_VERSION);
        header.addProperty("nn_version", origin.nnVersion());
        header.addProperty("nd4j_version", origin.nd4jVersion());
        header.addProperty("dataset", origin.dataset());
        header.add("class_names", gson.toJsonTree(origin.classNames()));
        header.addProperty("validation_size", origin.validationSize());
        header.addProperty("limit", origin.limit());
        header.addProperty("seed", seed);
        header.addProperty("normalisation", "pixel / 255, white digit on black, 28x28 as MNIST");
        JsonObject model = new JsonObject();
        model.addProperty("spec", net.spec().text());
        Shape in = net.spec().input();
        model.add("input", gson.toJsonTree(new int[] {in.height(), in.width(), in.channels()}));
        model.addProperty("classes", net.classes());
        model.addProperty("parameters", net.parameterCount());
        header.add("model", model);

        ByteArrayOutputStream data = new ByteArrayOutputStream();
        JsonArray index = new JsonArray();
        for (int k = 0; k < arrays.size(); k++) {
            float[] v = arrays.get(k).toFloatArray();
            int stored = 0;
            for (float x : v) if (x != 0) stored++;
            boolean bitmap = (v.length + 7) / 8 + 4L * stored < 4L * v.length;
            ByteBuffer buf = ByteBuffer.allocate(bitmap ? (v.length + 7) / 8 + 4 * stored : 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            if (bitmap) {
                byte[] bits = new byte[(v.length + 7) / 8];
                for (int i = 0; i < v.length; i++) if (v[i] != 0) bits[i >> 3] |= (byte) (1 << (i & 7));
                buf.put(bits);
                for (float x : v) if (x != 0) buf.putFloat(x);
            } else {
                for (float x : v) buf.putFloat(x);
            }
            data.write(buf.array());
            JsonObject o = new JsonObject();
            o.addProperty("name", names.get(k));
            o.add("shape", gson.toJsonTree(arrays.get(k).shape()));
            o.addProperty("encoding", bitmap ? "bitmap" : "dense");
            o.addProperty("nonzero", stored);
            index.add(o);
        }
        header.add("arrays", index);

        return Checkpoint.frame(MAGIC, FORMAT_VERSION, gson.toJson(header), data);
    }

    public static Checkpoint.Loaded load(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "no such file");
        }
        if (bytes.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new CheckpointException(file, "not a slim nn model (no NNSLIM signature at the start)");
        }
        int trailer = 8 + END.length;
        if (bytes.length < MAGIC.length + 8 + trailer || !Arrays.equals(Arrays.copyOfRange(bytes, bytes.length - END.length, bytes.length), END)) {
            throw new CheckpointException(file, "truncated: the end marker is missing (was the write interrupted?)");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - trailer);
        if (ByteBuffer.wrap(bytes, bytes.length - trailer, 8).getLong() != crc.getValue()) throw new CheckpointException(file, "corrupted: CRC-32 mismatch");
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, bytes.length - trailer);
        in.position(MAGIC.length);
        int format = in.getInt();
        if (format != FORMAT_VERSION) throw new CheckpointException(file, "slim model format " + format + " is not one this nn reads (" + FORMAT_VERSION + ")");
        int headerLength = in.getInt();
        if (headerLength < 2 || headerLength > in.remaining()) throw new CheckpointException(file, "corrupted: header length " + headerLength);
        try {
            JsonObject header = JsonParser.parseString(new String(bytes, in.position(), headerLength, StandardCharsets.UTF_8)).getAsJsonObject();
            in.position(in.position() + headerLength);
            return decode(file, header, in.order(ByteOrder.LITTLE_ENDIAN));
        } catch (RuntimeException e) {
            throw new CheckpointException(file, "inconsistent content (" + e.getMessage() + ")");
        }
    }

    private static Checkpoint.Loaded decode(Path file, JsonObject header, ByteBuffer in) throws CheckpointException {
        JsonObject model = header.getAsJsonObject("model");
        JsonArray dims = model.getAsJsonArray("input");
        ModelSpec spec = new ModelSpec(model.get("spec").getAsString(), new Shape(dims.get(0).getAsInt(), dims.get(1).getAsInt(), dims.get(2).getAsInt()),
                model.get("classes").getAsInt());
        JsonArray index = header.getAsJsonArray("arrays");
        Checkpoint.checkModelSize(file, spec, index);   // before building: a forged spec cannot make nn allocate
        Network net = spec.build(DataType.FLOAT);
        List<Tensor> targets = new ArrayList<>();
        for (Param p : net.params()) targets.add(p.value());
        targets.addAll(net.buffers());
        if (index.size() != targets.size()) throw new CheckpointException(file, "holds " + index.size() + " arrays, the model needs " + targets.size());
        for (int k = 0; k < targets.size(); k++) {
            Tensor t = targets.get(k);
            JsonObject a = index.get(k).getAsJsonObject();
            long[] shape = new Gson().fromJson(a.get("shape"), long[].class);
            if (!Arrays.equals(shape, t.shape())) throw new CheckpointException(file, "array " + a.get("name").getAsString() + " has the wrong shape");
            float[] v = new float[t.length];
            if (a.get("encoding").getAsString().equals("bitmap")) {
                byte[] bits = new byte[(v.length + 7) / 8];
                in.get(bits);
                for (int i = 0; i < v.length; i++) if ((bits[i >> 3] & (1 << (i & 7))) != 0) v[i] = in.getFloat();
            } else {
                for (int i = 0; i < v.length; i++) v[i] = in.getFloat();
            }
            t.copyFrom(v, 0, 0, v.length);
        }
        if (in.hasRemaining()) throw new CheckpointException(file, in.remaining() + " unexpected bytes after the arrays");
        List<String> classNames = new ArrayList<>();
        for (JsonElement e : header.getAsJsonArray("class_names")) classNames.add(e.getAsString());
        Checkpoint.Origin origin = new Checkpoint.Origin(header.get("dataset").getAsString(), classNames, header.get("validation_size").getAsInt(),
                header.get("limit").getAsInt(), header.get("nn_version").getAsString(), header.get("nd4j_version").getAsString());
        TrainingState state = new TrainingState(net, new TrainConfig(1, 64, 0.01, "sgd", 0, 0, Schedule.CONSTANT, null, header.get("seed").getAsLong()));
        return new Checkpoint.Loaded(file, net, state, origin, header);
    }
}
