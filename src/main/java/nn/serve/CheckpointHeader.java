package nn.serve;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Reads only the JSON header of a checkpoint (model spec, data set, planned epochs) without
 * loading its arrays: cheap enough to list every run and model on each request. The full,
 * checked load is {@link nn.checkpoint.Checkpoint#load}; a header that does not parse is null.
 */
final class CheckpointHeader {
    private static final byte[] MAGIC = "NNCKPT\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HEADER = 16 << 20;

    private CheckpointHeader() {}

    /** The header object, or null when the file is missing, not a checkpoint, or cut short. */
    static JsonObject read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(MAGIC.length + 8);
            while (head.hasRemaining() && ch.read(head) > 0) { /* fill */ }
            if (head.hasRemaining()) return null;
            head.flip();
            for (byte b : MAGIC) if (head.get() != b) return null;
            head.getInt();   // format version
            int length = head.getInt();
            if (length < 2 || length > MAX_HEADER || length > ch.size() - head.capacity()) return null;
            ByteBuffer json = ByteBuffer.allocate(length);
            while (json.hasRemaining() && ch.read(json) > 0) { /* fill */ }
            if (json.hasRemaining()) return null;
            return JsonParser.parseString(new String(json.array(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static String spec(JsonObject header) {
        return string(header == null ? null : header.getAsJsonObject("model"), "spec");
    }

    static String dataset(JsonObject header) {
        return string(header, "dataset");
    }

    /** The epochs the run was asked for (training.config.epochs), or -1. */
    static int plannedEpochs(JsonObject header) {
        try {
            return header.getAsJsonObject("training").getAsJsonObject("config").get("epochs").getAsInt();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    static String string(JsonObject o, String key) {
        if (o == null) return null;
        JsonElement e = o.get(key);
        return e == null || !e.isJsonPrimitive() ? null : e.getAsString();
    }
}
