package nn.data;

import java.util.List;

/**
 * The data sets nn knows: where they come from, what their files must contain, and what their
 * classes are called. Both share MNIST's layout: 60,000 training and 10,000 test images of
 * 28x28 grey pixels, ten classes.
 */
public enum DatasetKind {
    MNIST("mnist", "mnist",
            List.of("https://ossci-datasets.s3.amazonaws.com/mnist/",
                    "https://storage.googleapis.com/cvdf-datasets/mnist/",
                    "http://yann.lecun.com/exdb/mnist/"),
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
            new DataFile("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 47040016),
            new DataFile("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 60008),
            new DataFile("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 7840016),
            new DataFile("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 10008)),
    FASHION("fashion", "fashion-mnist",
            List.of("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
            List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
            new DataFile("train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", 47040016),
            new DataFile("train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", 60008),
            new DataFile("t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", 7840016),
            new DataFile("t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", 10008));

    /** Every image of both data sets is this many pixels high and wide. */
    public static final int IMAGE_SIDE = 28;

    /** One file of a data set, pinned by the SHA-256 and size of its decompressed content. */
    public record DataFile(String name, String sha256, long size) {
        /** The name mirrors serve it under. */
        public String gzName() {
            return name + ".gz";
        }
    }

    /** The name used on the command line. */
    public final String id;
    /** The folder under the data directory (and under a mirror holding several data sets). */
    public final String folder;
    public final List<String> defaultMirrors;
    public final List<String> classNames;
    public final DataFile trainImages, trainLabels, testImages, testLabels;

    DatasetKind(String id, String folder, List<String> defaultMirrors, List<String> classNames,
                DataFile trainImages, DataFile trainLabels, DataFile testImages, DataFile testLabels) {
        this.id = id;
        this.folder = folder;
        this.defaultMirrors = defaultMirrors;
        this.classNames = classNames;
        this.trainImages = trainImages;
        this.trainLabels = trainLabels;
        this.testImages = testImages;
        this.testLabels = testLabels;
    }

    public List<DataFile> files() {
        return List.of(trainImages, trainLabels, testImages, testLabels);
    }

    public static DatasetKind fromId(String id) {
        for (DatasetKind kind : values()) {
            if (kind.id.equalsIgnoreCase(id) || kind.folder.equalsIgnoreCase(id)) return kind;
        }
        throw new IllegalArgumentException("unknown data set '" + id + "': expected mnist or fashion");
    }
}
