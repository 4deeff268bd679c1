package nn.compute.cpu;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.primitive_desc_base;
import org.bytedeco.dnnl.stream;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

import nn.compute.Tensor;

/**
 * What nn's oneDNN layers ({@link OneDnnConv2d}, {@link OneDnnMaxPool}) share: the CPU engine,
 * NHWC descriptors, tensors as memory handles, {@link Step} and {@link Slices}. Used only where
 * {@link Blas#ONEDNN} says the natives load. Each layer keeps its primitives per {@link Team}
 * part and share of the batch, each with memory objects and scratch memory of its own, and each
 * thread runs them on a stream of its own, so the threads never share a handle.
 */
final class OneDnn {
    static final engine CPU = new engine(engine.kind.cpu, 0);
    private static final ThreadLocal<stream> STREAM = ThreadLocal.withInitial(() -> new stream(CPU));

    private OneDnn() {}

    /** {@code images} NHWC float images of h x w x c (oneDNN's dimensions are N, C, H, W whatever the layout). */
    static memory.desc nhwc(int images, int h, int w, int c) {
        return new memory.desc(new long[] {images, c, h, w}, memory.data_type.f32, memory.format_tag.nhwc);
    }

    /** Attributes for a primitive that runs on the scratch memory its {@link Step} gives it, not on memory oneDNN shares. */
    static primitive_attr ownScratchpad() {
        primitive_attr attr = new primitive_attr();
        attr.set_scratchpad_mode(dnnl.scratchpad_mode.user);
        return attr;
    }

    /** A memory object whose buffer is set before each use ({@link #point}). */
    static memory unbound(memory.desc desc) {
        return new memory(desc, CPU, new Pointer());
    }

    /** Points {@code m} at element {@code offset} of a float tensor. */
    static void point(memory m, Tensor t, long offset) {
        m.set_data_handle(new BytePointer(t.floats(0)).position(offset * Float.BYTES));   // a void pointer: offset in bytes
    }

    /** Points {@code m} at byte {@code offset} of a native buffer. */
    static void point(memory m, BytePointer bytes, long offset) {
        m.set_data_handle(new BytePointer(bytes).position(offset));
    }

    /**
     * One primitive with its arguments and scratch memory. The primitive itself is made on the
     * first run: making one compiles its kernel (milliseconds each), and a prediction, which
     * never runs a backward pass, should not wait for the kernels of training.
     */
    static final class Step {
        private final java.util.function.Supplier<primitive> make;
        private final IntMemoryMap args = new IntMemoryMap();
        private primitive made;

        /** pd's attributes must come from {@link #ownScratchpad}. */
        <D extends primitive_desc_base> Step(D pd, Function<D, primitive> make) {
            this.make = () -> make.apply(pd);
            args.put(dnnl.DNNL_ARG_SCRATCHPAD, new memory(pd.scratchpad_desc(), CPU));
        }

        /** Adds argument {@code arg} (a {@code DNNL_ARG_} constant). */
        Step with(int arg, memory m) {
            args.put(arg, m);
            return this;
        }

        /** Runs it on the calling thread and waits for it. */
        void run() {
            if (made == null) made = make.get();
            stream s = STREAM.get();
            made.execute(s, args);
            s._wait();
        }
    }

    /** A layer's primitives per {@link Team} part and number of images, made on first use. */
    static final class Slices<S> {
        private final Map<Long, S> made = new HashMap<>();
        private final IntFunction<S> make;

        /** {@code make}: the primitives for that many images. */
        Slices(IntFunction<S> make) {
            this.make = make;
        }

        synchronized S get(int part, int images) {
            return made.computeIfAbsent((long) part << 32 | images, k -> make.apply(images));
        }
    }
}
