package nn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads a data set's training or test part from its IDX files in {@code dataDir/<folder>/}. */
public final class DatasetFiles {
    public enum Part { TRAIN, TEST }

    private DatasetFiles() {}

    public static Path folder(DatasetKind kind, Path dataDir) {
        return dataDir.resolve(kind.folder);
    }

    /** Whether all four files are present (not whether they are verified). */
    public static boolean present(DatasetKind kind, Path dataDir) {
        return kind.files().stream().allMatch(f -> Files.isRegularFile(folder(kind, dataDir).resolve(f.gzName())));
    }

    public static LabeledImages load(DatasetKind kind, Path dataDir, Part part) throws IOException {
        Path dir = folder(kind, dataDir);
        DatasetKind.DataFile images = part == Part.TRAIN ? kind.trainImages : kind.testImages;
        DatasetKind.DataFile labels = part == Part.TRAIN ? kind.trainLabels : kind.testLabels;
        return load(dir.resolve(images.gzName()), dir.resolve(labels.gzName()), kind);
    }

    /** Reads an images file and its labels file, checking that they belong together. */
    public static LabeledImages load(Path imagesFile, Path labelsFile, DatasetKind kind) throws IOException {
        IdxArray images = Idx.read(imagesFile);
        IdxArray labels = Idx.read(labelsFile);
        if (images.shape().length != 3) {
            throw new IdxFormatException(imagesFile, "has " + images.shape().length + " dimensions: expected 3 (count, rows, columns)");
        }
        if (labels.shape().length != 1) {
            throw new IdxFormatException(labelsFile, "has " + labels.shape().length + " dimensions: expected 1 (count)");
        }
        if (images.shape()[1] != DatasetKind.IMAGE_SIDE || images.shape()[2] != DatasetKind.IMAGE_SIDE) {
            throw new IdxFormatException(imagesFile, "holds images of " + images.shape()[1] + "x" + images.shape()[2]
                    + " pixels: " + kind.id + " images are " + DatasetKind.IMAGE_SIDE + "x" + DatasetKind.IMAGE_SIDE);
        }
        if (images.count() != labels.count()) {
            throw new IdxFormatException(labelsFile, "holds " + labels.count() + " labels but " + imagesFile.getFileName()
                    + " holds " + images.count() + " images");
        }
        int classes = kind.classNames.size();
        int[] y = new int[labels.count()];
        byte[] raw = labels.data();
        for (int i = 0; i < y.length; i++) {
            y[i] = raw[i] & 0xff;
            if (y[i] >= classes) {
                throw new IdxFormatException(labelsFile, "label " + y[i] + " at position " + i + " is not a class (0-" + (classes - 1) + ")");
            }
        }
        return new LabeledImages(images.data(), y, images.shape()[1], images.shape()[2], kind.classNames);
    }
}
