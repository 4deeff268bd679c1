/**
 * The arithmetic under the layers: {@link nn.compute.Engine}, the interface layers and
 * optimisers are written against, {@link nn.compute.Tensor}, and one subpackage per engine
 * ({@code cpu}: the fast path on host memory; {@code nd4j}: ND4J operations only, which run on
 * CUDA). A third engine is a third subpackage implementing {@code Engine}, plus a constant in
 * {@link nn.compute.Engines.Kind}. Nothing here knows about layers or networks.
 */
package nn.compute;
