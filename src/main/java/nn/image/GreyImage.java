package nn.image;

/** A grey image as floats, row-major; 0 is black, 1 is white unless a step says otherwise. */
public record GreyImage(int width, int height, float[] pixels) {
    public GreyImage {
        if (pixels.length != width * height) throw new IllegalArgumentException("pixels do not fit " + width + "x" + height);
    }

    public static GreyImage blank(int width, int height) {
        return new GreyImage(width, height, new float[width * height]);
    }

    public float get(int x, int y) {
        return pixels[y * width + x];
    }

    public void set(int x, int y, float v) {
        pixels[y * width + x] = v;
    }
}
