/**
 * {@code nn serve}: a local web app over the JDK's HTTP server. Draw a digit and see what the
 * network answers (with the 28x28 input it saw and a saliency map), browse the runs folder, and
 * watch a training's curves grow while {@code nn train} runs elsewhere.
 *
 * <p>Layering: this package sits at the top, beside {@code nn.cli}; it reads what the packages
 * below it write (checkpoints, {@code metrics.csv}, {@code report.json}) and only {@code nn.cli}
 * imports it.
 */
package nn.serve;
