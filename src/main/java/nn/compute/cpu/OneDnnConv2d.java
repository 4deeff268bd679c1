package nn.compute.cpu;

import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.global.dnnl;
import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.ConvGeometry;
import nn.compute.Engine;
import nn.compute.Tensor;

/**
 * Float 2-D convolution through oneDNN's direct convolution primitives, where nn ships oneDNN's
 * natives ({@link Blas#ONEDNN}); {@link CpuConv2d} (im2col and products) is the reference it is
 * tested against, and the float path elsewhere. oneDNN's forward and weight-gradient kernels read
 * the receptive fields in place instead of copying them out (im2col) first; its data gradient is
 * gemm-based, as nn's is, and ran fastest on W as nn keeps it. On the LeNet layers, 32 images on
 * one thread: forward 173 µs against 305 (first layer) and 518 against 599 (second), the second's
 * backward 1,096 against 1,164 (docs/benchmarks.md, 2026-12-03). db is a sum over δ's rows
 * ({@link Blas#sumRows}, as in CpuConv2d): for the first layer's 32 images oneDNN's weight-gradient
 * kernel spent 110 µs adding it up, the sgemv 18 (290 µs with it against 178 + 18).
 *
 * <p>nn keeps W as [k·k·C, filters], oneDNN's HWIO. The forward and weight-gradient kernels run
 * fastest on weights in a blocked layout of oneDNN's choosing, so forward reorders W into it
 * each step and backward reorders dW out of it (25,000 values for the second LeNet layer, a few
 * µs); the data gradient reads W as it is. Each {@link Team} thread takes its own images with
 * primitives of its own, its dW and db partial sums added up at the end.
 */
final class OneDnnConv2d implements Engine.Conv2d {
    private final ConvGeometry g;
    private final int inSize, outSize;
    private final OneDnn.Slices<Slice> slices = new OneDnn.Slices<>(Slice::new);
    /** Per thread part above 0: its share of dW and db. */
    private Tensor[] partialDW = new Tensor[0], partialDB = new Tensor[0];
    /** The last input (forward's x), which the weight gradient reads. */
    private Tensor input;

    OneDnnConv2d(ConvGeometry g) {
        this.g = g;
        this.inSize = g.inH() * g.inW() * g.inC();
        this.outSize = g.outH() * g.outW() * g.filters();
    }

    @Override
    public void forward(Tensor x, Tensor w, Tensor b, Tensor y) {
        input = x;
        Team.split((int) x.shape()[0], 1, (part, first, last) -> {
            Slice s = slices.get(part, last - first);
            OneDnn.point(s.weights, w, 0);
            s.blockWeights.run();   // W in the forward's layout
            OneDnn.point(s.src, x, (long) first * inSize);
            OneDnn.point(s.bias, b, 0);
            OneDnn.point(s.dst, y, (long) first * outSize);
            s.forward.run();   // y = conv(x, W) + b
        });
    }

    @Override
    public void backward(Tensor delta, Tensor w, Tensor dW, Tensor db, Tensor dx) {
        if (input == null) throw new IllegalStateException("backward before forward");
        Tensor x = input;
        long n = x.shape()[0];   // oneDNN reads and writes native memory of this size: a mismatch must not reach it
        if (delta.length != n * outSize || dx != null && dx.length != n * inSize || dW.length != (long) g.patch() * g.filters()) {
            throw new IllegalArgumentException("convolution backward needs the " + n + " images of its forward and W's shape, got δ of "
                    + delta.length + " values");
        }
        if (partialDW.length != Team.size()) {
            partialDW = new Tensor[Team.size()];
            partialDB = new Tensor[Team.size()];
            for (int p = 1; p < partialDW.length; p++) {
                partialDW[p] = Tensor.zeros(DataType.FLOAT, dW.length);
                partialDB[p] = Tensor.zeros(DataType.FLOAT, db.length);
            }
        }
        boolean[] ran = new boolean[Team.size()];
        Team.split((int) n, 1, (part, first, last) -> {
            Slice s = slices.get(part, last - first);
            OneDnn.point(s.src, x, (long) first * inSize);
            OneDnn.point(s.diffDst, delta, (long) first * outSize);
            s.weightGradient.run();   // dW = Σ x ⋆ δ, this part's images
            int rows = g.outH() * g.outW();
            Blas.sumRows(delta, g.filters(), first * rows, last * rows, part == 0 ? db : partialDB[part], 0);   // db = Σ_rows δ
            OneDnn.point(s.diffWeights, part == 0 ? dW : partialDW[part], 0);
            s.unblockDiffWeights.run();   // dW back to [k·k·C, filters]
            if (dx != null) {
                OneDnn.point(s.weights, w, 0);
                OneDnn.point(s.diffSrc, dx, (long) first * inSize);
                s.dataGradient.run();   // dx = δ ⋆ Wᵀ (every element written)
            }
            ran[part] = true;
        });
        for (int p = 1; p < ran.length; p++) {
            if (!ran[p]) continue;
            Blas.axpy(1, partialDW[p], dW);
            Blas.axpy(1, partialDB[p], db);
        }
    }

