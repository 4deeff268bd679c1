package nn.model;

import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Tensor;
import nn.random.Rng;

/**
 * A vision transformer's input: the image cut into P x P patches, each projected to DIM values,
 * plus a learned position embedding, one row per patch:
 * <pre>
 *   token[q] = patch[q]·E + b + pos[q]        (E [P·P·C, DIM])
 * </pre>
 * Cutting into non-overlapping patches and projecting each is exactly a convolution with kernel P
 * and stride P, so a {@link Conv2D} does that part; its NHWC output is already one row of DIM
 * values per patch. A 28x28 image with P = 7 gives 4x4 = 16 tokens.
 */
public final class Patches implements Layer {
    private final int size, dim;
    private final Conv2D projection;
    private Engine engine;
    private Param position;

    public Patches(int size, int dim) {
        if (size < 1 || dim < 1) throw new IllegalArgumentException("patches needs a size and a width of at least 1");
        this.size = size;
        this.dim = dim;
        projection = new Conv2D(dim, size, size, 0, Init.XAVIER);
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.height() % size != 0 || input.width() % size != 0) {
            throw new IllegalArgumentException(spec() + " needs an input whose height and width are multiples of " + size + ", got " + input);
        }
        return projection.outputShape(input);
    }

    @Override
    public long parameterCount(Shape input) {
        return projection.parameterCount(input) + outputShape(input).size();
    }

    @Override
    public Shape build(Shape input, Engine engine, DataType type) {
        this.engine = engine;
        Shape out = outputShape(input);
        projection.build(input, engine, type);
        position = Param.of("pos", Tensor.zeros(type, 1, out.size()), false);
        return out;
    }

    @Override
    public void initialize(Rng rng) {
        projection.initialize(rng);
        position.value().fill(i -> 0.02 * rng.nextGaussian());
    }

    @Override
    public List<Param> params() {
        List<Param> conv = projection.params();
        return List.of(rename(conv.get(0), "E"), rename(conv.get(1), "b"), position);
    }

    private static Param rename(Param p, String name) {
        return new Param(name, p.value(), p.grad(), p.decays());
    }

    @Override
    public void setComputesInputGradient(boolean computes) {
        projection.setComputesInputGradient(computes);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        Tensor tokens = projection.forward(x, training);                      // patch·E + b
        engine.addToEachRow(tokens, position.value());                        //   + pos (the conv's backward does not read its output)
        return tokens;
    }

    @Override
    public Tensor backward(Tensor delta) {
        engine.sumRows(delta, position.grad());                              // dpos = Σ_examples δ
        return projection.backward(delta);                                    // dE, db, dx
    }

    @Override
    public long forwardFlops() {
        return projection.forwardFlops();
    }

    @Override
    public String spec() {
        return "patches(" + size + "," + dim + ")";
    }
}
