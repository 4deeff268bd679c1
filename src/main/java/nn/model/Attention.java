package nn.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Nonlinearity;
import nn.compute.Tensor;
import nn.random.Rng;

/**
 * A pre-norm transformer block over the positions of its input (tokens: the H·W rows of DIM = C
 * values of an H x W x C map, e.g. from {@code patches}):
 * <pre>
 *   a = LN1(x);  q, k, v = a·Wqkv + bqkv, cut into HEADS heads of d = DIM/HEADS
 *   P = softmax(q·kᵀ/√d)  per head;   o = P·v;   y1 = x + o·Wo + bo          (self-attention, residual)
 *   y = y1 + GELU(LN2(y1)·W1 + b1)·W2 + b2                                  (MLP of 4·DIM, residual)
 *   backward, per head:  dP = do·vᵀ,  dv = Pᵀ·do,  dS = P ⊙ (dP − rowsum(dP ⊙ P)),
 *                        dq = dS·k/√d,  dk = dSᵀ·q/√d
 * </pre>
 * The projections, norms and GELU are the ordinary layers, applied to token rows [n·T, DIM]; the
 * attention itself is the engine's batched products over the n·HEADS heads, its softmax and the
 * softmax's backward.
 */
public final class Attention implements Layer {
    private final int heads;
    private int tokens, dim, headDim;
    private Engine engine;
    private DataType type;
    private final LayerNorm norm1 = new LayerNorm(), norm2 = new LayerNorm();
    private Dense qkv, out, expand, contract;
    private final Activation gelu = new Activation(Nonlinearity.GELU);

    /** The working arrays for one batch size (training batches, the last one, evaluation), made once each. */
    private final class Work {
        final int batch;
        /** The heads q, k, v, o [n·HEADS·T, d]; scores S and P [n·HEADS·T, T]; token rows [n·T, ·]; the [n, T·DIM] output. */
        final Tensor q, k, v, o, s, p, merged, y1, y;
        /** Their gradients, made at the first backward: evaluation batch sizes never need them. */
        Tensor dq, dk, dv, dO, dP, dS, dY1, dQkv, dx;

        Work(int n) {
            batch = n;
            int rows = n * heads * tokens;
            q = zeros(rows, headDim); k = zeros(rows, headDim); v = zeros(rows, headDim); o = zeros(rows, headDim);
            s = zeros(rows, tokens); p = zeros(rows, tokens);
            merged = zeros(n * tokens, dim); y1 = zeros(n * tokens, dim); y = zeros(n, (long) tokens * dim);
        }

        Work withGradients() {
            if (dx == null) {
                int rows = batch * heads * tokens;
                dq = zeros(rows, headDim); dk = zeros(rows, headDim); dv = zeros(rows, headDim); dO = zeros(rows, headDim);
                dP = zeros(rows, tokens); dS = zeros(rows, tokens);
                dY1 = zeros(batch * tokens, dim); dQkv = zeros(batch * tokens, 3L * dim); dx = zeros(batch, (long) tokens * dim);
            }
            return this;
        }
    }

    private final Map<Integer, Work> works = new HashMap<>();
    /** The arrays of the last forward, which backward continues from. */
    private Work last;
    /** Views of the layer's [n, T·DIM] inputs and outputs as token rows [n·T, DIM], made once per array. */
    private final Map<Tensor, Tensor> tokenViews = new IdentityHashMap<>();
    /** Beyond this many arrays (a caller passing fresh ones each time) the views are made afresh. */
    private static final int VIEWS_KEPT = 32;

    public Attention(int heads) {
        if (heads < 1) throw new IllegalArgumentException("attention needs at least 1 head, got " + heads);
        this.heads = heads;
    }

