package nn.compute;

/** A pool's input and window: size x size windows `stride` apart, no padding, NHWC. */
public record PoolGeometry(int inH, int inW, int channels, int size, int stride) {
    public int outH() {
        return (inH - size) / stride + 1;
    }

    public int outW() {
        return (inW - size) / stride + 1;
    }
}
