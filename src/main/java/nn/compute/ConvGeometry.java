package nn.compute;

/** A convolution's input, kernel and output sizes: k x k x C windows, `filters` outputs, NHWC. */
public record ConvGeometry(int inH, int inW, int inC, int filters, int kernel, int stride, int padding) {
    public int outH() {
        return (inH + 2 * padding - kernel) / stride + 1;
    }

    public int outW() {
        return (inW + 2 * padding - kernel) / stride + 1;
    }

    /** Values in one receptive field: k·k·C, the rows of W. */
    public int patch() {
        return kernel * kernel * inC;
    }
}
