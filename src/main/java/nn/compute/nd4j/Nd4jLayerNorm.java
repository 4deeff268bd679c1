package nn.compute.nd4j;

import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

import nn.compute.Engine;
import nn.compute.Tensor;

/**
 * Layer normalisation from ND4J's reductions and broadcast ops over [rows, width] views, with
 * the ε the cpu engine (and PyTorch, and ONNX's LayerNormalization) use:
 * x̂ = (x − μ)·(σ² + ε)^−½. Not ND4J's {@code layer_norm} op: that one has no ε (it divides by
 * σ + 1e-12), so on rows of small spread it computes another function (EngineAgreementTest saw
 * logits 3e-3 apart), and its backward divides by σ alone, which a constant row turns into NaN.
 * <pre>
 *   backward: dβ = Σ_rows δ,  dγ = Σ_rows δ ⊙ x̂,  dx̂ = δ ⊙ γ,
 *             dx = (dx̂ − mean(dx̂) − x̂ ⊙ mean(dx̂ ⊙ x̂)) ⊙ (σ² + ε)^−½
 * </pre>
 */
final class Nd4jLayerNorm implements Engine.LayerNorm {
    private final int width;
    private final DataType type;
    private final Ops ops = new Ops();
    /** Per row count: x̂ and scratch [rows, width]; μ, (σ² + ε)^−½ and two row means [rows]. */
    private final Map<Integer, Work> byRows = new HashMap<>();
    private Work work;

    private record Work(INDArray xhat, INDArray scratch, INDArray mean, INDArray invStd, INDArray m1, INDArray m2) {}

    Nd4jLayerNorm(int width, DataType type) {
        this.width = width;
        this.type = type;
    }

    @Override
    public void forward(Tensor x, Tensor gamma, Tensor beta, Tensor y) {
        int rows = x.length / width;
        Work w = work = byRows.computeIfAbsent(rows, n -> new Work(Nd4j.create(type, n, width), Nd4j.create(type, n, width),
                Nd4j.create(type, n), Nd4j.create(type, n), Nd4j.create(type, n), Nd4j.create(type, n)));
        INDArray xm = Ops.matrix(x, width), ym = Ops.matrix(y, width);
        ops.run(() -> new Mean(xm, w.mean, 1), "μ", x, w);
        ops.run(() -> new Variance(xm, w.invStd, false, 1), "σ²", x, w);
        w.invStd.addi(EPS);
        ops.run(() -> new RSqrt(w.invStd, w.invStd), "(σ²+ε)^-½", w);
        ops.run(() -> new BroadcastSubOp(xm, w.mean, w.xhat, 0), "x−μ", x, w);
        ops.run(() -> new BroadcastMulOp(w.xhat, w.invStd, w.xhat, 0), "x̂", w);
        ops.run(() -> new BroadcastMulOp(w.xhat, Ops.vector(gamma), ym, 1), "γx̂", w, gamma, y);
        ops.run(() -> new BroadcastAddOp(ym, Ops.vector(beta), ym, 1), "+β", beta, y);
    }

    @Override
    public void backward(Tensor delta, Tensor gamma, Tensor dGamma, Tensor dBeta, Tensor dx) {
        Work w = work;
        INDArray dm = Ops.matrix(delta, width), dxm = Ops.matrix(dx, width);
        ops.run(() -> new Sum(dm, Ops.vector(dBeta), 0), "dβ", delta, dBeta);                   // dβ = Σ δ
        ops.run(() -> new MulOp(dm, w.xhat, w.scratch), "δx̂", delta, w);
        ops.run(() -> new Sum(w.scratch, Ops.vector(dGamma), 0), "dγ", w, dGamma);              // dγ = Σ δ·x̂
        ops.run(() -> new BroadcastMulOp(dm, Ops.vector(gamma), dxm, 1), "dx̂", delta, gamma, dx); // dx̂ = δ·γ
        ops.run(() -> new Mean(dxm, w.m1, 1), "mean dx̂", dx, w);
        ops.run(() -> new MulOp(dxm, w.xhat, w.scratch), "dx̂x̂", dx, w);
        ops.run(() -> new Mean(w.scratch, w.m2, 1), "mean dx̂x̂", w);
        ops.run(() -> new BroadcastMulOp(w.xhat, w.m2, w.scratch, 0), "x̂·m2", w);
        ops.run(() -> new SubOp(dxm, w.scratch, dxm), "dx̂ − x̂·m2", dx, w);
        ops.run(() -> new BroadcastSubOp(dxm, w.m1, dxm, 0), "− m1", dx, w);
        ops.run(() -> new BroadcastMulOp(dxm, w.invStd, dxm, 0), "·(σ²+ε)^-½", dx, w);
    }
}
