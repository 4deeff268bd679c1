package nn.compute.nd4j;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;

import nn.compute.Engine;
import nn.compute.PoolGeometry;
import nn.compute.Tensor;

/**
 * Max pooling through ND4J's {@code maxpool2d} and {@code maxpool2d_bp} (cuDNN on CUDA); a
 * fused ReLU is ND4J's relu after the pool and relu_bp before its backward.
 */
final class Nd4jMaxPool implements Engine.MaxPool {
    private final PoolGeometry g;
    /** kH, kW, sH, sW, pH, pW, dH, dW, same mode (0), extra parameter (unused by max), NHWC (1). */
    private final int[] args;
    private final Ops ops = new Ops();
    private final java.util.Map<Integer, Tensor> rectifiedDelta = new java.util.HashMap<>();
    private final DataType type;
    private Tensor x, y;
    private boolean rectified;

    Nd4jMaxPool(PoolGeometry g, DataType type) {
        this.g = g;
        this.type = type;
        this.args = new int[] {g.size(), g.size(), g.stride(), g.stride(), 0, 0, 1, 1, 0, 0, 1};
    }

    private INDArray input(Tensor t) {
        return Ops.nhwc(t, g.inH(), g.inW(), g.channels());
    }

    private INDArray output(Tensor t) {
        return Ops.nhwc(t, g.outH(), g.outW(), g.channels());
    }

    @Override
    public void forward(Tensor x, Tensor y, boolean rectify, boolean forBackward) {   // maxpool2d_bp works from x: nothing to skip
        this.x = x;
        this.y = y;
        this.rectified = rectify;
        ops.run(() -> Ops.custom("maxpool2d", new INDArray[] {input(x)}, new INDArray[] {output(y)}, args), "pool", x, y);
        if (rectify) ops.run(() -> new RectifiedLinear(y.array, y.array, 0), "relu", y);
    }

    @Override
    public void backward(Tensor delta, Tensor dx) {
        Tensor d = delta;
        if (rectified) {
            Tensor masked = rectifiedDelta.computeIfAbsent((int) delta.shape()[0], n -> Tensor.zeros(type, delta.shape()));
            ops.run(() -> new RectifiedLinearDerivative(y.array, delta.array, masked.array), "relu_bp", y, delta, masked);   // δ ⊙ [y > 0]
            d = masked;
        }
        Tensor in = x, grad = d;
        ops.run(() -> Ops.custom("maxpool2d_bp", new INDArray[] {input(in), output(grad)}, new INDArray[] {input(dx)}, args), "pool_bp", in, grad, dx);
    }
}
