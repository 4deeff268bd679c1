package nn.export;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import nn.checkpoint.Checkpoint;
import nn.checkpoint.CheckpointException;
import nn.data.DatasetKind;
import nn.export.onnx.OnnxProto.AttributeProto;
import nn.export.onnx.OnnxProto.GraphProto;
import nn.export.onnx.OnnxProto.ModelProto;
import nn.export.onnx.OnnxProto.NodeProto;
import nn.export.onnx.OnnxProto.StringStringEntryProto;
import nn.export.onnx.OnnxProto.TensorProto;
import nn.export.onnx.OnnxProto.TensorShapeProto;
import nn.export.onnx.OnnxProto.ValueInfoProto;
import nn.model.Activation;
import nn.model.BatchNorm;
import nn.model.Conv2D;
import nn.model.Dense;
import nn.model.Flatten;
import nn.model.Layer;
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
 * Reads an ONNX model into nn's own layers: the graph must be a chain of the operators in
 * {@link #SUPPORTED} (as torch.onnx.export and the Keras converters write them), reading
 * 28x28 grey images as [N,1,28,28] or [N,784] and ending in a dense layer of 10 class scores
 * (with or without a Softmax or LogSoftmax). The result is what loading a checkpoint gives, with
 * an inference-only training state, so every command that evaluates or inspects a model works.
 *
 * <p>Element-wise nodes (Relu, Sigmoid, Tanh, Gelu, and Erf, Add, Mul, Div, Pow... with scalar
 * constants) are composed into one function per stretch of the chain and recognised by its values
 * as ReLU, sigmoid, tanh or GELU (exact or tanh form: nn runs the tanh form); an Add of a vector
 * right after MatMul or Conv is that layer's bias. Channels-first weights become nn's
 * channels-last ones (the inverse of {@link OnnxExport}).
 */
public final class OnnxImport {
    /** Operators nn turns into its layers (Shape, Gather, Unsqueeze, Concat, Squeeze, Cast, Slice only to compute a Reshape's shape). */
    public static final Set<String> SUPPORTED = Set.of("Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Erf",
            "Conv", "MaxPool", "Relu", "Sigmoid", "Tanh", "Gelu", "BatchNormalization", "Flatten", "Reshape", "Softmax",
            "LogSoftmax", "Dropout", "Identity", "Transpose", "Constant", "Shape", "Gather", "Unsqueeze", "Concat", "Squeeze", "Cast", "Slice");
    private static final Set<String> SHAPE_OPS = Set.of("Shape", "Gather", "Unsqueeze", "Concat", "Squeeze", "Cast", "Slice");

    /** How pixels are scaled before the model sees them: (pixel / 255 − mean) / std. nn's own models use (0, 1). */
    public record Scaling(double mean, double std) {
        public static final Scaling NN = new Scaling(0, 1);

        public Scaling {
            if (!Double.isFinite(mean) || !(std > 0) || !Double.isFinite(std)) {
                throw new IllegalArgumentException("normalisation needs a finite mean and a positive standard deviation, got " + mean + "," + std);
            }
        }

        /** "MEAN,STD", e.g. 0.1307,0.3081. */
        public static Scaling parse(String text) {
            String[] parts = text.split(",");
            if (parts.length != 2) throw new IllegalArgumentException("expected MEAN,STD (e.g. 0.1307,0.3081), got '" + text + "'");
            try {
                return new Scaling(Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected MEAN,STD (e.g. 0.1307,0.3081), got '" + text + "'");
            }
        }

        boolean isIdentity() {
            return mean == 0 && std == 1;
        }
    }

    /** True for a file nn should read as ONNX (by its extension). */
    public static boolean isOnnx(Path file) {
        return file.getFileName() != null && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    /**
     * The model in {@code file} as nn layers. {@code normalize} is the input scaling when the
     * file's metadata does not say (null: pixel / 255). Every problem is a CheckpointException
     * with one line naming the file.
     */
    public static Checkpoint.Loaded load(Path file, Scaling normalize) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "no such file");
        }
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new CheckpointException(file, "not an ONNX model, or a truncated one (" + e.getMessage() + ")");
        }
        if (!model.hasGraph() || model.getIrVersion() <= 0 || model.getGraph().getNodeCount() == 0) {
            throw new CheckpointException(file, "not an ONNX model (no graph of nodes in it)");
        }
        try {
            return new OnnxImport(file, model).read(normalize);
        } catch (ImportException e) {
            throw new CheckpointException(file, e.getMessage());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CheckpointException(file, "cannot use this ONNX model (" + e.getMessage() + ")");
        } catch (RuntimeException e) {   // inconsistent sizes in a damaged file: still one line, not a stack trace
            throw new CheckpointException(file, "cannot use this ONNX model (inconsistent content: " + e + ")");
        }
    }

    /** A problem with the graph, reported as one line. */
    static final class ImportException extends RuntimeException {
        ImportException(String message) {
            super(message);
        }
    }

    // ---- what each tensor of the graph is ----

    private sealed interface Value permits Const, Chain, Expr, Computed, Final {}

    /** A constant: an initializer or a Constant node (floats, or integers as a Reshape's shape). */
    private record Const(long[] dims, float[] floats, long[] ints) implements Value {
        int size() {
            return floats != null ? floats.length : ints.length;
        }

        boolean isScalar() {
            return floats != null && floats.length == 1;
        }
    }

    /**
     * The activation that flows along the chain, after {@code layers} layers: a map [N, C, H, W]
     * or flat [N, F]; for a flat one that came from flattening a map, {@code order[i]} is the
     * nn (H·W·C) index of ONNX feature i.
     */
    private record Chain(int layers, boolean map, Shape shape, int[] order, boolean nhwc) implements Value {
        Chain(int layers, boolean map, Shape shape, int[] order) {
            this(layers, map, shape, order, false);
        }

        /** A map laid out channels first, as Conv, MaxPool and BatchNormalization read it (with one channel, either layout is). */
        boolean nchw() {
            return map && (!nhwc || shape.channels() == 1);
        }
    }

    /** An element-wise function of a chain value, not yet given a name. */
    private record Expr(Chain base, DoubleUnaryOperator f) implements Value {}

    /** A value computed from shapes (the shape argument of a Reshape), not from the data. */
    private record Computed() implements Value {}

    /** The chain after a Softmax or LogSoftmax: the model's output. */
    private record Final(Chain chain) implements Value {}

    /** One nn layer: its spec token and the arrays it gets, in nn's layout. */
    private record Imported(String token, float[] w, float[] b, float[] mean, float[] var, int units) {
        static Imported plain(String token) {
            return new Imported(token, null, null, null, null, 0);
        }
    }

    private final Path file;
    private final ModelProto model;
    private final GraphProto graph;
    private final Map<String, Value> values = new HashMap<>();
    private final List<Imported> layers = new ArrayList<>();
    private final Map<String, String> metadata = new HashMap<>();

    private OnnxImport(Path file, ModelProto model) {
        this.file = file;
        this.model = model;
        this.graph = model.getGraph();
        for (StringStringEntryProto e : model.getMetadataPropsList()) metadata.put(e.getKey(), e.getValue());
    }

    private Checkpoint.Loaded read(Scaling normalize) {
        refuseUnsupported();
        for (TensorProto t : graph.getInitializerList()) values.put(t.getName(), constant(t));
        Chain start = input();
        Scaling scaling = scaling(normalize);
        if (!scaling.isIdentity()) {
            // (x − mean) / std as a first batch norm: γ = 1, β = 0, running mean = mean, running variance = std² − ε.
            layers.add(new Imported("batchnorm", new float[] {1}, new float[] {0}, new float[] {(float) scaling.mean()},
                    new float[] {(float) (scaling.std() * scaling.std() - OnnxExport.NN_BN_EPSILON)}, 0));
            start = new Chain(layers.size(), start.map(), start.shape(), start.order(), start.nhwc());
        }
        inputLayers = layers.size();
        values.put(inputName, start);
        for (NodeProto node : graph.getNodeList()) node(node);
        Chain end = output();
        return build(end, scaling);
    }

    private String inputName;
    /** Layers in front of the model's own: the input normalisation, if any. */
    private int inputLayers;

    private void refuseUnsupported() {
        List<String> bad = new ArrayList<>();
        Set<String> ops = new LinkedHashSet<>();
        for (NodeProto n : graph.getNodeList()) {
            boolean standard = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
            if (!standard || !SUPPORTED.contains(n.getOpType())) {
                bad.add((standard ? "" : n.getDomain() + ".") + n.getOpType() + " (node '" + nodeName(n) + "')");
                ops.add(n.getOpType());
            }
        }
        if (!bad.isEmpty()) {
            throw new ImportException("nn cannot run " + (ops.size() == 1 ? "the operator " : "the operators ") + String.join(", ", ops)
                    + ": " + String.join(", ", bad) + " (nn reads Gemm, MatMul+Add, Conv, MaxPool, Relu, Sigmoid, Tanh, Gelu or its Erf form, "
                    + "BatchNormalization, Flatten, Reshape, Transpose, Softmax, LogSoftmax, Dropout, Identity)");
        }
    }

    private static String nodeName(NodeProto n) {
        return n.getName().isEmpty() ? (n.getOutputCount() > 0 ? n.getOutput(0) : "?") : n.getName();
    }

    private Scaling scaling(Scaling fallback) {
        String text = metadata.get(OnnxExport.KEY_NORMALIZE);
        if (text != null) {
            try {
                return Scaling.parse(text);
            } catch (IllegalArgumentException e) {
                throw new ImportException("metadata " + OnnxExport.KEY_NORMALIZE + ": " + e.getMessage());
            }
        }
        return fallback != null ? fallback : Scaling.NN;
    }

    /** The one graph input that is not an initializer: [N,1,28,28] or [N,784] floats. */
    private Chain input() {
        Set<String> initializers = new java.util.HashSet<>();
        for (TensorProto t : graph.getInitializerList()) initializers.add(t.getName());
        List<ValueInfoProto> inputs = graph.getInputList().stream().filter(v -> !initializers.contains(v.getName())).toList();
        if (inputs.size() != 1) throw new ImportException("the model has " + inputs.size() + " inputs; nn feeds one, the image");
        ValueInfoProto in = inputs.get(0);
        inputName = in.getName();
        if (!in.getType().hasTensorType() || in.getType().getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new ImportException("input '" + inputName + "' is not a float32 tensor; nn feeds float32 images");
        }
        List<Long> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension d : in.getType().getTensorType().getShape().getDimList()) dims.add(d.hasDimValue() ? d.getDimValue() : -1L);
        String shown = dims.toString().replace("-1", "N").replace(" ", "");
        if (dims.size() == 4 && dims.get(1) == 1 && dims.get(2) == 28 && dims.get(3) == 28) return new Chain(0, true, ModelSpec.MNIST_INPUT, null);
        if (dims.size() == 2 && dims.get(1) == 784) return new Chain(0, false, Shape.features(784), null);
        // Keras' layout, channels last: with one channel, the same pixels in the same order
        if (dims.size() == 4 && dims.get(1) == 28 && dims.get(2) == 28 && dims.get(3) == 1) return new Chain(0, true, ModelSpec.MNIST_INPUT, null, true);
        if (dims.size() == 3 && dims.get(1) == 28 && dims.get(2) == 28) return new Chain(0, true, ModelSpec.MNIST_INPUT, null, true);
        throw new ImportException("input '" + inputName + "' has shape " + shown + "; nn feeds 28x28 grey images as [N,1,28,28] or [N,784] (or [N,28,28,1])");
    }

    // ---- the nodes ----

    private void node(NodeProto n) {
        String op = n.getOpType();
        Value out = switch (op) {
            case "Constant" -> constantNode(n);
            case "Identity", "Dropout" -> values.get(n.getInput(0)) instanceof Final f ? f : in(n, 0);
            case "Relu" -> unary(n, x -> x > 0 ? x : 0);
            case "Sigmoid" -> unary(n, x -> 1 / (1 + Math.exp(-x)));
            case "Tanh" -> unary(n, Math::tanh);
            case "Erf" -> unary(n, OnnxImport::erf);
            case "Sqrt" -> unary(n, Math::sqrt);
            case "Gelu" -> unary(n, "tanh".equals(stringAttr(n, "approximate", "none")) ? Functions::geluTanh : Functions::geluErf);
            case "Add" -> binary(n, Double::sum);
            case "Sub" -> binary(n, (a, b) -> a - b);
            case "Mul" -> binary(n, (a, b) -> a * b);
            case "Div" -> binary(n, (a, b) -> a / b);
            case "Pow" -> binary(n, Math::pow);
            case "Gemm" -> gemm(n);
            case "MatMul" -> matMul(n);
            case "Conv" -> conv(n);
            case "MaxPool" -> maxPool(n);
            case "BatchNormalization" -> batchNorm(n);
            case "Flatten" -> flatten(n);
            case "Reshape" -> reshape(n);
            case "Softmax", "LogSoftmax" -> softmax(n);
            case "Transpose" -> transpose(n);
            default -> shapeOp(n);
        };
        if (n.getOutputCount() > 0) values.put(n.getOutput(0), out);
    }

    private Value in(NodeProto n, int i) {
        if (i >= n.getInputCount() || n.getInput(i).isEmpty()) throw new ImportException(where(n) + " lacks input " + (i + 1));
        Value v = values.get(n.getInput(i));
        if (v == null) throw new ImportException(where(n) + " reads '" + n.getInput(i) + "', which nothing before it produces");
        if (v instanceof Final) throw new ImportException(where(n) + " comes after the Softmax; nn's models end there");
        return v;
    }

    private static String where(NodeProto n) {
        return n.getOpType() + " (node '" + nodeName(n) + "')";
    }

    private Const constIn(NodeProto n, int i, String what) {
        if (in(n, i) instanceof Const c) return c;
        throw new ImportException(where(n) + ": its " + what + " must be a constant (an initializer)");
    }

    /** The chain value an operator reads, with any pending element-wise function turned into an nn layer. */
    private Chain chainIn(NodeProto n, int i) {
        Value v = in(n, i);
        if (v instanceof Chain c) return current(c, n);
        if (v instanceof Expr e) return materialise(e, n);
        throw new ImportException(where(n) + " reads a constant where nn expects the image's activations");
    }

    private Chain current(Chain c, NodeProto n) {
        if (c.layers() != layers.size()) throw new ImportException(where(n) + " reads an earlier activation: the graph branches, nn runs a chain of layers");
        return c;
    }

    private Chain materialise(Expr e, NodeProto n) {
        Chain base = current(e.base(), n);
        String fn = Functions.identify(e.f());
        if (fn == null) throw new ImportException(where(n) + " reads an element-wise function nn has no layer for (not ReLU, sigmoid, tanh or GELU)");
        if (fn.isEmpty()) return base;
        layers.add(Imported.plain(fn));
        return new Chain(layers.size(), base.map(), base.shape(), base.order(), base.nhwc());
    }

    private Value unary(NodeProto n, DoubleUnaryOperator f) {
        Value v = in(n, 0);
        if (v instanceof Chain c) return new Expr(c, f);
        if (v instanceof Expr e) return new Expr(e.base(), e.f().andThen(f));
        throw new ImportException(where(n) + " on a constant is not supported");
    }

    private Value binary(NodeProto n, DoubleBinaryOperator op) {
        Value a = in(n, 0), b = in(n, 1);
        if (a instanceof Const ca && b instanceof Const cb && ca.isScalar() && cb.isScalar()) {
            return new Const(new long[0], new float[] {(float) op.applyAsDouble(ca.floats()[0], cb.floats()[0])}, null);
        }
        // A vector added to the output of MatMul or Conv: that layer's bias.
        if (n.getOpType().equals("Add") && (a instanceof Chain || b instanceof Chain) && (a instanceof Const || b instanceof Const)) {
            Chain c = (Chain) (a instanceof Chain ? a : b);
            Const k = (Const) (a instanceof Const ? a : b);
            if (!k.isScalar()) return bias(n, current(c, n), k);
        }
        Expr x = expr(a), y = expr(b);
        if (x != null && y != null) {
            if (x.base() != y.base()) throw new ImportException(where(n) + " combines two different activations: the graph branches, nn runs a chain of layers");
            DoubleUnaryOperator f = x.f(), g = y.f();
            return new Expr(x.base(), t -> op.applyAsDouble(f.applyAsDouble(t), g.applyAsDouble(t)));
        }
        if (x != null && b instanceof Const k && k.isScalar()) {
            double c = k.floats()[0];
            DoubleUnaryOperator f = x.f();
            return new Expr(x.base(), t -> op.applyAsDouble(f.applyAsDouble(t), c));
        }
        if (y != null && a instanceof Const k && k.isScalar()) {
            double c = k.floats()[0];
            DoubleUnaryOperator g = y.f();
            return new Expr(y.base(), t -> op.applyAsDouble(c, g.applyAsDouble(t)));
        }
        throw new ImportException(where(n) + " is used in a way nn cannot run (only with a scalar, inside an activation function, or as a bias after MatMul or Conv)");
    }

    private static Expr expr(Value v) {
        if (v instanceof Chain c) return new Expr(c, DoubleUnaryOperator.identity());
        return v instanceof Expr e ? e : null;
    }

    private Chain bias(NodeProto n, Chain c, Const k) {
        Imported last = layers.isEmpty() || c.layers() == 0 ? null : layers.get(layers.size() - 1);
        int outputs = c.map() ? c.shape().channels() : c.shape().size();
        if (c.map() && !c.nchw()) throw new ImportException(where(n) + " adds to a channels-last map; nn takes that only as the bias right after Conv");
        if (last == null || last.b() == null || last.mean() != null || c.order() != null || k.size() != outputs) {
            throw new ImportException(where(n) + " adds a tensor of " + k.size() + " values; nn takes that only as the bias right after MatMul or Conv");
        }
        for (int i = 0; i < outputs; i++) last.b()[i] += k.floats()[i];
        return c;
    }

    private Value gemm(NodeProto n) {
        Chain x = flat(chainIn(n, 0), n);
        Const b = constIn(n, 1, "weight matrix B");
        if (intAttr(n, "transA", 0) != 0) throw new ImportException(where(n) + " with transA=1 is not supported");
        boolean transB = intAttr(n, "transB", 0) != 0;
        double alpha = floatAttr(n, "alpha", 1), beta = floatAttr(n, "beta", 1);
        if (b.dims().length != 2) throw new ImportException(where(n) + ": B must be a matrix");
        int in = (int) (transB ? b.dims()[1] : b.dims()[0]), out = (int) (transB ? b.dims()[0] : b.dims()[1]);
        float[] bias = new float[out];
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
            Const c = constIn(n, 2, "bias C");
            for (int j = 0; j < out; j++) bias[j] = (float) (beta * c.floats()[c.size() == 1 ? 0 : j]);
            if (c.size() != 1 && c.size() != out) throw new ImportException(where(n) + ": bias C has " + c.size() + " values, expected " + out);
        }
        return dense(n, x, b.floats(), in, out, transB, alpha, bias);
    }

    private Value matMul(NodeProto n) {
        Chain x = flat(chainIn(n, 0), n);
        Const b = constIn(n, 1, "weight matrix");
        if (b.dims().length != 2) throw new ImportException(where(n) + ": the weights must be a matrix");
        int in = (int) b.dims()[0], out = (int) b.dims()[1];
        return dense(n, x, b.floats(), in, out, false, 1, new float[out]);
    }

    private Chain dense(NodeProto n, Chain x, float[] b, int in, int out, boolean transB, double alpha, float[] bias) {
        if (in != x.shape().size()) throw new ImportException(where(n) + " expects " + in + " inputs, the layer before gives " + x.shape().size());
        float[] w = new float[in * out];
        for (int i = 0; i < in; i++) {
            int row = x.order() == null ? i : x.order()[i];
            for (int j = 0; j < out; j++) w[row * out + j] = (float) (alpha * (transB ? b[j * in + i] : b[i * out + j]));
        }
        layers.add(new Imported("dense(" + out + ")", w, bias, null, null, out));
        return new Chain(layers.size(), false, Shape.features(out), null);
    }

    /** A flat chain value: a map here needs a Flatten first (nn has one too, but ONNX's Gemm wants 2-D). */
    private Chain flat(Chain c, NodeProto n) {
        if (c.map()) throw new ImportException(where(n) + " reads a 4-D feature map; flatten it first (Flatten or Reshape)");
        return c;
    }

    private Value conv(NodeProto n) {
        Chain x = chainIn(n, 0);
        if (!x.map()) throw new ImportException(where(n) + " reads flat features; nn convolves only feature maps");
        if (!x.nchw()) throw new ImportException(where(n) + " reads a channels-last map (Transpose it to NCHW first)");
        Const w = constIn(n, 1, "weights");
        if (w.dims().length != 4) throw new ImportException(where(n) + ": 2-D convolutions only");
        int f = (int) w.dims()[0], c = (int) w.dims()[1], kh = (int) w.dims()[2], kw = (int) w.dims()[3];
        if (intAttr(n, "group", 1) != 1) throw new ImportException(where(n) + ": grouped convolutions are not supported");
        if (c != x.shape().channels()) throw new ImportException(where(n) + " expects " + c + " channels, the layer before gives " + x.shape().channels());
        if (kh != kw) throw new ImportException(where(n) + ": only square kernels (got " + kh + "x" + kw + ")");
        long[] dil = intsAttr(n, "dilations");
        for (long d : dil) if (d != 1) throw new ImportException(where(n) + ": dilated convolutions are not supported");
        int stride = square(n, intsAttr(n, "strides"), 1, "strides");
        int pad = padding(n, kh, stride);
        float[] bias = new float[f];
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) System.arraycopy(constIn(n, 2, "bias").floats(), 0, bias, 0, f);
        int k = kh;
        float[] nnW = new float[f * c * k * k];
        for (int o = 0; o < f; o++)
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < k; y++)
                    for (int xx = 0; xx < k; xx++) nnW[((y * k + xx) * c + ch) * f + o] = w.floats()[((o * c + ch) * k + y) * k + xx];
        String token = "conv(" + f + "," + k + (stride != 1 ? ",stride=" + stride : "") + (pad != 0 ? ",pad=" + pad : "") + ")";
        Shape s = x.shape();
        if (s.height() + 2 * pad < k || s.width() + 2 * pad < k) throw new ImportException(where(n) + " does not fit a " + s + " input");
        layers.add(new Imported(token, nnW, bias, null, null, f));
        return new Chain(layers.size(), true, new Shape((s.height() + 2 * pad - k) / stride + 1, (s.width() + 2 * pad - k) / stride + 1, f), null);
    }

    private int padding(NodeProto n, int k, int stride) {
        String auto = stringAttr(n, "auto_pad", "NOTSET");
        switch (auto) {
            case "NOTSET" -> {
                long[] pads = intsAttr(n, "pads");
                if (pads.length == 0) return 0;
                for (long p : pads) if (p != pads[0]) throw new ImportException(where(n) + ": only the same padding on every side (got " + java.util.Arrays.toString(pads) + ")");
                return (int) pads[0];
            }
            case "VALID" -> {
                return 0;
            }
            default -> {
                if (stride == 1 && k % 2 == 1) return (k - 1) / 2;
                throw new ImportException(where(n) + ": auto_pad " + auto + " only with stride 1 and an odd kernel");
            }
        }
    }

    private static int square(NodeProto n, long[] v, int fallback, String what) {
        if (v.length == 0) return fallback;
        if (v.length != 2 || v[0] != v[1]) throw new ImportException(where(n) + ": only equal " + what + " in both directions (got " + java.util.Arrays.toString(v) + ")");
        return (int) v[0];
    }

    private Value maxPool(NodeProto n) {
        Chain x = chainIn(n, 0);
        if (!x.map()) throw new ImportException(where(n) + " reads flat features; nn pools only feature maps");
        if (!x.nchw()) throw new ImportException(where(n) + " reads a channels-last map (Transpose it to NCHW first)");
        int size = square(n, intsAttr(n, "kernel_shape"), -1, "kernel sizes");
        if (size < 1) throw new ImportException(where(n) + " has no kernel_shape");
        int stride = square(n, intsAttr(n, "strides"), 1, "strides");
        for (long p : intsAttr(n, "pads")) if (p != 0) throw new ImportException(where(n) + ": padded max-pooling is not supported");
        for (long d : intsAttr(n, "dilations")) if (d != 1) throw new ImportException(where(n) + ": dilated max-pooling is not supported");
        String auto = stringAttr(n, "auto_pad", "NOTSET");
        if (!auto.equals("NOTSET") && !auto.equals("VALID")) throw new ImportException(where(n) + ": auto_pad " + auto + " is not supported");
        Shape s = x.shape();
        if (s.height() < size || s.width() < size) throw new ImportException(where(n) + " does not fit a " + s + " input");
        if (intAttr(n, "ceil_mode", 0) != 0 && ((s.height() - size) % stride != 0 || (s.width() - size) % stride != 0)) {
            throw new ImportException(where(n) + ": ceil_mode=1 is not supported here (nn rounds down)");
        }
        layers.add(Imported.plain("pool(" + size + (stride != size ? ",stride=" + stride : "") + ")"));
        return new Chain(layers.size(), true, new Shape((s.height() - size) / stride + 1, (s.width() - size) / stride + 1, s.channels()), null);
    }

    private Value batchNorm(NodeProto n) {
        Chain x = chainIn(n, 0);
        if (intAttr(n, "training_mode", 0) != 0) throw new ImportException(where(n) + " is in training mode");
        if (x.map() && !x.nchw()) throw new ImportException(where(n) + " reads a channels-last map (Transpose it to NCHW first)");
        int channels = x.map() ? x.shape().channels() : x.shape().size();
        float[][] p = new float[4][];
        String[] names = {"scale", "bias", "mean", "variance"};
        for (int i = 0; i < 4; i++) {
            Const c = constIn(n, i + 1, names[i]);
            if (c.size() != channels) throw new ImportException(where(n) + ": " + names[i] + " has " + c.size() + " values for " + channels + " channels");
            p[i] = new float[channels];
            for (int j = 0; j < channels; j++) p[i][x.map() || x.order() == null ? j : x.order()[j]] = c.floats()[j];
        }
        // nn's epsilon is 1e-5: the variance absorbs the difference, so σ² + ε is the model's own.
        double eps = floatAttr(n, "epsilon", 1e-5f);
        for (int j = 0; j < channels; j++) p[3][j] = (float) Math.max(0, p[3][j] + eps - OnnxExport.NN_BN_EPSILON);
        layers.add(new Imported("batchnorm", p[0], p[1], p[2], p[3], 0));
        return new Chain(layers.size(), x.map(), x.shape(), x.order(), x.nhwc());
    }

    private Value flatten(NodeProto n) {
        Chain x = chainIn(n, 0);
        if (intAttr(n, "axis", 1) != 1) throw new ImportException(where(n) + ": only axis=1 (one row per image)");
        return flattened(x);
    }

    private Chain flattened(Chain x) {
        if (!x.map()) return x;
        layers.add(Imported.plain("flatten"));
        // A channels-last map flattens in nn's own order (H·W·C), a channels-first one in C·H·W.
        return new Chain(layers.size(), false, Shape.features(x.shape().size()), x.nhwc() ? null : OnnxExport.flattenOrder(x.shape()));
    }

    private Value reshape(NodeProto n) {
        Chain x = chainIn(n, 0);
        Value shape = in(n, 1);
        if (shape instanceof Computed) return flattened(x);   // x.view(x.size(0), -1): one row per image
        if (!(shape instanceof Const c) || c.ints() == null) throw new ImportException(where(n) + ": the new shape must be integers");
        long[] s = c.ints();
        long features = x.shape().size();
        if (s.length == 2 && (s[1] == features || (s[1] == -1 && (s[0] == -1 || s[0] == 0 || s[0] >= 1)))) return flattened(x);
        if (s.length == 4 && !x.map() && x.layers() == inputLayers && s[1] == 1 && s[2] == 28 && s[3] == 28) {
            return new Chain(x.layers(), true, ModelSpec.MNIST_INPUT, null);   // [N,784] to [N,1,28,28]: the same pixels
        }
        if (s.length == 4 && !x.map() && x.layers() == inputLayers && s[1] == 28 && s[2] == 28 && s[3] == 1) {
            return new Chain(x.layers(), true, ModelSpec.MNIST_INPUT, null, true);   // [N,784] to Keras' [N,28,28,1]
        }
        if (s.length == 4 && x.nchw() && s[1] == x.shape().channels() && s[2] == x.shape().height() && s[3] == x.shape().width()) return x;
        throw new ImportException(where(n) + " to " + java.util.Arrays.toString(s) + " is not supported (only flattening one row per image, or [N,784] to [N,1,28,28])");
    }

    /** Between NCHW and NHWC, as Keras converters write around convolutions. */
    private Value transpose(NodeProto n) {
        Chain x = chainIn(n, 0);
        long[] perm = intsAttr(n, "perm");
        if (x.map() && Arrays.equals(perm, new long[] {0, 2, 3, 1}) && x.nchw()) return new Chain(x.layers(), true, x.shape(), null, true);
        if (x.map() && Arrays.equals(perm, new long[] {0, 3, 1, 2}) && (x.nhwc() || x.shape().channels() == 1)) {
            return new Chain(x.layers(), true, x.shape(), null, false);
        }
        throw new ImportException(where(n) + " with perm " + Arrays.toString(perm) + " is not supported (only NCHW to NHWC and back)");
    }

    private Value softmax(NodeProto n) {
        Chain x = chainIn(n, 0);
        long axis = intAttr(n, "axis", -1);
        if (x.map() || (axis != -1 && axis != 1)) throw new ImportException(where(n) + " must run over the class scores [N, classes]");
        return new Final(x);
    }

    private Value constantNode(NodeProto n) {
        for (AttributeProto a : n.getAttributeList()) {
            switch (a.getName()) {
                case "value" -> {
                    return constant(a.getT());
                }
                case "value_float" -> {
                    return new Const(new long[0], new float[] {a.getF()}, null);
                }
                case "value_floats" -> {
                    float[] f = new float[a.getFloatsCount()];
                    for (int i = 0; i < f.length; i++) f[i] = a.getFloats(i);
                    return new Const(new long[] {f.length}, f, null);
                }
                case "value_int" -> {
                    return new Const(new long[0], null, new long[] {a.getI()});
                }
                case "value_ints" -> {
                    return new Const(new long[] {a.getIntsCount()}, null, a.getIntsList().stream().mapToLong(Long::longValue).toArray());
                }
                default -> { }
            }
        }
        throw new ImportException(where(n) + " has no value nn can read");
    }

    /** Shape, Gather, Unsqueeze...: allowed only on shapes and constants, to compute the shape of a Reshape. */
    private Value shapeOp(NodeProto n) {
        if (!SHAPE_OPS.contains(n.getOpType())) throw new ImportException(where(n) + " is not supported");
        for (int i = 0; i < n.getInputCount(); i++) {
            if (n.getInput(i).isEmpty()) continue;
            Value v = values.get(n.getInput(i));
            boolean shapeOfChain = n.getOpType().equals("Shape") && i == 0 && (v instanceof Chain || v instanceof Expr);
            if (!(v instanceof Const || v instanceof Computed || shapeOfChain)) {
                throw new ImportException(where(n) + " is supported only to compute the shape of a Reshape");
            }
        }
        return new Computed();
    }

    /** The graph's output: class scores from a dense layer, after at most a Softmax or LogSoftmax. */
    private Chain output() {
        if (graph.getOutputCount() == 0) throw new ImportException("the graph has no output");
        Value out = null;
        for (ValueInfoProto o : graph.getOutputList()) {
            Value v = values.get(o.getName());
            if (v instanceof Final || out == null) out = v;
        }
        Chain end;
        if (out instanceof Final f) end = f.chain();
        else if (out instanceof Chain c) end = c;
        else if (out instanceof Expr e && Functions.identify(e.f()) != null && Functions.identify(e.f()).isEmpty()) end = e.base();
        else throw new ImportException("the model's output is not class scores from a dense layer (Gemm or MatMul), nor their Softmax");
        if (end.layers() != layers.size() || layers.isEmpty() || layers.get(layers.size() - 1).units() == 0
                || !layers.get(layers.size() - 1).token().startsWith("dense")) {
            throw new ImportException("the model does not end in a dense layer (Gemm or MatMul) giving the class scores");
        }
        return end;
    }

    // ---- the nn network ----

    private Checkpoint.Loaded build(Chain end, Scaling scaling) {
        Imported output = layers.remove(layers.size() - 1);
        String datasetId = metadata.getOrDefault(OnnxExport.KEY_DATASET, "mnist");
        DatasetKind kind;
        try {
            kind = DatasetKind.fromId(datasetId);
        } catch (IllegalArgumentException e) {
            throw new ImportException("metadata " + OnnxExport.KEY_DATASET + ": " + e.getMessage());
        }
        List<String> classNames = kind.classNames;
        String names = metadata.get(OnnxExport.KEY_CLASS_NAMES);
        if (names != null) {
            try {
                List<String> parsed = new ArrayList<>();
                for (var e : JsonParser.parseString(names).getAsJsonArray()) parsed.add(e.getAsString());
                classNames = parsed;
            } catch (RuntimeException e) {
                throw new ImportException("metadata " + OnnxExport.KEY_CLASS_NAMES + " is not a JSON list of names");
            }
        }
        if (output.units() != classNames.size()) {
            throw new ImportException("the model gives " + output.units() + " class scores per image; " + kind.id + " has " + classNames.size()
                    + " classes (" + String.join(", ", classNames) + ")");
        }
        // nn puts a flatten in front of a dense layer itself: spell out only the others.
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            String t = layers.get(i).token();
            if (!t.equals("flatten") || (i + 1 < layers.size() && !layers.get(i + 1).token().startsWith("dense"))) tokens.add(t);
        }
        String text = tokens.isEmpty() ? "flatten" : String.join(",", tokens);
        ModelSpec spec = new ModelSpec(text, ModelSpec.MNIST_INPUT, classNames.size());
        Network net = spec.build(DataType.FLOAT);
        List<Imported> all = new ArrayList<>(layers.stream().filter(l -> !l.token().equals("flatten")).toList());
        all.add(output);
        int k = 0;
        for (Layer layer : net.layers()) {
            if (layer instanceof Flatten) continue;
            Imported im = all.get(k++);
            if (layer instanceof Conv2D || layer instanceof Dense) {
                copy(layer.params().get(0), im.w());
                copy(layer.params().get(1), im.b());
            } else if (layer instanceof BatchNorm) {
                copy(layer.params().get(0), im.w());
                copy(layer.params().get(1), im.b());
                layer.buffers().get(0).copyFrom(im.mean(), 0, 0, im.mean().length);
                layer.buffers().get(1).copyFrom(im.var(), 0, 0, im.var().length);
            } else if (!(layer instanceof Activation) && !(layer instanceof nn.model.MaxPool2D)) {
                throw new IllegalStateException("unexpected layer " + layer.spec());
            }
        }
        if (k != all.size()) throw new IllegalStateException("built " + k + " layers for " + all.size());
        TrainingState state = new TrainingState(net, new TrainConfig(1, 64, 0.01, "sgd", 0, 0, Schedule.CONSTANT, null, 1));
        String producer = model.getProducerName() + (model.getProducerVersion().isEmpty() ? "" : " " + model.getProducerVersion());
        Checkpoint.Origin origin = new Checkpoint.Origin(kind.id, classNames, 0, 0,
                metadata.getOrDefault(OnnxExport.KEY_VERSION, producer.isBlank() ? "onnx" : producer.trim()), "onnx");
        JsonObject header = new JsonObject();
        header.addProperty("format", "onnx");
        header.addProperty("producer", producer.trim());
        header.addProperty("ir_version", model.getIrVersion());
        JsonArray normalize = new JsonArray();
        normalize.add(scaling.mean());
        normalize.add(scaling.std());
        header.add("normalize", normalize);
        JsonObject m = new JsonObject();
        m.addProperty("spec", spec.text());
        m.addProperty("classes", classNames.size());
        m.addProperty("parameters", net.parameterCount());
        header.add("model", m);
        return new Checkpoint.Loaded(file, net, state, origin, header);
    }

    private static void copy(Param p, float[] values) {
        Tensor t = p.value();
        if (t.length != values.length) throw new IllegalStateException(p.name() + " has " + t.length + " values, the ONNX model " + values.length);
        t.copyFrom(values, 0, 0, values.length);
    }

    // ---- constants and attributes ----

    private static Const constant(TensorProto t) {
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : dims) {
            count *= d;
            if (d < 0 || count > Integer.MAX_VALUE) throw new ImportException("tensor '" + t.getName() + "' has impossible dimensions " + Arrays.toString(dims));
        }
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) throw new ImportException("tensor '" + t.getName() + "' is stored outside the file; nn reads self-contained models");
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean hasRaw = t.hasRawData();
        switch (t.getDataType()) {
            case TensorProto.DataType.FLOAT_VALUE -> {
                float[] f = new float[(int) count];
                if (hasRaw) {
                    if (raw.remaining() != 4 * count) throw new ImportException("tensor '" + t.getName() + "' holds " + raw.remaining() + " bytes for " + count + " floats");
                    raw.asFloatBuffer().get(f);
                } else {
                    if (t.getFloatDataCount() != count) throw new ImportException("tensor '" + t.getName() + "' holds " + t.getFloatDataCount() + " floats, its shape needs " + count);
                    for (int i = 0; i < count; i++) f[i] = t.getFloatData(i);
                }
                return new Const(dims, f, null);
            }
            case TensorProto.DataType.DOUBLE_VALUE -> {
                float[] f = new float[(int) count];
                for (int i = 0; i < count; i++) f[i] = (float) (hasRaw ? raw.getDouble(8 * i) : t.getDoubleData(i));
                return new Const(dims, f, null);
            }
            case TensorProto.DataType.INT64_VALUE, TensorProto.DataType.INT32_VALUE -> {
                boolean wide = t.getDataType() == TensorProto.DataType.INT64_VALUE;
                long[] v = new long[(int) count];
                for (int i = 0; i < count; i++) {
                    v[i] = hasRaw ? (wide ? raw.getLong(8 * i) : raw.getInt(4 * i)) : (wide ? t.getInt64Data(i) : t.getInt32Data(i));
                }
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) f[i] = v[i];
                return new Const(dims, f, v);
            }
            default -> {
                return new Const(dims, new float[0], new long[0]);   // other types only matter if used, and then fail there
            }
        }
    }

    private static AttributeProto attr(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    private static long intAttr(NodeProto n, String name, long fallback) {
        AttributeProto a = attr(n, name);
        return a == null ? fallback : a.getI();
    }

    private static double floatAttr(NodeProto n, String name, float fallback) {
        AttributeProto a = attr(n, name);
        return a == null ? fallback : a.getF();
    }

    private static long[] intsAttr(NodeProto n, String name) {
        AttributeProto a = attr(n, name);
        return a == null ? new long[0] : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    private static String stringAttr(NodeProto n, String name, String fallback) {
        AttributeProto a = attr(n, name);
        return a == null ? fallback : a.getS().toStringUtf8();
    }

    /** erf(x) to about 1e-7 (Abramowitz and Stegun 7.1.26 is 1.5e-7; this uses the erfc continued form of Numerical Recipes). */
    static double erf(double x) {
        double z = Math.abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - r : r - 1;
    }

    /** The element-wise functions nn has layers for, recognised by their values. */
    static final class Functions {
        private static final double C = Math.sqrt(2 / Math.PI);

        static double geluTanh(double x) {
            return 0.5 * x * (1 + Math.tanh(C * (x + 0.044715 * x * x * x)));
        }

        static double geluErf(double x) {
            return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
        }

        private static final String[] NAMES = {"", "relu", "sigmoid", "tanh", "gelu", "gelu"};
        private static final DoubleUnaryOperator[] FUNCTIONS = {x -> x, x -> x > 0 ? x : 0, x -> 1 / (1 + Math.exp(-x)), Math::tanh,
                Functions::geluTanh, Functions::geluErf};

        /** The layer token for f ("" for the identity), or null when f is none of them. */
        static String identify(DoubleUnaryOperator f) {
            for (int k = 0; k < FUNCTIONS.length; k++) {
                boolean same = true;
                for (int i = -80; i <= 80 && same; i++) {
                    double x = i / 10.0, a = f.applyAsDouble(x), b = FUNCTIONS[k].applyAsDouble(x);
                    same = Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));
                }
                if (same) return NAMES[k];
            }
            return null;
        }
    }
}
