package nn.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Nonlinearity;
import nn.compute.Tensor;
import nn.random.Rng;

/**
 * A stack of layers ending in a classifier: forward runs them in order, backward in reverse,
 * each layer turning dL/d(its output) into dL/d(its input). All its arithmetic runs on one
 * {@link Engine}, fixed when it is built.
 */
public final class Network {
    private final ModelSpec spec;
    private final List<Layer> layers;
    private final Shape inputShape;
    private final DataType type;
    private final Engine engine;
    private final List<Shape> shapes = new ArrayList<>();
    private final java.util.Map<Integer, Tensor> inputs = new java.util.HashMap<>();
    /** reluIntoPool[i]: layer i is a ReLU that the max-pool after it applies (see setFusesReluIntoPool). */
    private final boolean[] reluIntoPool;

    Network(ModelSpec spec, List<Layer> layers, Engine engine, DataType type) {
        this.spec = spec;
        this.layers = List.copyOf(layers);
        this.inputShape = spec.input();
        this.type = type;
        this.engine = engine;
        this.reluIntoPool = new boolean[layers.size()];
        Shape shape = inputShape;
        for (Layer layer : layers) {
            shape = layer.build(shape, engine, type);
            shapes.add(shape);
        }
        if (!shape.isFlat() || shape.channels() != spec.classes()) {
            throw new IllegalStateException("the network ends in " + shape + " values, expected " + spec.classes() + " class scores");
        }
        // Nobody needs dL/d(pixels) in training: the first layer with weights skips that product.
        setComputesInputGradient(false);
        setFusesReluIntoPool(true);
    }

    public ModelSpec spec() {
        return spec;
    }

    public List<Layer> layers() {
        return layers;
    }

    public DataType type() {
        return type;
    }

    public Engine engine() {
        return engine;
    }

    public int classes() {
        return spec.classes();
    }

    /** The shape of one example after layer {@code i}. */
    public Shape outputShape(int i) {
        return shapes.get(i);
    }

    public Shape inputShape() {
        return inputShape;
    }

    public void initialize(Rng rng) {
        for (Layer layer : layers) layer.initialize(rng);
    }

    /** Where random layers (dropout) draw from during training. */
    public void setRng(Rng rng) {
        for (Layer layer : layers) layer.setRng(rng);
    }

    /**
     * A ReLU right before a max-pool runs inside the pool, as relu(max(x)): max and ReLU commute
     * (both keep the first largest value of a window, and a window whose maximum is not positive
     * gets no gradient either way), and ReLU then runs on a quarter of the values without a pass
     * of its own. Only forward and backward here fuse them: a layer run on its own (inspection)
     * still gives its own output. On by default; off only to test that. FastPathTest checks both.
     */
    void setFusesReluIntoPool(boolean fuse) {
        for (int i = 0; i + 1 < layers.size(); i++) {
            reluIntoPool[i] = fuse && layers.get(i) instanceof Activation a && a.fn() == Nonlinearity.RELU
                    && layers.get(i + 1) instanceof MaxPool2D;
        }
    }

    /**
     * When set, the layers up to and including the first with weights (a flatten may come before
     * it) also compute dL/dx: saliency maps and gradient checks need it, training does not.
     */
    public void setComputesInputGradient(boolean computes) {
        for (Layer layer : layers) {
            layer.setComputesInputGradient(computes);
            if (!layer.params().isEmpty()) break;
        }
    }

    /** A buffer of {@code n} input images [n, height·width·channels], made once per batch size. */
    public Tensor inputBuffer(int n) {
        return inputs.computeIfAbsent(n, k -> Tensor.zeros(type, k, inputShape.size()));
    }

    /** Class scores (logits) [n, classes], ready for a backward pass. */
    public Tensor forward(Tensor x, boolean training) {
        return forward(x, layer -> training, true);
    }

    /** Class scores for inference only: no backward may follow, so max-pools skip remembering their winners. */
    public Tensor predict(Tensor x) {
        return forward(x, layer -> false, false);
    }

    /**
     * Inference with dropout left on (Monte-Carlo dropout, Gal and Ghahramani 2016): each call
     * samples another thinned network; batch norm still uses its running statistics.
     */
    public Tensor forwardWithDropout(Tensor x) {
        return forward(x, layer -> layer instanceof Dropout, false);
    }

    private Tensor forward(Tensor x, java.util.function.Predicate<Layer> training, boolean forBackward) {
        Tensor a = x;
        for (int i = 0; i < layers.size(); i++) {
            boolean rectify = reluIntoPool[i];
            if (rectify) i++;                                                     // relu, then pool: one step
            Layer layer = layers.get(i);
            if (layer instanceof MaxPool2D pool) a = pool.forward(a, rectify, forBackward);
            else a = layer.forward(a, training.test(layer));
        }
        return a;
    }

    public boolean hasDropout() {
        return layers.stream().anyMatch(l -> l instanceof Dropout);
    }

    /** Back-propagates dL/d(logits); fills every parameter's gradient and returns dL/dx if asked for. */
    public Tensor backward(Tensor gradLogits) {
        Tensor g = gradLogits;
        for (int i = layers.size() - 1; i >= 0 && g != null; i--) {
            g = layers.get(i).backward(g);
            if (i > 0 && reluIntoPool[i - 1]) i--;   // that pool's backward applied relu' as well
        }
        return g;
    }

    /** All learned parameters, named by position: {@code 0.W}, {@code 0.b}, ... */
    public List<Param> params() {
        List<Param> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            for (Param p : layers.get(i).params()) out.add(new Param(i + "." + p.name(), p.value(), p.grad(), p.decays()));
        }
        return Collections.unmodifiableList(out);
    }

    /** The weight matrices (not biases or batch-norm scales), in order: what weight decay and pruning masks apply to. */
    public List<Param> weights() {
        List<Param> out = new ArrayList<>();
        for (Param p : params()) if (p.decays()) out.add(p);
        return out;
    }

    /** w = w ⊙ mask for every weight matrix (one mask per {@link #weights()} entry): pruned weights stay zero. */
    public void applyMasks(List<Tensor> masks) {
        List<Param> weights = weights();
        for (int k = 0; k < weights.size(); k++) engine.multiply(weights.get(k).value(), masks.get(k), weights.get(k).value());
    }

    /** Non-learned state that still belongs to the model (batch-norm running statistics). */
    public List<Tensor> buffers() {
        List<Tensor> out = new ArrayList<>();
        for (Layer layer : layers) out.addAll(layer.buffers());
        return out;
    }

    /** Forward FLOPs per example in the matrix products (what benchmarks count). */
    public long forwardFlops() {
        long n = 0;
        for (Layer layer : layers) n += layer.forwardFlops();
        return n;
    }

    public long parameterCount() {
        long n = 0;
        for (Param p : params()) n += p.value().length;
        return n;
    }

    /** One line per layer with its output shape and parameter count. */
    public String summary() {
        StringBuilder sb = new StringBuilder(String.format("  %-24s %-10s%n", "input", inputShape));
        for (int i = 0; i < layers.size(); i++) {
            long count = 0;
            for (Param p : layers.get(i).params()) count += p.value().length;
            sb.append(String.format("  %-24s %-10s %s%n", layers.get(i).spec(), shapes.get(i), count > 0 ? String.format("%,d params", count) : ""));
        }
        sb.append(String.format("  %-24s %-10s %,d params in all; %.2f MFLOPs per image forward (products)%n", "softmax",
                Shape.features(classes()), parameterCount(), forwardFlops() / 1e6));
        return sb.toString();
    }
}
