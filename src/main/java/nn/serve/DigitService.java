package nn.serve;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import nn.checkpoint.Checkpoint;
import nn.eval.DigitAnswer;
import nn.eval.Predictions;
import nn.eval.Predictor;
import nn.image.DigitPreprocessor;
import nn.image.ImageLoadException;
import nn.image.ImageReading;
import nn.inspect.Inspection;
import nn.inspect.InspectionPictures;
import nn.model.Network;

/**
 * What {@code POST /api/predict} does with a picture: the same reading ({@link ImageReading},
 * with its 40-megapixel header check) and preparation ({@link DigitPreprocessor}, inverting
 * automatically) as {@code nn predict}, then the probabilities and the saliency map of the
 * predicted class. Decoding and preparing run in parallel; the network is used by one request
 * at a time (a network's buffers are not thread-safe), under a fair lock.
 */
final class DigitService {
    static final int MAX_PASSES = 100;
    static final int TOP = 3;

    private final ReentrantLock network = new ReentrantLock(true);

    /** Reads the upload as nn predict reads a file (from a temporary file, removed at once). */
    static BufferedImage read(byte[] body) throws IOException {
        Path tmp = Files.createTempFile("nn-serve-", ".upload");
        try {
            Files.write(tmp, body);
            return ImageReading.read(tmp);
        } catch (ImageLoadException e) {
            String message = e.getMessage();
            String prefix = tmp + ": ";
            if (message != null && message.startsWith(prefix)) message = message.substring(prefix.length());
            int status = message != null && message.contains("over the limit") ? 413 : message != null && message.startsWith("not an image") ? 415 : 400;
            throw new ApiException(status, message);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The prediction object: nn predict --json's fields plus the input the network saw and the saliency map. */
    JsonObject predict(byte[] body, ModelCatalog.Entry entry, Checkpoint.Loaded model, int passes, String name) throws IOException {
        long start = System.nanoTime();
        if (body.length == 0) throw new ApiException(400, "empty body: send a PNG or JPEG picture of a digit");
        BufferedImage image = read(body);
        DigitPreprocessor.Readings readings = DigitPreprocessor.prepareBoth(image, DigitPreprocessor.Invert.AUTO);
        if (readings == null) throw new ApiException(422, "no digit found (the picture is blank)");
        DigitPreprocessor.Result prepared = readings.whole();
        Network net = model.network();
        if (passes > 0 && !net.hasDropout()) {
            throw new ApiException(400, "uncertainty needs a model with dropout; " + net.spec().text() + " has none");
        }
        if (passes == 1 || passes > MAX_PASSES) throw new ApiException(400, "uncertainty passes must be between 2 and " + MAX_PASSES);
        float[] x = prepared.pixels();
        List<String> names = model.origin().classNames();
        // Digits side by side are read as a number too (a 0-9 model only), as nn predict reads them.
        List<DigitPreprocessor.Digit> digits = DigitAnswer.digitClasses(names) ? readings.digits() : null;
        float[] probs, saliency, digitProbs = null;
        Predictor.Spread spread = null;
        network.lock();
        try {
            if (passes > 0) spread = Predictor.monteCarlo(net, x, 1, passes, model.state().config.seed());
            probs = spread != null ? spread.mean() : Predictor.probabilities(net, x, 1);
            saliency = Inspection.saliency(net, x, Predictions.argmax(probs, 0, probs.length));
            if (digits != null && digits.size() > 1) digitProbs = Predictor.probabilities(net, concatenated(digits), digits.size());
        } finally {
            network.unlock();
        }
        DigitAnswer answer = DigitAnswer.of(probs, spread == null ? null : spread.std());
        JsonObject o = new JsonObject();
        o.addProperty("file", name == null ? "upload" : name);
        new com.google.gson.Gson().toJsonTree(answer.json(names, TOP, passes)).getAsJsonObject().entrySet().forEach(e -> o.add(e.getKey(), e.getValue()));
        if (spread != null) o.getAsJsonObject("uncertainty").add("stds", Json.array(spread.std(), 4));
        if (digitProbs != null) {
            List<DigitAnswer> each = new java.util.ArrayList<>();
            for (int d = 0; d < digits.size(); d++) each.add(DigitAnswer.of(java.util.Arrays.copyOfRange(digitProbs, d * net.classes(), (d + 1) * net.classes()), null));
            JsonObject number = new com.google.gson.Gson().toJsonTree(
                    DigitAnswer.numberJson(each, digits.stream().map(DigitPreprocessor.Digit::box).toList(), names, TOP, 0)).getAsJsonObject();
            o.add("number", number.get("number"));
            o.add("number_confidence", number.get("confidence"));
            o.add("digits", number.get("digits"));
        }
        JsonArray classes = new JsonArray();
        names.forEach(classes::add);
        o.add("classes", classes);
        o.add("probabilities", Json.array(probs, 5));
        o.add("input", Json.array(x, 3));
        o.add("saliency", Json.array(normalise(saliency), 3));
        o.addProperty("inverted", prepared.inverted());
        JsonObject m = new JsonObject();
        m.addProperty("id", entry.id());
        m.addProperty("spec", net.spec().text());
        o.add("model", m);
        o.addProperty("milliseconds", Math.round((System.nanoTime() - start) / 1e4) / 100.0);
        return o;
    }

    /** The digits' 28x28 inputs end to end, as the network takes a batch. */
    private static float[] concatenated(List<DigitPreprocessor.Digit> digits) {
        int size = DigitPreprocessor.SIZE * DigitPreprocessor.SIZE;
        float[] all = new float[digits.size() * size];
        for (int d = 0; d < digits.size(); d++) System.arraycopy(digits.get(d).pixels(), 0, all, d * size, size);
        return all;
    }

    /** nn show weights as a picture: a weight layer's tiles (counting weight layers from 1). */
    byte[] weights(Checkpoint.Loaded model, int layer) throws IOException {
        Network net = model.network();
        int count = InspectionPictures.weightLayers(net).size();
        if (layer < 1 || layer > count) throw new ApiException(400, "layer must be between 1 and " + count);
        network.lock();
        try {
            return InspectionPictures.weights(net, layer);
        } finally {
            network.unlock();
        }
    }

    /** nn show activations as a picture: every layer's output for the uploaded digit. */
    byte[] activations(byte[] body, Checkpoint.Loaded model) throws IOException {
        if (body.length == 0) throw new ApiException(400, "empty body: send a PNG or JPEG picture of a digit");
        DigitPreprocessor.Result prepared = DigitPreprocessor.prepare(read(body), DigitPreprocessor.Invert.AUTO);
        if (prepared == null) throw new ApiException(422, "no digit found (the picture is blank)");
        float[] x = prepared.pixels();
        List<Inspection.LayerOutput> layers;
        float[] probs;
        network.lock();
        try {
            layers = Inspection.activations(model.network(), x);
            probs = Inspection.probabilities(model.network(), x);
        } finally {
            network.unlock();
        }
        return InspectionPictures.activations(x, layers, probs, model.origin().classNames());
    }

    /** Scaled so the largest value is 1 (all zeros stay zeros). */
    static float[] normalise(float[] v) {
        float max = 0;
        for (float f : v) if (Float.isFinite(f)) max = Math.max(max, f);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = max > 0 && Float.isFinite(v[i]) ? v[i] / max : 0;
        return out;
    }
}
