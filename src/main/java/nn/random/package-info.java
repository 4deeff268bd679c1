/** The seeded random stream everything draws from; at the ground of the layering. */
package nn.random;
