package nn.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tensor's element accessors mean the same whether it has a direct view of host memory (the
 * CPU backend) or goes through ND4J ({@link Tensor.Device}, as on CUDA; built directly here).
 */
class TensorTest {
    @Test
    void deviceTensorsReadAndWriteLikeHostOnes() {
        assertTrue(Tensor.HOST_MEMORY, "the tests run on the CPU backend");
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            Tensor host = Tensor.zeros(type, 3, 4), device = new Tensor.Device(Nd4j.create(type, 3, 4));
            for (Tensor t : new Tensor[] {host, device}) {
                t.fill(i -> i * 0.5);
                t.set(5, -2);
                t.add(5, 0.5);
                t.copyFrom(new float[] {9, 8, 7}, 1, 10, 2);
            }
            float[] a = new float[12], b = new float[12];
            host.copyTo(0, a, 0, 12);
            device.copyTo(0, b, 0, 12);
            assertArrayEquals(a, b, type.toString());
            assertEquals(-1.5, device.get(5));
            assertEquals(7, device.get(11));
            Tensor other = new Tensor.Device(Nd4j.create(type, 3, 4));
            other.copyFrom(host, 2, 0, 5);
            for (int i = 0; i < 5; i++) assertEquals(host.get(2 + i), other.get(i));
        }
    }
}
