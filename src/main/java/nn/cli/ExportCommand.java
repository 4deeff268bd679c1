package nn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import nn.checkpoint.Checkpoint;
import nn.export.OnnxExport;
import nn.checkpoint.SlimModel;
import nn.io.AtomicFile;
import nn.prune.Pruning;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a trained model for use elsewhere:",
                "--onnx: a standard ONNX model for any ONNX runtime. Input 'input': float32 [N,1,28,28], pixel/255; "
                        + "output 'probabilities' [N,classes] (and 'logits' with --logits). The metadata records the input "
                        + "scaling, the class names, the data set and nn's version.",
                "--slim: the model alone, its weights stored sparsely when that is smaller (a pruned model is small on "
                        + "disk); it loads wherever --checkpoint is taken, with the same predictions, but cannot resume training."},
        footer = {"", "Examples:",
                "  nn export --onnx model.onnx                        # runs/latest",
                "  nn export --checkpoint runs/latest/pruned-90.ckpt --slim pruned-90.slim",
                "  nn eval --checkpoint model.onnx"})
final class ExportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin CheckpointOption checkpoint;

    @Option(names = "--onnx", paramLabel = "FILE", description = "Write an ONNX model here.")
    Path onnx;

    @Option(names = "--opset", paramLabel = "N", defaultValue = "" + OnnxExport.DEFAULT_OPSET,
            description = "ONNX opset, " + OnnxExport.MIN_OPSET + " to " + OnnxExport.MAX_OPSET + " (default: ${DEFAULT-VALUE}; "
                    + "from 20 GELU is one Gelu node).")
    int opset;

    @Option(names = "--logits", description = "Also output the class scores before the softmax, as 'logits'.")
    boolean logits;

    @Option(names = "--fold-batchnorm", description = "Fold each batch norm into the conv or dense layer before it "
            + "(default: BatchNormalization nodes with the running statistics).")
    boolean foldBatchNorm;

    @Option(names = "--slim", paramLabel = "FILE", description = "Write the model for use only: no optimiser state or masks, "
            + "sparse weights stored sparsely.")
    Path slim;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (onnx == null && slim == null) throw new ParameterException(spec.commandLine(), "say what to write: --onnx FILE, --slim FILE or both");
        OnnxExport.Options options;
        try {
            options = new OnnxExport.Options(opset, logits, foldBatchNorm);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--opset: " + e.getMessage());
        }
        Checkpoint.Loaded model = checkpoint.load();
        var net = model.network();
        if (onnx != null) {
            byte[] bytes = OnnxExport.build(net, model.origin(), options, Versions.nn()).toByteArray();
            AtomicFile.write(onnx, bytes);
            out.printf("wrote %s (ONNX opset %d, %,d bytes): %s%n", onnx, opset, bytes.length, net.spec().text());
            out.printf("  input '%s' float32 [N,1,28,28] = pixel/255 (white digit on black); output '%s' [N,%d]%s%n", OnnxExport.INPUT,
                    OnnxExport.PROBABILITIES, net.classes(), logits ? ", '" + OnnxExport.LOGITS + "' [N," + net.classes() + "]" : "");
        }
        if (slim != null) {
            SlimModel.save(slim, net, model.origin(), model.state().config.seed());
            long dense = 4L * net.parameterCount();
            out.printf("wrote %s (%,d bytes; the weights alone take %,d bytes dense, %.1f%% of them are zero)%n", slim, Files.size(slim), dense,
                    100 * Pruning.sparsity(net));
        }
        out.flush();
        return 0;
    }
}
