package nn.compute.cpu;

import java.util.HashMap;
import java.util.Map;

import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_backward;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.PoolGeometry;
import nn.compute.Tensor;

/**
 * Float max pooling through oneDNN's pooling primitives, where nn ships oneDNN's natives
 * ({@link Blas#ONEDNN}); {@link CpuMaxPool} is the reference it is tested against, and the
 * float path elsewhere. oneDNN compiles each window and layout to AVX-512 or AVX2 code at run
 * time: a 24x24x20 image's 2x2 pool with its winners took 0.9 µs (1.7 backward), the Java loop,
 * which C2 leaves scalar, 7; the CNN trained 12% faster (docs/benchmarks.md, 2026-12-03).
 *
 * <p>Forward keeps each window's winner in oneDNN's workspace (a byte per output, for windows
 * under 256 values); backward sends δ there. The fused ReLU is a post-op of the forward pool, and its derivative
 * (δ where y > 0) an eltwise backward primitive before the backward pool. Each {@link Team}
 * thread runs its own images with primitives of its own, as single-threaded oneDNN calls.
 */
final class OneDnnMaxPool implements Engine.MaxPool {
    private final PoolGeometry g;
    private final int inSize, outSize;
    private final long[] strides, window, noPadding = {0, 0};
    /** The workspace's bytes per image: a window's winner per output (a byte for windows under 256 values). */
    private final long winnerBytes;
    private final OneDnn.Slices<Slice> slices = new OneDnn.Slices<>(Slice::new);
    /** Per batch size: the winners (workspace) and the rectified δ. */
    private final Map<Integer, BytePointer> workspaces = new HashMap<>();
    private final Map<Integer, Tensor> maskedDeltas = new HashMap<>();
    /** Images in the last forward: backward must have as many (the workspace and y are native memory of that size). */
    private int images;
    private Tensor y;
    private boolean rectified, winnersKept;

    OneDnnMaxPool(PoolGeometry g) {
        this.g = g;
        this.inSize = g.inH() * g.inW() * g.channels();
        this.outSize = g.outH() * g.outW() * g.channels();
        this.strides = new long[] {g.stride(), g.stride()};
        this.window = new long[] {g.size(), g.size()};
        this.winnerBytes = new pooling_forward.primitive_desc(pool(dnnl.prop_kind.forward_training, 1), OneDnn.ownScratchpad(), OneDnn.CPU)
                .workspace_desc().get_size();
    }

    /** The forward pool of {@code images} images, for training (keeping the winners) or inference. */
    private pooling_forward.desc pool(dnnl.prop_kind kind, int images) {
        return new pooling_forward.desc(kind, dnnl.algorithm.pooling_max, OneDnn.nhwc(images, g.inH(), g.inW(), g.channels()),
                OneDnn.nhwc(images, g.outH(), g.outW(), g.channels()), strides, window, noPadding, noPadding);
    }

    @Override
    public void forward(Tensor x, Tensor y, boolean rectify, boolean forBackward) {
        int n = (int) x.shape()[0];
        this.y = y;
        this.rectified = rectify;
        this.winnersKept = forBackward;
        this.images = n;
        BytePointer ws = forBackward ? workspaces.computeIfAbsent(n, k -> new BytePointer(k * winnerBytes)) : null;
        Team.split(n, 1, (part, first, last) -> {
            Slice s = slices.get(part, last - first);
            OneDnn.point(s.src, x, (long) first * inSize);
            OneDnn.point(s.dst, y, (long) first * outSize);
            if (forBackward) {
                OneDnn.point(s.workspace, ws, first * winnerBytes);
                (rectify ? s.trainRectified : s.train).run();
            } else {
                (rectify ? s.inferRectified : s.infer).run();
            }
        });
    }

