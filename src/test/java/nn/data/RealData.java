package nn.data;

import java.nio.file.Path;

/** Where tests find real MNIST digits: the slice shipped in data/mnist-slice. */
public final class RealData {
    /** A data directory whose "mnist" folder is the slice (see DatasetKind.folder). */
    public static final Path SLICE_PARENT = prepare();

    private RealData() {}

    private static Path prepare() {
        try {
            Path dir = java.nio.file.Files.createTempDirectory("nn-slice");
            Path mnist = dir.resolve(DatasetKind.MNIST.folder);
            java.nio.file.Files.createSymbolicLink(mnist, Path.of("data/mnist-slice").toAbsolutePath());
            dir.toFile().deleteOnExit();
            return dir;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static LabeledImages train() throws java.io.IOException {
        return DatasetFiles.load(DatasetKind.MNIST, SLICE_PARENT, DatasetFiles.Part.TRAIN);
    }

    public static LabeledImages test() throws java.io.IOException {
        return DatasetFiles.load(DatasetKind.MNIST, SLICE_PARENT, DatasetFiles.Part.TEST);
    }
}
