package nn.data;

import java.util.Arrays;

/**
 * The content of an IDX file of unsigned bytes: its dimensions and its values in row-major order.
 * This is the only element type MNIST and Fashion-MNIST use.
 */
public record IdxArray(int[] shape, byte[] data) {
    public IdxArray {
        if (shape.length == 0) throw new IllegalArgumentException("an IDX array needs at least one dimension");
        long n = 1;
        for (int d : shape) {
            if (d <= 0) throw new IllegalArgumentException("dimensions must be positive: " + Arrays.toString(shape));
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, data has " + data.length);
        }
    }

    /** Number of items along the first dimension (images or labels). */
    public int count() {
        return shape[0];
    }

    /** Values per item: 28*28 for MNIST images, 1 for labels. */
    public int itemSize() {
        return data.length / shape[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxArray other && Arrays.equals(shape, other.shape) && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "IdxArray" + Arrays.toString(shape);
    }
}