    @Override
    public void backward(Tensor delta, Tensor dx) {
        if (!winnersKept) throw new IllegalStateException("max-pool backward after a forward for inference only");
        int n = images;
        if (delta.length != (long) n * outSize || dx.length != (long) n * inSize) {
            throw new IllegalArgumentException("max-pool backward needs the " + n + " images of its forward, got δ of " + delta.length + " values");
        }
        Tensor masked = rectified ? maskedDeltas.computeIfAbsent(n, k -> Tensor.zeros(DataType.FLOAT, (long) k * outSize)) : null;
        BytePointer ws = workspaces.get(n);
        Team.split(n, 1, (part, first, last) -> {
            Slice s = slices.get(part, last - first);
            OneDnn.point(s.workspace, ws, first * winnerBytes);
            OneDnn.point(s.diffSrc, dx, (long) first * inSize);
            OneDnn.point(s.diffDst, delta, (long) first * outSize);
            if (rectified) {   // δ · relu'(y), then as if not rectified
                OneDnn.point(s.dst, y, (long) first * outSize);
                OneDnn.point(s.maskedDiffDst, masked, (long) first * outSize);
                s.reluBackward.run();
                OneDnn.point(s.diffDst, masked, (long) first * outSize);
            }
            s.back.run();   // dx = δ at each window's winner, 0 elsewhere
        });
    }

    /** The primitives for one thread's share of a batch: {@code images} NHWC images. */
    private final class Slice {
        final memory src, dst, workspace, diffSrc, diffDst, maskedDiffDst;
        /** The forward pool for training (keeping the winners) and for inference, each plain and with the ReLU after it. */
        final OneDnn.Step train, trainRectified, infer, inferRectified, back, reluBackward;

        Slice(int images) {
            memory.desc in = OneDnn.nhwc(images, g.inH(), g.inW(), g.channels()), out = OneDnn.nhwc(images, g.outH(), g.outW(), g.channels());
            pooling_forward.desc training = pool(dnnl.prop_kind.forward_training, images), inference = pool(dnnl.prop_kind.forward_inference, images);
            primitive_attr plain = OneDnn.ownScratchpad(), relu = OneDnn.ownScratchpad();
            post_ops then = new post_ops();
            then.append_eltwise(1f, dnnl.algorithm.eltwise_relu, 0f, 0f);
            relu.set_post_ops(then);
            pooling_forward.primitive_desc trainPd = new pooling_forward.primitive_desc(training, plain, OneDnn.CPU);
            if (trainPd.workspace_desc().get_size() != images * winnerBytes) throw new IllegalStateException("oneDNN's max-pool workspace is not per image");

            src = OneDnn.unbound(in);
            dst = OneDnn.unbound(out);
            workspace = OneDnn.unbound(trainPd.workspace_desc());
            diffSrc = OneDnn.unbound(in);
            diffDst = OneDnn.unbound(out);
            maskedDiffDst = OneDnn.unbound(out);
            train = forward(trainPd).with(dnnl.DNNL_ARG_WORKSPACE, workspace);
            trainRectified = forward(new pooling_forward.primitive_desc(training, relu, OneDnn.CPU)).with(dnnl.DNNL_ARG_WORKSPACE, workspace);
            infer = forward(new pooling_forward.primitive_desc(inference, plain, OneDnn.CPU));
            inferRectified = forward(new pooling_forward.primitive_desc(inference, relu, OneDnn.CPU));
            back = new OneDnn.Step(new pooling_backward.primitive_desc(new pooling_backward.desc(dnnl.algorithm.pooling_max, in, out, strides, window, noPadding, noPadding),
                    OneDnn.ownScratchpad(), OneDnn.CPU, trainPd), pooling_backward::new)
                    .with(dnnl.DNNL_ARG_DIFF_DST, diffDst).with(dnnl.DNNL_ARG_WORKSPACE, workspace).with(dnnl.DNNL_ARG_DIFF_SRC, diffSrc);
            eltwise_forward.primitive_desc reluHint = new eltwise_forward.primitive_desc(
                    new eltwise_forward.desc(dnnl.prop_kind.forward_training, dnnl.algorithm.eltwise_relu_use_dst_for_bwd, out, 0f, 0f), OneDnn.CPU);
            reluBackward = new OneDnn.Step(new eltwise_backward.primitive_desc(new eltwise_backward.desc(dnnl.algorithm.eltwise_relu_use_dst_for_bwd, out, out, 0f, 0f),
                    OneDnn.ownScratchpad(), OneDnn.CPU, reluHint), eltwise_backward::new)
                    .with(dnnl.DNNL_ARG_DST, dst).with(dnnl.DNNL_ARG_DIFF_DST, diffDst).with(dnnl.DNNL_ARG_DIFF_SRC, maskedDiffDst);
        }

        private OneDnn.Step forward(pooling_forward.primitive_desc pd) {
            return new OneDnn.Step(pd, pooling_forward::new).with(dnnl.DNNL_ARG_SRC, src).with(dnnl.DNNL_ARG_DST, dst);
        }
    }
}
