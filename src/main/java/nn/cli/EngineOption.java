package nn.cli;

import java.util.List;

import nn.compute.Engines;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --engine cpu|nd4j}: which engine runs the network (see {@link Engines}). Every command
 * that runs a network has it (train, bench, and through {@link CheckpointOption} eval, predict,
 * explain, show, prune); {@link Main} applies it before the command runs. Not stored anywhere:
 * a checkpoint loads on either engine.
 */
final class EngineOption {
    @Option(names = "--engine", paramLabel = "cpu|nd4j", converter = KindConverter.class, completionCandidates = Names.class,
            description = "The engine: cpu (oneDNN, OpenBLAS and Java loops, the fast path on ND4J's CPU backend) or nd4j "
                    + "(ND4J operations only, which run on CUDA). Default: $NN_ENGINE, else cpu on the CPU backend and nd4j on CUDA.")
    Engines.Kind kind;

    static final class KindConverter implements CommandLine.ITypeConverter<Engines.Kind> {
        @Override
        public Engines.Kind convert(String value) {
            try {
                return Engines.Kind.fromId(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Names implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of("cpu", "nd4j").iterator();
        }
    }

    /** Selects the engine the command asked for ({@code --engine}, else $NN_ENGINE, else the backend's); a bad choice is a usage error. */
    static void apply(CommandLine parsed) {
        EngineOption option = find(parsed.getCommandSpec());
        try {
            Engines.use(option != null && option.kind != null ? option.kind : Engines.defaultKind());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(parsed, (option != null && option.kind != null ? "--engine: " : "NN_ENGINE: ") + e.getMessage());
        }
    }

    private static EngineOption find(CommandSpec spec) {
        for (CommandSpec mixin : spec.mixins().values()) {
            if (mixin.userObject() instanceof EngineOption e) return e;
            EngineOption nested = find(mixin);
            if (nested != null) return nested;
        }
        return null;
    }
}
