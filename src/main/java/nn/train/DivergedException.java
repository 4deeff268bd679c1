package nn.train;

/** Training produced a non-finite loss or parameter: the run stops there rather than save a broken model. */
public final class DivergedException extends RuntimeException {
    public DivergedException(int epoch, long step, String what, double learningRate) {
        super(String.format("training diverged in epoch %d at step %d: %s; try a lower --lr (this run used %s)",
                epoch, step, what, learningRate));
    }

    /** The same failure, with what the run kept. */
    public DivergedException(DivergedException failure, String kept) {
        super(failure.getMessage() + "; " + kept);
    }
}
