package nn.model;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Tensor;

/**
 * Turns a feature map into a feature vector. Activations are already stored as one row per
 * example, so this only changes the shape the next layer sees: forward and backward pass
 * their tensors through untouched.
 */
public final class Flatten implements Layer {
    @Override
    public Shape outputShape(Shape input) {
        return Shape.features(input.size());
    }

    @Override
    public Shape build(Shape input, Engine engine, DataType type) {
        return outputShape(input);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        return x;
    }

    @Override
    public Tensor backward(Tensor delta) {
        return delta;
    }

    @Override
    public String spec() {
        return "flatten";
    }
}