    /** The primitives for one thread's share of a batch: {@code images} NHWC images. */
    private final class Slice {
        final memory src, dst, weights, bias, diffSrc, diffDst, diffWeights;
        final OneDnn.Step forward, dataGradient, weightGradient, blockWeights, unblockDiffWeights;

        Slice(int images) {
            memory.desc in = OneDnn.nhwc(images, g.inH(), g.inW(), g.inC()), out = OneDnn.nhwc(images, g.outH(), g.outW(), g.filters());
            long[] dims = {g.filters(), g.inC(), g.kernel(), g.kernel()};
            memory.desc hwio = new memory.desc(dims, memory.data_type.f32, memory.format_tag.hwio);
            memory.desc anyLayout = new memory.desc(dims, memory.data_type.f32, memory.format_tag.any);
            memory.desc biasDesc = new memory.desc(new long[] {g.filters()}, memory.data_type.f32, memory.format_tag.x);
            long[] strides = {g.stride(), g.stride()}, padding = {g.padding(), g.padding()};

            convolution_forward.primitive_desc forwardPd = new convolution_forward.primitive_desc(new convolution_forward.desc(
                    dnnl.prop_kind.forward_training, dnnl.algorithm.convolution_direct, in, anyLayout, biasDesc, out, strides, padding, padding),
                    OneDnn.ownScratchpad(), OneDnn.CPU);
            convolution_backward_data.primitive_desc dataPd = new convolution_backward_data.primitive_desc(new convolution_backward_data.desc(
                    dnnl.algorithm.convolution_direct, in, hwio, out, strides, padding, padding), OneDnn.ownScratchpad(), OneDnn.CPU, forwardPd);
            convolution_backward_weights.primitive_desc weightPd = new convolution_backward_weights.primitive_desc(new convolution_backward_weights.desc(
                    dnnl.algorithm.convolution_direct, in, anyLayout, out, strides, padding, padding), OneDnn.ownScratchpad(), OneDnn.CPU, forwardPd);

            src = OneDnn.unbound(in);
            dst = OneDnn.unbound(out);
            weights = OneDnn.unbound(hwio);
            bias = OneDnn.unbound(biasDesc);
            diffSrc = OneDnn.unbound(in);
            diffDst = OneDnn.unbound(out);
            diffWeights = OneDnn.unbound(hwio);
            memory blockedWeights = new memory(forwardPd.weights_desc(), OneDnn.CPU), blockedDiffWeights = new memory(weightPd.diff_weights_desc(), OneDnn.CPU);

            blockWeights = new OneDnn.Step(new reorder.primitive_desc(weights, blockedWeights, OneDnn.ownScratchpad(), false), reorder::new)
                    .with(dnnl.DNNL_ARG_FROM, weights).with(dnnl.DNNL_ARG_TO, blockedWeights);
            forward = new OneDnn.Step(forwardPd, convolution_forward::new)
                    .with(dnnl.DNNL_ARG_SRC, src).with(dnnl.DNNL_ARG_WEIGHTS, blockedWeights).with(dnnl.DNNL_ARG_BIAS, bias).with(dnnl.DNNL_ARG_DST, dst);
            weightGradient = new OneDnn.Step(weightPd, convolution_backward_weights::new).with(dnnl.DNNL_ARG_SRC, src).with(dnnl.DNNL_ARG_DIFF_DST, diffDst)
                    .with(dnnl.DNNL_ARG_DIFF_WEIGHTS, blockedDiffWeights);
            unblockDiffWeights = new OneDnn.Step(new reorder.primitive_desc(blockedDiffWeights, diffWeights, OneDnn.ownScratchpad(), false), reorder::new)
                    .with(dnnl.DNNL_ARG_FROM, blockedDiffWeights).with(dnnl.DNNL_ARG_TO, diffWeights);
            dataGradient = new OneDnn.Step(dataPd, convolution_backward_data::new)
                    .with(dnnl.DNNL_ARG_DIFF_DST, diffDst).with(dnnl.DNNL_ARG_WEIGHTS, weights).with(dnnl.DNNL_ARG_DIFF_SRC, diffSrc);
        }
    }
}
