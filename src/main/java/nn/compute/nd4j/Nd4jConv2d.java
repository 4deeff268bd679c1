package nn.compute.nd4j;

import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import nn.compute.ConvGeometry;
import nn.compute.Engine;
import nn.compute.Tensor;

/**
 * Convolution through ND4J's {@code conv2d} and {@code conv2d_bp} (cuDNN on the CUDA backend).
 * Activations are NHWC and our W [k·k·C, filters] is, row-major, the same memory as ND4J's
 * [kH, kW, iC, oC] weight layout (format 0), so the ops run on reshaped views, no copies.
 */
final class Nd4jConv2d implements Engine.Conv2d {
    private final ConvGeometry g;
    private final DataType type;
    /** kH, kW, sH, sW, pH, pW, dH, dW, padding mode (0: explicit), data format (1: NHWC), weight format (0: [kH,kW,iC,oC]). */
    private final int[] args;
    private final Ops ops = new Ops();
    /** Where conv2d_bp writes dx when the caller does not want it (the first layer), per batch size. */
    private final Map<Integer, INDArray> unusedDx = new HashMap<>();
    /** conv2d_bp takes the bias as an input, for its shape only (the gradients do not depend on its value). */
    private final INDArray biasShape;
    private Tensor x;

    Nd4jConv2d(ConvGeometry g, DataType type) {
        this.g = g;
        this.type = type;
        this.biasShape = Nd4j.create(type, g.filters());
        this.args = new int[] {g.kernel(), g.kernel(), g.stride(), g.stride(), g.padding(), g.padding(), 1, 1, 0, 1, 0};
    }

    private INDArray weights(Tensor w) {
        return w.array.reshape('c', new long[] {g.kernel(), g.kernel(), g.inC(), g.filters()});
    }

    @Override
    public void forward(Tensor x, Tensor w, Tensor b, Tensor y) {
        this.x = x;
        ops.run(() -> Ops.custom("conv2d",
                new INDArray[] {Ops.nhwc(x, g.inH(), g.inW(), g.inC()), weights(w), Ops.vector(b)},
                new INDArray[] {Ops.nhwc(y, g.outH(), g.outW(), g.filters())}, args), x, w, b, y);
    }

    @Override
    public void backward(Tensor delta, Tensor w, Tensor dW, Tensor db, Tensor dx) {
        Tensor in = x;
        int n = (int) in.shape()[0];
        INDArray gradIn = dx != null ? Ops.nhwc(dx, g.inH(), g.inW(), g.inC())
                : unusedDx.computeIfAbsent(n, k -> Nd4j.create(type, k, g.inH(), g.inW(), g.inC()));
        ops.run(() -> Ops.custom("conv2d_bp",
                new INDArray[] {Ops.nhwc(in, g.inH(), g.inW(), g.inC()), weights(w), biasShape, Ops.nhwc(delta, g.outH(), g.outW(), g.filters())},
                new INDArray[] {gradIn, weights(dW), Ops.vector(db)}, args), in, w, delta, dW, db, dx == null ? gradIn : dx);
    }
}
