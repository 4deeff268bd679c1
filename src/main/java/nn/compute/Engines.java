package nn.compute;

import java.util.Locale;

import nn.compute.cpu.CpuEngine;
import nn.compute.nd4j.Nd4jEngine;

/**
 * Which engine runs the networks of this process: {@code --engine}, else {@code $NN_ENGINE},
 * else {@code cpu} on ND4J's CPU backend and {@code nd4j} on any other (CUDA). The engine is a
 * property of the process, never of a model: checkpoints are plain float arrays and load on
 * either.
 */
public final class Engines {
    /** The engines there are; a third one is one more constant here. */
    public enum Kind {
        CPU("cpu"), ND4J("nd4j");

        public final String id;

        Kind(String id) {
            this.id = id;
        }

        public static Kind fromId(String id) {
            for (Kind k : values()) if (k.id.equals(id.trim().toLowerCase(Locale.ROOT))) return k;
            throw new IllegalArgumentException("unknown engine '" + id + "': expected cpu or nd4j");
        }

        @Override
        public String toString() {
            return id;
        }
    }

    private static volatile Engine current;

    private Engines() {}

    /** The engine of that kind (one instance each: engines hold no per-network state). */
    public static Engine of(Kind kind) {
        return switch (kind) {
            case CPU -> Holder.CPU;
            case ND4J -> Holder.ND4J;
        };
    }

    /** The engine networks are built with when none is named. */
    public static Engine current() {
        Engine e = current;
        return e != null ? e : of(defaultKind());
    }

    public static void use(Kind kind) {
        if (kind == Kind.CPU && !Tensor.HOST_MEMORY) {
            throw new IllegalArgumentException("the cpu engine needs ND4J's CPU backend; this build runs " + backend() + ": use --engine nd4j");
        }
        current = of(kind);
    }

    /** Back to the default (a command's choice ends with the command; tests run many in one JVM). */
    public static void reset() {
        current = null;
    }

    /** $NN_ENGINE if set, else what suits the backend. */
    public static Kind defaultKind() {
        String env = System.getenv("NN_ENGINE");
        if (env != null && !env.isBlank()) return Kind.fromId(env);
        return Tensor.HOST_MEMORY ? Kind.CPU : Kind.ND4J;
    }

    /** ND4J's backend, as its environment names it (e.g. CPU, CUDA). */
    public static String backend() {
        Object b = org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation().get("backend");
        return b == null ? "unknown" : b.toString();
    }

    private static final class Holder {
        static final Engine CPU = new CpuEngine();
        static final Engine ND4J = new Nd4jEngine();
    }
}
