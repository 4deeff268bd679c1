package nn.serve;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/** JSON helpers: numbers that are not finite become null (JSON has no NaN). */
final class Json {
    static final Gson GSON = new com.google.gson.GsonBuilder().serializeNulls().create();

    private Json() {}

    static JsonElement number(Double v) {
        return v == null || !Double.isFinite(v) ? JsonNull.INSTANCE : new JsonPrimitive(v);
    }

    /** Rounded to {@code digits} decimals, to keep 784-value arrays short. */
    static JsonArray array(float[] values, int digits) {
        double scale = Math.pow(10, digits);
        JsonArray a = new JsonArray();
        for (float v : values) a.add(Double.isFinite(v) ? Math.round(v * scale) / scale : 0);
        return a;
    }

    static JsonObject error(String message) {
        JsonObject o = new JsonObject();
        o.addProperty("error", message);
        return o;
    }
}
