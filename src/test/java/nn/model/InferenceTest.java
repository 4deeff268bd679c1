package nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engines;
import nn.data.LabeledImages;
import nn.data.RealData;
import nn.random.Rng;

/** A data set kept as grey levels is scored, a batch at a time, exactly as the same images given as floats. */
class InferenceTest {
    @Test
    void aDataSetScoresAsItsFloatsDo() throws IOException {
        LabeledImages images = RealData.test().first(1234);   // 9 batches of 128 and a last one of 82
        Network net = ModelSpec.of("dense(32),relu").build(DataType.FLOAT, Engines.current());
        net.initialize(new Rng(1));
        assertArrayEquals(Inference.probabilities(net, images.toFloats(), images.size()), Inference.probabilities(net, images));
    }
}
