/**
 * The {@code nd4j} engine: ND4J operations only ({@code Nd4j.gemm}, declarable ops such as
 * conv2d, maxpool2d, batchnorm and their backward ops, element-wise, reduction and random
 * ops), built once per set of arrays and executed again ({@link nn.compute.nd4j.Ops}). No host
 * pointers and no Java loops over an array's values, so it runs unchanged on ND4J's CUDA backend.
 */
package nn.compute.nd4j;
