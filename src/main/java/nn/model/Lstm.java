package nn.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Nonlinearity;
import nn.compute.Tensor;
import nn.random.Rng;

/**
 * Long short-term memory over the rows of its input: an H x W x C example is H time steps of
 * W·C features (an MNIST image is read top to bottom, 28 steps of 28 pixels). Per step t, with
 * the four gates stacked [i, f, g, o] in one product,
 * <pre>
 *   z = x_t·Wx + h_{t−1}·Wh + b           (Wx [features, 4U], Wh [U, 4U], b [1, 4U])
 *   i = σ(z_i)  f = σ(z_f)  g = tanh(z_g)  o = σ(z_o)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g              h_t = o ⊙ tanh(c_t)
 * </pre>
 * with h and c starting at zero. The output is the last h [batch, U], or with {@code seq} every
 * h, [batch, steps·U] as a steps x 1 x U shape a second lstm reads. Backward is backpropagation
 * through time over the cached steps. The forget-gate bias starts at 1, so memory is kept until
 * the network learns otherwise.
 *
 * <p>All arithmetic is the engine's (gemm, activate, multiply, axpy, copyColumns), so the nd4j
 * engine runs it with ND4J ops.
 */
public final class Lstm implements Layer {
    private final int units;
    private final boolean sequence;
    private int steps, features;
    private Engine engine;
    private DataType type;
    private Param wx, wh, b;
    private boolean computesInputGradient = true;

    private int batch = -1;
    private Tensor out, dx, xt, z, dz, dbStep, dh, dhNext, dc, tmp, d1, zeros;
    private Tensor[] zi, zf, zg, zo, gi, gf, gg, go, c, tc, h;
    private Tensor x;

    public Lstm(int units, boolean sequence) {
        if (units < 1) throw new IllegalArgumentException("lstm needs at least 1 unit, got " + units);
        this.units = units;
        this.sequence = sequence;
    }

    public int units() {
        return units;
    }

    public boolean returnsSequence() {
        return sequence;
    }

    /**
     * h after step {@code step} (from 0) of the last forward pass, [batch, units]: the state after
     * reading rows 0..step, which later rows cannot change. The layer's own buffer, overwritten
     * by the next forward.
     */
    public Tensor hiddenState(int step) {
        return h[step];
    }

    @Override
    public Shape outputShape(Shape input) {
        return sequence ? new Shape(input.height(), 1, units) : Shape.features(units);
    }

    @Override
    public long parameterCount(Shape input) {
        long f = (long) input.width() * input.channels();
        return (f + units + 1) * 4L * units;
    }

    @Override
    public Shape build(Shape input, Engine engine, DataType type) {
        this.engine = engine;
        this.type = type;
        steps = input.height();
        features = input.width() * input.channels();
        wx = Param.of("Wx", Tensor.zeros(type, features, 4L * units), true);
        wh = Param.of("Wh", Tensor.zeros(type, units, 4L * units), true);
        b = Param.of("b", Tensor.zeros(type, 1, 4L * units), false);
        batch = -1;
        works.clear();
        return outputShape(input);
    }

    @Override
    public void initialize(Rng rng) {
        Init.XAVIER.fill(wx.value(), features, units, rng);
        Init.XAVIER.fill(wh.value(), units, units, rng);
        b.value().fill(i -> i >= units && i < 2 * units ? 1 : 0);   // forget gate
    }

    @Override
    public List<Param> params() {
        return List.of(wx, wh, b);
    }

    @Override
    public void setComputesInputGradient(boolean computes) {
        computesInputGradient = computes;
    }

    private Tensor[] perStep(int n) {
        Tensor[] t = new Tensor[steps];
        for (int s = 0; s < steps; s++) t[s] = Tensor.zeros(type, n, units);
        return t;
    }

    /** The working arrays for one batch size (training batches, the last one, evaluation), made once each. */
    private final class Work {
        final Tensor out, dx, xt, z, dz, dbStep, dh, dhNext, dc, tmp, d1, zeros;
        final Tensor[] zi, zf, zg, zo, gi, gf, gg, go, c, tc, h;

        Work(int n) {
            out = Tensor.zeros(type, n, sequence ? (long) steps * units : units);
            dx = Tensor.zeros(type, n, (long) steps * features);
            xt = Tensor.zeros(type, n, features);
            z = Tensor.zeros(type, n, 4L * units);
            dz = Tensor.zeros(type, n, 4L * units);
            dbStep = Tensor.zeros(type, 1, 4L * units);
            dh = Tensor.zeros(type, n, units);
            dhNext = Tensor.zeros(type, n, units);
            dc = Tensor.zeros(type, n, units);
            tmp = Tensor.zeros(type, n, units);
            d1 = Tensor.zeros(type, n, units);
            zeros = Tensor.zeros(type, n, units);
            zi = perStep(n); zf = perStep(n); zg = perStep(n); zo = perStep(n);
            gi = perStep(n); gf = perStep(n); gg = perStep(n); go = perStep(n);
            c = perStep(n); tc = perStep(n); h = perStep(n);
        }
    }

    private final Map<Integer, Work> works = new HashMap<>();

