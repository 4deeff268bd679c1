package nn.export;

import java.util.List;
import java.util.Random;

import com.google.protobuf.ByteString;
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

/** ONNX graphs written node by node, as other frameworks' exporters write them, with seeded random weights. */
final class OnnxFixture {
    final GraphProto.Builder graph = GraphProto.newBuilder().setName("fixture");
    final ModelProto.Builder model = ModelProto.newBuilder().setProducerName("fixture");
    private final Random rnd;
    private int counter;
    String current = "x";
    final long[] inputShape;

    OnnxFixture(long seed, long... inputShape) {
        this.rnd = new Random(seed);
        this.inputShape = inputShape;
        graph.addInput(valueInfo("x", TensorProto.DataType.FLOAT_VALUE, inputShape));
    }

    static OnnxFixture image(long seed) {
        return new OnnxFixture(seed, -1, 1, 28, 28);
    }

    static OnnxFixture flat(long seed) {
        return new OnnxFixture(seed, -1, 784);
    }

    String floats(float[] v, long... dims) {
        String name = "w" + (counter++);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) t.addDims(d);
        for (float f : v) t.addFloatData(f);   // float_data, where nn's own export writes raw_data
        graph.addInitializer(t);
        return name;
    }

    /** Normal values with standard deviation sqrt(2 / fanIn) (He), fanIn the product of all but the first dimension, or {@code fanIn}. */
    String random(int fanIn, long... dims) {
        int n = 1;
        for (long d : dims) n *= (int) d;
        float[] v = new float[n];
        double std = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < n; i++) v[i] = (float) (std * rnd.nextGaussian());
        return floats(v, dims);
    }

    String uniform(double from, double to, long... dims) {
        int n = 1;
        for (long d : dims) n *= (int) d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (from + (to - from) * rnd.nextDouble());
        return floats(v, dims);
    }

    String scalar(float v) {
        return floats(new float[] {v});
    }

    String ints(long... v) {
        String name = "shape" + (counter++);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE).addDims(v.length);
        for (long x : v) t.addInt64Data(x);
        graph.addInitializer(t);
        return name;
    }

    /** A node reading {@code inputs} ("." = the current tensor); its output becomes the current tensor. */
    String op(String type, List<String> inputs, AttributeProto... attrs) {
        String out = type.toLowerCase() + (counter++);
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(type).setName(out + "_node").addOutput(out);
        for (String in : inputs) n.addInput(in.equals(".") ? current : in);
        for (AttributeProto a : attrs) n.addAttribute(a);
        graph.addNode(n);
        current = out;
        return out;
    }

    String op(String type, AttributeProto... attrs) {
        return op(type, List.of("."), attrs);
    }

    static AttributeProto i(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto f(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    static AttributeProto s(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(v)).build();
    }

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    /** Gemm as PyTorch writes nn.Linear: W [out, in], transB=1. */
    String linear(int in, int out) {
        return op("Gemm", List.of(".", random(in, out, in), uniform(-0.1, 0.1, out)), i("transB", 1));
    }

    /** MatMul then Add, as Keras converters write Dense. */
    String matMulAdd(int in, int out) {
        op("MatMul", List.of(".", random(in, in, out)));
        return op("Add", List.of(".", uniform(-0.1, 0.1, out)));
    }

    String batchNorm(int channels, float epsilon) {
        return op("BatchNormalization", List.of(".", uniform(0.5, 1.5, channels), uniform(-0.2, 0.2, channels), uniform(-0.3, 0.3, channels),
                uniform(0.5, 1.5, channels)), f("epsilon", epsilon));
    }

    /** GELU as PyTorch writes it before opset 20: x · 0.5 · (1 + erf(x / √2)). */
    String erfGelu() {
        String x = current;
        op("Div", List.of(x, scalar((float) Math.sqrt(2))));
        op("Erf");
        op("Add", List.of(".", scalar(1)));
        op("Mul", List.of(x, "."));
        return op("Mul", List.of(".", scalar(0.5f)));
    }

    /** The ONNX bytes, the current tensor as output {@code out}. */
    byte[] bytes(int opset, long classes, String... metadata) {
        graph.addNode(NodeProto.newBuilder().setOpType("Identity").setName("output").addInput(current).addOutput("out"));
        graph.addOutput(valueInfo("out", TensorProto.DataType.FLOAT_VALUE, -1, classes));
        for (int k = 0; k + 1 < metadata.length; k += 2) model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(metadata[k]).setValue(metadata[k + 1]));
        return model.setIrVersion(OnnxExport.irVersion(opset)).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset)).setGraph(graph).build().toByteArray();
    }

    static ValueInfoProto valueInfo(String name, int type, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N") : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
    }
}
