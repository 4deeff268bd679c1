package nn.export;

import java.util.List;

import com.google.gson.Gson;
import nn.compute.Nonlinearity;
import nn.checkpoint.Checkpoint;
import nn.export.onnx.OnnxProto.AttributeProto;
import nn.export.onnx.OnnxProto.GraphProto;
import nn.export.onnx.OnnxProto.ModelProto;
import nn.export.onnx.OnnxProto.NodeProto;
import nn.export.onnx.OnnxProto.OperatorSetIdProto;
import nn.export.onnx.OnnxProto.StringStringEntryProto;
import nn.export.onnx.OnnxProto.TensorProto;
import nn.export.onnx.OnnxProto.TensorShapeProto;
import nn.export.onnx.OnnxProto.TypeProto;
import nn.export.onnx.OnnxProto.ValueInfoProto;
import nn.model.Activation;
import nn.model.Attention;
import nn.model.BatchNorm;
import nn.model.Conv2D;
import nn.model.Dense;
import nn.model.Dropout;
import nn.model.Flatten;
import nn.model.GlobalAveragePool;
import nn.model.Layer;
import nn.model.LayerNorm;
import nn.model.Lstm;
import nn.model.MaxPool2D;
import nn.model.Network;
import nn.model.Param;
import nn.model.Patches;
import nn.model.Shape;

/**
 * Writes an nn network as a standard ONNX model (with the classes protoc generates from ONNX's
 * own onnx.proto). nn computes channels last (NHWC) and ONNX channels first (NCHW), so:
 * <ul>
 *   <li>the input is {@code input}, float32 [N, channels, height, width], scaled as nn scales it
 *       (pixel / 255); the outputs are {@code probabilities} [N, classes] and, if asked,
 *       {@code logits};</li>
 *   <li>a conv's W [k·k·C_in, filters] becomes [filters, C_in, k, k];</li>
 *   <li>a dense layer after the flatten of a feature map takes its rows in ONNX's C·H·W order
 *       instead of nn's H·W·C order (and so do per-feature batch-norm statistics there);</li>
 *   <li>dropout is left out (it is the identity at inference); batch norm is a
 *       BatchNormalization node with the running statistics, or folded into the conv or dense
 *       layer right before it;</li>
 *   <li>GELU (nn's tanh approximation) is a Gelu node from opset 20, before that its formula.</li>
 * </ul>
 * The metadata ({@link #KEY_NORMALIZE} and the other {@code nn.*} keys) records the input scaling,
 * the class names, the data set and nn's version.
 */
public final class OnnxExport {
    public static final int DEFAULT_OPSET = 17, MIN_OPSET = 13, MAX_OPSET = 22;
    public static final String INPUT = "input", PROBABILITIES = "probabilities", LOGITS = "logits";
    public static final String KEY_VERSION = "nn.version", KEY_DATASET = "nn.dataset", KEY_CLASS_NAMES = "nn.class_names",
            KEY_INPUT_SCALING = "nn.input_scaling", KEY_NORMALIZE = "nn.normalize", KEY_SPEC = "nn.spec", KEY_TRAINED_WITH = "nn.trained_with";
    /** nn's input: the grey level over 255, 0 black to 1 white, white digit on black. */
    public static final String INPUT_SCALING = "pixel / 255: 0 black .. 1 white, white digit on black, 28x28 as MNIST";
    /** The epsilon of nn's batch norm (nn.model.BatchNorm). */
    static final double NN_BN_EPSILON = 1e-5;

    /** What to write: the opset, whether to add a logits output, whether to fold batch norm. */
    public record Options(int opset, boolean logits, boolean foldBatchNorm) {
        public Options {
            if (opset < MIN_OPSET || opset > MAX_OPSET) {
                throw new IllegalArgumentException("opset " + opset + " is not supported: use " + MIN_OPSET + " to " + MAX_OPSET);
            }
        }
    }

    private final Network net;
    private final Options options;
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("nn");
    private int counter;
    // The tensor the next layer reads, its rank (4: NCHW map, 2: [N, features]), its nn shape,
    // and for a flat tensor the nn feature index of each ONNX feature (null: the same order).
    private String current = INPUT;
    private boolean map = true;
    private Shape shape;
    private int[] order;

    private OnnxExport(Network net, Options options) {
        this.net = net;
        this.options = options;
        this.shape = net.inputShape();
    }