    public int heads() {
        return heads;
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.channels() % heads != 0) {
            throw new IllegalArgumentException(spec() + " needs a token width divisible by " + heads + ", got " + input.channels());
        }
        return input;
    }

    @Override
    public long parameterCount(Shape input) {
        long d = input.channels();
        return 4 * d + (d + 1) * 3 * d + (d + 1) * d + (d + 1) * 4 * d + (4 * d + 1) * d;
    }

    @Override
    public Shape build(Shape input, Engine engine, DataType type) {
        outputShape(input);
        this.engine = engine;
        this.type = type;
        tokens = input.height() * input.width();
        dim = input.channels();
        headDim = dim / heads;
        Shape token = Shape.features(dim);
        qkv = new Dense(3 * dim, Init.XAVIER);
        out = new Dense(dim, Init.XAVIER);
        expand = new Dense(4 * dim, Init.forActivation(Nonlinearity.GELU));
        contract = new Dense(dim, Init.XAVIER);
        norm1.build(token, engine, type);
        qkv.build(token, engine, type);
        out.build(token, engine, type);
        norm2.build(token, engine, type);
        expand.build(token, engine, type);
        gelu.build(Shape.features(4 * dim), engine, type);
        contract.build(Shape.features(4 * dim), engine, type);
        works.clear();
        return input;
    }

    @Override
    public void initialize(Rng rng) {
        for (Layer layer : sublayers()) layer.initialize(rng);
    }

    private List<Layer> sublayers() {
        return List.of(norm1, qkv, out, norm2, expand, contract);
    }

    private static final String[] NAMES = {"ln1", "qkv", "out", "ln2", "mlp1", "mlp2"};

    @Override
    public List<Param> params() {
        List<Param> all = new ArrayList<>();
        List<Layer> layers = sublayers();
        for (int i = 0; i < layers.size(); i++) {
            for (Param p : layers.get(i).params()) all.add(new Param(NAMES[i] + "." + p.name(), p.value(), p.grad(), p.decays()));
        }
        return all;
    }

    private Tensor zeros(long rows, long cols) {
        return Tensor.zeros(type, rows, cols);
    }

    /** t [n, T·DIM] as token rows [n·T, DIM] (the same memory). */
    private Tensor tokenRows(Tensor t) {
        if (tokenViews.size() >= VIEWS_KEPT && !tokenViews.containsKey(t)) tokenViews.clear();
        return tokenViews.computeIfAbsent(t, a -> a.reshape(a.length / dim, dim));
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        int n = (int) x.shape()[0], count = n * heads;
        Work w = last = works.computeIfAbsent(n, Work::new);
        Tensor xt = tokenRows(x);
        // self-attention, residual
        Tensor a = norm1.forward(xt, training);                                  // a = LN1(x)
        Tensor qkvRows = qkv.forward(a, training);                               // [q k v] = a·Wqkv + b
        engine.splitHeads(qkvRows, 0, heads, tokens, w.q);
        engine.splitHeads(qkvRows, dim, heads, tokens, w.k);
        engine.splitHeads(qkvRows, 2 * dim, heads, tokens, w.v);
        engine.batchedGemm(w.q, false, w.k, true, w.s, count, 1 / Math.sqrt(headDim));   // S = q·kᵀ/√d
        engine.softmax(w.s, w.p);                                                // P = softmax(S)
        engine.batchedGemm(w.p, false, w.v, false, w.o, count, 1);               // o = P·v
        engine.mergeHeads(w.o, heads, tokens, w.merged, 0);
        Tensor attended = out.forward(w.merged, training);                       // o·Wo + bo
        engine.copyColumns(attended, 0, w.y1, 0, dim);
        engine.axpy(1, xt, w.y1);                                                // y1 = x + ...
        // MLP, residual
        Tensor b = norm2.forward(w.y1, training);                                // LN2(y1)
        Tensor hidden = gelu.forward(expand.forward(b, training), training);     // GELU(·W1 + b1)
        Tensor mlp = contract.forward(hidden, training);                         //   ·W2 + b2
        Tensor yt = tokenRows(w.y);
        engine.copyColumns(mlp, 0, yt, 0, dim);
        engine.axpy(1, w.y1, yt);                                                // y = y1 + ...
        return w.y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Work w = last.withGradients();
        int count = w.batch * heads;
        double scale = 1 / Math.sqrt(headDim);
        Tensor dy = tokenRows(gradOut);
        // MLP branch: dy1 = dy + its path back through LN2
        Tensor dB = norm2.backward(expand.backward(gelu.backward(contract.backward(dy))));
        engine.copyColumns(dB, 0, w.dY1, 0, dim);
        engine.axpy(1, dy, w.dY1);
        // attention branch
        engine.splitHeads(out.backward(w.dY1), 0, heads, tokens, w.dO);          // do, per head
        engine.batchedGemm(w.dO, false, w.v, true, w.dP, count, 1);              // dP = do·vᵀ
        engine.batchedGemm(w.p, true, w.dO, false, w.dv, count, 1);              // dv = Pᵀ·do
        engine.softmaxBackward(w.s, w.p, w.dP, w.dS);                            // dS = P ⊙ (dP − rowsum(dP ⊙ P))
        engine.batchedGemm(w.dS, false, w.k, false, w.dq, count, scale);         // dq = dS·k/√d
        engine.batchedGemm(w.dS, true, w.q, false, w.dk, count, scale);          // dk = dSᵀ·q/√d
        engine.mergeHeads(w.dq, heads, tokens, w.dQkv, 0);
        engine.mergeHeads(w.dk, heads, tokens, w.dQkv, dim);
        engine.mergeHeads(w.dv, heads, tokens, w.dQkv, 2 * dim);
        Tensor dA = norm1.backward(qkv.backward(w.dQkv));
        Tensor dxt = tokenRows(w.dx);
        engine.copyColumns(dA, 0, dxt, 0, dim);
        engine.axpy(1, w.dY1, dxt);                                              // dx = dy1 + its path through LN1
        return w.dx;
    }

    /** The attention weights P of the last forward: [n·HEADS·T, T], row (e·HEADS + h)·T + t = what token t of head h looked at. */
    public Tensor attentionWeights() {
        return last.p;
    }

    public int tokens() {
        return tokens;
    }

    @Override
    public long forwardFlops() {
        return 2L * tokens * 12 * dim * dim + 4L * tokens * tokens * dim;
    }

    @Override
    public String spec() {
        return "attention(" + heads + ")";
    }
}
