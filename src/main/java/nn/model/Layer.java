package nn.model;

import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Tensor;
import nn.random.Rng;

/**
 * One step of the network. Activations are 2-D tensors [batch, features of one example], the
 * features laid out as {@link Shape} says (channels last).
 *
 * <p>The contract mirrors the chain rule: {@code forward} remembers what its backward needs;
 * {@code backward} receives dL/d(output), fills the gradients of its parameters and returns
 * dL/d(input). Each layer owns its output and input-gradient buffers and reuses them while the
 * batch size stays the same, so a training step allocates nothing.
 *
 * <p>Layers are the math; the arithmetic is the {@link Engine}'s, which {@link #build} hands them.
 */
public interface Layer {
    /** The shape of one example after this layer; throws if the input does not fit. Allocates nothing. */
    Shape outputShape(Shape input);

    /** Learned values (and saved statistics) this layer holds on that input: what build allocates for them. */
    default long parameterCount(Shape input) {
        return 0;
    }

    /** Fixes the input shape, engine and element type, creates the parameters (and the engine's kernels); returns the output shape. */
    Shape build(Shape input, Engine engine, DataType type);

    /** Draws initial parameter values. */
    default void initialize(Rng rng) {}

    Tensor forward(Tensor x, boolean training);

    Tensor backward(Tensor gradOut);

    default List<Param> params() {
        return List.of();
    }

    /** State that is not learned by gradient but must be saved (batch-norm running statistics). */
    default List<Tensor> buffers() {
        return List.of();
    }

    /** The first layer need not compute dL/dx (nobody uses the gradient of the pixels during training). */
    default void setComputesInputGradient(boolean computes) {}

    /** Layers with randomness at training time (dropout) draw from this. */
    default void setRng(Rng rng) {}

    /** Floating-point operations of one example's forward pass in the matrix products (multiply-add = 2). */
    default long forwardFlops() {
        return 0;
    }

    /** The layer as written in a model spec, e.g. {@code dense(128)}. */
    String spec();
}
