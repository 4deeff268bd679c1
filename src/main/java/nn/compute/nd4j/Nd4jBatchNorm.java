package nn.compute.nd4j;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.factory.Nd4j;

import nn.compute.Engine;
import nn.compute.Tensor;

/**
 * Batch normalisation through ND4J: the batch statistics by ND4J's mean and (biased) variance
 * reductions, then the {@code batchnorm} and {@code batchnorm_bp} ops over the channel axis of
 * [rows, channels] views (cuDNN on CUDA). In inference mode, where the statistics are constants,
 * dx = δ·γ/sqrt(σ² + ε) instead.
 */
final class Nd4jBatchNorm implements Engine.BatchNorm {
    private final int channels;
    private final double eps, momentum;
    private final Ops ops = new Ops();
    /** The statistics the last forward normalised with, and scratch for γ/σ: [channels] each. */
    private final INDArray mean, var, scale;
    /** batchnorm_bp's other inputs and outputs: β (for its shape only) and dL/dμ, dL/dσ², which nn does not use. */
    private final INDArray betaShape, dMean, dVar;
    private Tensor x;
    private boolean training;

    Nd4jBatchNorm(int channels, double eps, double momentum, DataType type) {
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        mean = Nd4j.create(type, channels);
        var = Nd4j.create(type, channels);
        scale = Nd4j.create(type, channels);
        betaShape = Nd4j.create(type, channels);
        dMean = Nd4j.create(type, channels);
        dVar = Nd4j.create(type, channels);
    }

    /** applyScale, applyOffset, the channel axis (1 of [rows, channels]). */
    private static final int[] ARGS = {1, 1, 1};

    @Override
    public void forward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, Tensor y, boolean training) {
        this.x = x;
        this.training = training;
        INDArray rm = Ops.vector(runningMean), rv = Ops.vector(runningVar);
        if (training) {
            int rows = x.length / channels;
            ops.run(() -> new Mean(Ops.matrix(x, channels), mean, 0), "mean", x);
            ops.run(() -> new Variance(Ops.matrix(x, channels), var, false, 0), "var", x);   // biased: the batch's own
            double unbiased = rows > 1 ? (double) rows / (rows - 1) : 1;
            rm.muli(1 - momentum);
            Nd4j.getBlasWrapper().level1().axpy(channels, momentum, mean, rm);              // μ_run = (1−m)·μ_run + m·μ
            rv.muli(1 - momentum);
            Nd4j.getBlasWrapper().level1().axpy(channels, momentum * unbiased, var, rv);    // σ²_run = (1−m)·σ²_run + m·σ²·N/(N−1)
        } else {
            mean.assign(rm);
            var.assign(rv);
        }
        ops.run(() -> Ops.custom("batchnorm",
                new INDArray[] {Ops.matrix(x, channels), mean, var, Ops.vector(gamma), Ops.vector(beta)},
                new INDArray[] {Ops.matrix(y, channels)}, ARGS, eps), "batchnorm", x, gamma, beta, y);
    }

    @Override
    public void backward(Tensor delta, Tensor gamma, Tensor dGamma, Tensor dBeta, Tensor dx) {
        Tensor in = x;
        ops.run(() -> Ops.custom("batchnorm_bp",
                new INDArray[] {Ops.matrix(in, channels), mean, var, Ops.vector(gamma), betaShape, Ops.matrix(delta, channels)},
                new INDArray[] {Ops.matrix(dx, channels), dMean, dVar, Ops.vector(dGamma), Ops.vector(dBeta)}, ARGS, eps), "batchnorm_bp", in, gamma, delta, dGamma, dBeta, dx);
        if (training) return;
        // Inference: the statistics are constants, so x̂ is affine in x: dx = δ·γ/sqrt(σ² + ε) (saliency maps).
        scale.assign(var).addi(eps);
        ops.run(() -> new Sqrt(scale, scale), "sqrt");
        ops.run(() -> new DivOp(Ops.vector(gamma), scale, scale), "gamma/sigma", gamma);
        ops.run(() -> new BroadcastMulOp(Ops.matrix(delta, channels), scale, Ops.matrix(dx, channels), 1), "dx", delta, dx);
    }
}