    /** Switches the working arrays to those for n examples. */
    private void ensure(int n) {
        if (n == batch) return;
        batch = n;
        Work w = works.computeIfAbsent(n, Work::new);
        out = w.out; dx = w.dx; xt = w.xt; z = w.z; dz = w.dz; dbStep = w.dbStep; dh = w.dh; dhNext = w.dhNext; dc = w.dc;
        tmp = w.tmp; d1 = w.d1; zeros = w.zeros;
        zi = w.zi; zf = w.zf; zg = w.zg; zo = w.zo; gi = w.gi; gf = w.gf; gg = w.gg; go = w.go; c = w.c; tc = w.tc; h = w.h;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        this.x = x;
        int n = (int) x.shape()[0];
        ensure(n);
        for (int t = 0; t < steps; t++) {
            engine.copyColumns(x, t * features, xt, 0, features);
            engine.gemm(xt, false, wx.value(), false, z, 1, 0);                      // z = x_t·Wx
            if (t > 0) engine.gemm(h[t - 1], false, wh.value(), false, z, 1, 1);    //   + h_{t−1}·Wh
            engine.addToEachRow(z, b.value());                                       //   + b
            engine.copyColumns(z, 0, zi[t], 0, units);
            engine.copyColumns(z, units, zf[t], 0, units);
            engine.copyColumns(z, 2 * units, zg[t], 0, units);
            engine.copyColumns(z, 3 * units, zo[t], 0, units);
            engine.activate(Nonlinearity.SIGMOID, zi[t], gi[t]);
            engine.activate(Nonlinearity.SIGMOID, zf[t], gf[t]);
            engine.activate(Nonlinearity.TANH, zg[t], gg[t]);
            engine.activate(Nonlinearity.SIGMOID, zo[t], go[t]);
            engine.multiply(gi[t], gg[t], c[t]);                                     // c = i ⊙ g
            if (t > 0) {
                engine.multiply(gf[t], c[t - 1], tmp);
                engine.axpy(1, tmp, c[t]);                                           //   + f ⊙ c_{t−1}
            }
            engine.activate(Nonlinearity.TANH, c[t], tc[t]);
            engine.multiply(go[t], tc[t], h[t]);                                     // h = o ⊙ tanh(c)
            if (sequence) engine.copyColumns(h[t], 0, out, t * units, units);
        }
        if (!sequence) engine.copyColumns(h[steps - 1], 0, out, 0, units);
        return out;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        engine.scale(0, wx.grad());
        engine.scale(0, wh.grad());
        engine.scale(0, b.grad());
        for (int t = steps - 1; t >= 0; t--) {
            // dh = dL/dh_t: from the output (every step, or only the last) and from step t+1
            if (sequence) engine.copyColumns(gradOut, t * units, dh, 0, units);
            else if (t == steps - 1) engine.copyColumns(gradOut, 0, dh, 0, units);
            else engine.copyColumns(zeros, 0, dh, 0, units);
            if (t < steps - 1) engine.axpy(1, dhNext, dh);
            if (t == steps - 1) engine.copyColumns(zeros, 0, dc, 0, units);          // dc carries dL/dc_t from t+1
            // o: dz_o = dh ⊙ tanh(c) ⊙ σ'
            engine.multiply(dh, tc[t], tmp);
            engine.activateBackward(Nonlinearity.SIGMOID, zo[t], go[t], tmp, d1);
            engine.copyColumns(d1, 0, dz, 3 * units, units);
            // c: dc += dh ⊙ o ⊙ tanh'(c)
            engine.multiply(dh, go[t], tmp);
            engine.activateBackward(Nonlinearity.TANH, c[t], tc[t], tmp, d1);
            engine.axpy(1, d1, dc);
            // i: dz_i = dc ⊙ g ⊙ σ'
            engine.multiply(dc, gg[t], tmp);
            engine.activateBackward(Nonlinearity.SIGMOID, zi[t], gi[t], tmp, d1);
            engine.copyColumns(d1, 0, dz, 0, units);
            // g: dz_g = dc ⊙ i ⊙ tanh'
            engine.multiply(dc, gi[t], tmp);
            engine.activateBackward(Nonlinearity.TANH, zg[t], gg[t], tmp, d1);
            engine.copyColumns(d1, 0, dz, 2 * units, units);
            // f: dz_f = dc ⊙ c_{t−1} ⊙ σ' (zero at t = 0, where c_{−1} = 0)
            if (t > 0) {
                engine.multiply(dc, c[t - 1], tmp);
                engine.activateBackward(Nonlinearity.SIGMOID, zf[t], gf[t], tmp, d1);
                engine.copyColumns(d1, 0, dz, units, units);
            } else {
                engine.copyColumns(zeros, 0, dz, units, units);
            }
            // parameters
            engine.copyColumns(x, t * features, xt, 0, features);
            engine.gemm(xt, true, dz, false, wx.grad(), 1, 1);                        // dWx += x_tᵀ·dz
            if (t > 0) engine.gemm(h[t - 1], true, dz, false, wh.grad(), 1, 1);       // dWh += h_{t−1}ᵀ·dz
            engine.sumRows(dz, dbStep);
            engine.axpy(1, dbStep, b.grad());                                         // db += Σ dz
            // to step t−1 and to the input
            if (t > 0) {
                engine.gemm(dz, false, wh.value(), true, dhNext, 1, 0);              // dh_{t−1} = dz·Whᵀ
                engine.multiply(dc, gf[t], dc);                                       // dc_{t−1} = dc ⊙ f
            }
            if (computesInputGradient) {
                engine.gemm(dz, false, wx.value(), true, xt, 1, 0);                  // dx_t = dz·Wxᵀ
                engine.copyColumns(xt, 0, dx, t * features, features);
            }
        }
        return computesInputGradient ? dx : null;
    }

    @Override
    public long forwardFlops() {
        return 2L * steps * (features + units) * 4L * units;
    }

    @Override
    public String spec() {
        return "lstm(" + units + (sequence ? ",seq" : "") + ")";
    }
}
