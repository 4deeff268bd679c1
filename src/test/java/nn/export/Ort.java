package nn.export;

import java.nio.FloatBuffer;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** ONNX Runtime for Java, as the reference every ONNX file in the tests is run with. */
final class Ort {
    private Ort() {}

    /**
     * Runs the model on {@code count} images laid end to end in {@code pixels} (784 each), fed as
     * {@code shape} with -1 for N, and returns output {@code output} as one float array.
     */
    static float[] run(byte[] model, String input, long[] shape, String output, float[] pixels, int count) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, options)) {
                long[] dims = shape.clone();
                dims[0] = count;
                try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels, 0, count * 784), dims);
                     OrtSession.Result result = session.run(Map.of(input, x))) {
                    OnnxTensor out = (OnnxTensor) result.get(output).orElseThrow();
                    FloatBuffer buf = out.getFloatBuffer();
                    float[] values = new float[buf.remaining()];
                    buf.get(values);
                    return values;
                }
            }
        }
    }

    /** The largest |a[i] − b[i]|. */
    static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("lengths " + a.length + " and " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    /** How many rows of [n, classes] probabilities have a different largest entry. */
    static int differentClasses(float[] a, float[] b, int classes) {
        int n = 0;
        for (int r = 0; r < a.length / classes; r++) {
            if (nn.eval.Predictions.argmax(a, r * classes, classes) != nn.eval.Predictions.argmax(b, r * classes, classes)) n++;
        }
        return n;
    }
}
