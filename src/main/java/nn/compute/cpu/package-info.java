/**
 * The {@code cpu} engine: oneDNN and OpenBLAS called with host pointers ({@link nn.compute.cpu.Blas}),
 * oneDNN's convolution and pooling primitives for float layers ({@link nn.compute.cpu.OneDnn}), Java
 * loops over a tensor's memory (vectorised on Java-array copies, {@link nn.compute.cpu.Scratch}),
 * split over our own threads ({@link nn.compute.cpu.Team}). Each kernel keeps its plain float64
 * loops, the reference the gradient checks use, right above its fast float path (or, for
 * convolutions and pools, beside it in a class of its own, tested against it).
 */
package nn.compute.cpu;
