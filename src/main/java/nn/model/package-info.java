/**
 * The math of networks: layers with their forward and backward passes, the loss, the network,
 * model specs and inference. Layers compute through an {@link nn.compute.Engine} handed to them
 * at build time, and never touch a tensor's memory themselves.
 */
package nn.model;