    /** The ONNX model of {@code net}; {@code nnVersion} is the version of nn that writes it. */
    public static ModelProto build(Network net, Checkpoint.Origin origin, Options options, String nnVersion) {
        OnnxExport e = new OnnxExport(net, options);
        e.layers();
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(irVersion(options.opset()))
                .setProducerName("nn")
                .setProducerVersion(nnVersion)
                .setModelVersion(1)
                .setDocString("Exported by nn " + nnVersion + " from the model '" + net.spec().text() + "'. Input '" + INPUT
                        + "': float32 [N,1,28,28], " + INPUT_SCALING + ". Output '" + PROBABILITIES + "': [N," + net.classes() + "].")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(options.opset()))
                .setGraph(e.graph);
        metadata(m, KEY_VERSION, nnVersion);
        metadata(m, KEY_DATASET, origin.dataset());
        metadata(m, KEY_CLASS_NAMES, new Gson().toJson(origin.classNames()));
        metadata(m, KEY_INPUT_SCALING, INPUT_SCALING);
        metadata(m, KEY_NORMALIZE, "0,1");
        metadata(m, KEY_SPEC, net.spec().text());
        if (origin.nnVersion() != null) metadata(m, KEY_TRAINED_WITH, origin.nnVersion());
        return m.build();
    }

    /** The IR version that goes with an opset (ONNX's versioning table). */
    static long irVersion(int opset) {
        return opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
    }

    private static void metadata(ModelProto.Builder m, String key, String value) {
        m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
    }

    private void layers() {
        Shape in = net.inputShape();
        graph.addInput(valueInfo(INPUT, -1, in.channels(), in.height(), in.width()));
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            BatchNorm folded = options.foldBatchNorm() && i + 1 < layers.size() && layers.get(i + 1) instanceof BatchNorm bn
                    && (layer instanceof Conv2D || layer instanceof Dense) ? bn : null;
            if (layer instanceof Lstm || layer instanceof Patches || layer instanceof Attention || layer instanceof LayerNorm
                    || layer instanceof GlobalAveragePool) {
                throw new IllegalArgumentException("ONNX export covers dense and convolutional networks, not " + layer.spec() + " (in "
                        + net.spec().text() + "); nn eval, nn predict and nn export --slim work on it");
            }
            if (layer instanceof Conv2D c) conv(c, folded);
            else if (layer instanceof Dense d) dense(d, folded, i == layers.size() - 1);
            else if (layer instanceof MaxPool2D p) pool(p);
            else if (layer instanceof Activation a) activation(a.fn());
            else if (layer instanceof BatchNorm bn) batchNorm(bn);
            else if (layer instanceof Flatten) flatten();
            else if (!(layer instanceof Dropout)) throw new IllegalArgumentException("cannot export layer " + layer.spec());
            if (folded != null) i++;
            shape = net.outputShape(i);   // after a folded batch norm, i is the batch norm's index
        }
        String logits = current;
        if (options.logits()) {
            node("Identity", List.of(logits), LOGITS);
            graph.addOutput(valueInfo(LOGITS, -1, net.classes()));
        }
        graph.addNode(NodeProto.newBuilder().setOpType("Softmax").setName("softmax").addInput(logits).addOutput(PROBABILITIES)
                .addAttribute(intAttr("axis", 1)));
        graph.addOutput(valueInfo(PROBABILITIES, -1, net.classes()));
    }

    private void conv(Conv2D c, BatchNorm bn) {
        requireMap(c.spec());
        int k = c.kernel(), f = c.filters(), channels = shape.channels();
        float[] w = values(c, 0), b = values(c, 1);
        if (bn != null) fold(bn, w, b, f);
        float[] onnx = new float[w.length];
        for (int o = 0; o < f; o++)
            for (int ch = 0; ch < channels; ch++)
                for (int y = 0; y < k; y++)
                    for (int x = 0; x < k; x++) onnx[((o * channels + ch) * k + y) * k + x] = w[((y * k + x) * channels + ch) * f + o];
        String wn = initializer("conv.W", onnx, f, channels, k, k), bnName = initializer("conv.b", b, f);
        int s = c.stride(), p = c.padding();
        NodeProto.Builder n = nodeBuilder("Conv", List.of(current, wn, bnName))
                .addAttribute(intsAttr("kernel_shape", k, k)).addAttribute(intsAttr("strides", s, s)).addAttribute(intsAttr("pads", p, p, p, p));
        finish(n);
    }

    private void pool(MaxPool2D p) {
        requireMap(p.spec());
        finish(nodeBuilder("MaxPool", List.of(current)).addAttribute(intsAttr("kernel_shape", p.size(), p.size()))
                .addAttribute(intsAttr("strides", p.stride(), p.stride())));
    }

    private void flatten() {
        if (!map) return;
        order = flattenOrder(shape);
        node("Flatten", List.of(current), null);
        map = false;
    }

    private void dense(Dense d, BatchNorm bn, boolean last) {
        if (map) flatten();
        int units = d.units(), inputs = shape.size();
        float[] w = values(d, 0), b = values(d, 1);
        if (bn != null) fold(bn, w, b, units);
        float[] onnx = new float[w.length];
        for (int i = 0; i < inputs; i++) System.arraycopy(w, nnIndex(i) * units, onnx, i * units, units);
        String wn = initializer("dense.W", onnx, inputs, units), bName = initializer("dense.b", b, units);
        node("Gemm", List.of(current, wn, bName), last ? LOGITS_INTERNAL : null);
        order = null;
    }

    private static final String LOGITS_INTERNAL = "logits_";

    private void batchNorm(BatchNorm bn) {
        int c = shape.channels();
        float[] gamma = bn.params().get(0).value().toFloatArray(), beta = bn.params().get(1).value().toFloatArray();
        float[] mean = bn.buffers().get(0).toFloatArray(), var = bn.buffers().get(1).toFloatArray();
        if (!map && order != null) {
            gamma = permute(gamma);
            beta = permute(beta);
            mean = permute(mean);
            var = permute(var);
        }
        List<String> inputs = List.of(current, initializer("bn.scale", gamma, c), initializer("bn.B", beta, c),
                initializer("bn.mean", mean, c), initializer("bn.var", var, c));
        finish(nodeBuilder("BatchNormalization", inputs).addAttribute(floatAttr("epsilon", (float) NN_BN_EPSILON)));
    }

    private void activation(Nonlinearity fn) {
        switch (fn) {
            case RELU -> node("Relu", List.of(current), null);
            case SIGMOID -> node("Sigmoid", List.of(current), null);
            case TANH -> node("Tanh", List.of(current), null);
            case GELU -> {
                if (options.opset() >= 20) {
                    finish(nodeBuilder("Gelu", List.of(current)).addAttribute(AttributeProto.newBuilder().setName("approximate")
                            .setType(AttributeProto.AttributeType.STRING).setS(com.google.protobuf.ByteString.copyFromUtf8("tanh"))));
                } else {
                    // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), as nn.model.Activation computes it
                    String x = current;
                    String x2 = node("Mul", List.of(x, x), null), x3 = node("Mul", List.of(x2, x), null);
                    String cubic = node("Mul", List.of(x3, scalar(0.044715f)), null);
                    String inner = node("Mul", List.of(node("Add", List.of(x, cubic), null), scalar((float) Math.sqrt(2 / Math.PI))), null);
                    String t = node("Add", List.of(node("Tanh", List.of(inner), null), scalar(1f)), null);
                    node("Mul", List.of(node("Mul", List.of(x, t), null), scalar(0.5f)), null);
                }
            }
        }
    }

    /** Batch norm folded into the layer before: W·s and (b − μ)·s + β per output, s = γ/√(σ² + ε). */
    private static void fold(BatchNorm bn, float[] w, float[] b, int outputs) {
        float[] gamma = bn.params().get(0).value().toFloatArray(), beta = bn.params().get(1).value().toFloatArray();
        float[] mean = bn.buffers().get(0).toFloatArray(), var = bn.buffers().get(1).toFloatArray();
        for (int o = 0; o < outputs; o++) {
            double s = gamma[o] / Math.sqrt(var[o] + NN_BN_EPSILON);
            for (int i = o; i < w.length; i += outputs) w[i] = (float) (w[i] * s);
            b[o] = (float) ((b[o] - mean[o]) * s + beta[o]);
        }
    }

    /** For each feature in ONNX's C·H·W order, its index in nn's H·W·C order. */
    static int[] flattenOrder(Shape s) {
        int h = s.height(), w = s.width(), c = s.channels();
        int[] out = new int[s.size()];
        for (int ch = 0; ch < c; ch++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) out[(ch * h + y) * w + x] = (y * w + x) * c + ch;
        return out;
    }

    private int nnIndex(int onnxIndex) {
        return order == null ? onnxIndex : order[onnxIndex];
    }

    private float[] permute(float[] nnOrder) {
        float[] out = new float[nnOrder.length];
        for (int i = 0; i < out.length; i++) out[i] = nnOrder[nnIndex(i)];
        return out;
    }

    private void requireMap(String what) {
        if (!map) throw new IllegalArgumentException("cannot export " + what + " after a flatten");
    }

    private static float[] values(Layer layer, int param) {
        Param p = layer.params().get(param);
        return p.value().toFloatArray();
    }

    private String initializer(String name, float[] values, long... dims) {
        String unique = name + "_" + (counter++);
        TensorProto.Builder t = TensorProto.newBuilder().setName(unique).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) t.addDims(d);
        java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : values) raw.putFloat(v);
        t.setRawData(com.google.protobuf.ByteString.copyFrom(raw.array()));
        graph.addInitializer(t);
        return unique;
    }

    private String scalar(float v) {
        return initializer("const", new float[] {v});
    }

    private NodeProto.Builder nodeBuilder(String op, List<String> inputs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase(java.util.Locale.ROOT) + "_" + (counter++));
        n.addAllInput(inputs);
        return n;
    }

    /** Adds the node with one output, which becomes the current tensor. */
    private String finish(NodeProto.Builder n) {
        String out = n.getName() + "_out";
        graph.addNode(n.addOutput(out));
        current = out;
        return out;
    }

    private String node(String op, List<String> inputs, String output) {
        NodeProto.Builder n = nodeBuilder(op, inputs);
        if (output == null) return finish(n);
        graph.addNode(n.addOutput(output));
        current = output;
        return output;
    }

    /** A float32 tensor's name, type and shape; a negative dimension is the dynamic batch size N. */
    private static ValueInfoProto valueInfo(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N") : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto intsAttr(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    private static AttributeProto floatAttr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }
}
