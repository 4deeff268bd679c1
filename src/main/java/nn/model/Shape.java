package nn.model;

/**
 * The shape of one example as it flows through the network: height x width x channels.
 * Images are stored channels-last (NHWC), so a dense layer's features are simply 1x1xF and
 * flattening a feature map costs nothing.
 */
public record Shape(int height, int width, int channels) {
    public Shape {
        if ((long) height * width * channels > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a " + height + "x" + width + "x" + channels + " feature map is too large");
        }
    }

    public static Shape features(int n) {
        return new Shape(1, 1, n);
    }

    public int size() {
        return height * width * channels;
    }

    public boolean isFlat() {
        return height == 1 && width == 1;
    }

    @Override
    public String toString() {
        return isFlat() ? String.valueOf(channels) : height + "x" + width + "x" + channels;
    }
}
