package nn.compute.nd4j;

import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

import nn.compute.Engine;
import nn.compute.Tensor;

/**
 * Softmax cross-entropy from ND4J ops: onehot of the labels, log_softmax and softmax of the
 * logits, L = −Σ onehot ⊙ log p / n (one number read back), dL/dz = (p − onehot) / n.
 */
final class Nd4jSoftmaxLoss implements Engine.SoftmaxLoss {
    private final int classes;
    private final Ops ops = new Ops();

    /** Per batch size: the labels as an array, their one-hot rows, log p, p, the gradient, and the loss. */
    private record Arrays(INDArray labels, INDArray onehot, INDArray logp, Tensor probs, Tensor grad, INDArray loss) {}
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
                Nd4j.create(type, k, classes), Tensor.zeros(type, k, classes), Tensor.zeros(type, k, classes), Nd4j.scalar(type, 0)));
        current = a;
        this.n = n;
        a.labels.data().setData(labels.length == n ? labels : java.util.Arrays.copyOf(labels, n));   // the batch's labels in
        ops.run(() -> Ops.custom("onehot", new INDArray[] {a.labels}, new INDArray[] {a.onehot}, new int[] {-1, classes}, 1, 0), "onehot", a);
        ops.run(() -> new SoftMax(logits.array, a.probs.array, -1), "softmax", a, logits);
        ops.run(() -> Ops.custom("log_softmax", new INDArray[] {logits.array}, new INDArray[] {a.logp}, new int[] {-1}), "log_softmax", a, logits);
        ops.run(() -> new MulOp(a.onehot, a.logp, a.logp), "onehot*logp", a);
        ops.run(() -> new Sum(a.logp, a.loss), "sum", a);
        return -a.loss.getDouble(0) / n;
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
