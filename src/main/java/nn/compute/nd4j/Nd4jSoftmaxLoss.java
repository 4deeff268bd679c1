package nn.compute.nd4j;

import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.reduce.same.Max;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

import nn.compute.Engine;
import nn.compute.Tensor;

/**
 * Softmax cross-entropy from ND4J ops, the stable way: with m the row maxima,
 * L = Σ_i (log Σ_k exp(z_ik − m_i) − (z_{i,y_i} − m_i)) / n (one number read back; ND4J's
 * log_softmax gives −∞ for a certain class, and 0·−∞ is NaN), p = softmax(z),
 * dL/dz = (p − onehot(y)) / n.
 */
final class Nd4jSoftmaxLoss implements Engine.SoftmaxLoss {
    private final int classes;
    private final Ops ops = new Ops();

    /** Per batch size: the labels as an array, their one-hot rows, a scratch [n, classes], two [n] rows' values, p, the gradient, the loss. */
    private record Arrays(INDArray labels, INDArray onehot, INDArray work, INDArray rowMax, INDArray rowLse, Tensor probs, Tensor grad, INDArray loss) {}
    private final Map<Integer, Arrays> byBatch = new HashMap<>();
    private Arrays current;
    private int n;

    Nd4jSoftmaxLoss(int classes) {
        this.classes = classes;
    }

    @Override
    public double forward(Tensor logits, int[] labels, int n) {
        DataType type = logits.type();
        Arrays a = byBatch.computeIfAbsent(n, k -> new Arrays(Nd4j.create(DataType.INT, k), Nd4j.create(type, k, classes),
                Nd4j.create(type, k, classes), Nd4j.create(type, k), Nd4j.create(type, k), Tensor.zeros(type, k, classes),
                Tensor.zeros(type, k, classes), Nd4j.scalar(type, 0.0)));
        current = a;
        this.n = n;
        a.labels.data().setData(labels.length == n ? labels : java.util.Arrays.copyOf(labels, n));   // the batch's labels in
        ops.run(() -> Ops.custom("onehot", new INDArray[] {a.labels}, new INDArray[] {a.onehot}, new int[] {-1, classes}, 1, 0), "onehot", a);
        ops.run(() -> new SoftMax(logits.array, a.probs.array, -1), "softmax", a, logits);
        INDArray z = logits.array, scratch = a.grad.array;   // the gradient array is free until backward
        ops.run(() -> new Max(z, a.rowMax, 1), "m", a, logits);                               // m_i = max_k z_ik
        ops.run(() -> new BroadcastSubOp(z, a.rowMax, a.work, 0), "z-m", a, logits);          // z − m: small numbers
        ops.run(() -> new MulOp(a.onehot, a.work, scratch), "onehot*(z-m)", a);
        ops.run(() -> new Sum(scratch, a.rowMax, 1), "z_y-m", a);                             // z_{i,y_i} − m_i
        ops.run(() -> new Exp(a.work, a.work), "exp", a);
        ops.run(() -> new Sum(a.work, a.rowLse, 1), "sum exp", a);
        ops.run(() -> new Log(a.rowLse, a.rowLse), "log", a);                                 // log Σ_k exp(z_ik − m_i)
        ops.run(() -> new SubOp(a.rowLse, a.rowMax, a.rowLse), "-log p_y", a);                 // −log p_{i,y_i}
        ops.run(() -> new Sum(a.rowLse, a.loss), "sum", a);
        return a.loss.getDouble(0) / n;
    }

    @Override
    public Tensor backward() {
        Arrays a = current;
        double scale = 1.0 / n;
        ops.run(() -> new SubOp(a.probs.array, a.onehot, a.grad.array), "p-onehot", a);
        ops.run(() -> new ScalarMultiplication(a.grad.array, scale), "/n", a);
        return a.grad;
    }

    @Override
    public Tensor probabilities() {
        return current.probs;
    }
}
