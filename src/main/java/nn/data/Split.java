package nn.data;

import java.util.Arrays;

import nn.random.Rng;

/**
 * A training set divided into the part the network learns from and a held-out validation
 * part used to choose settings and the best epoch (the test set is never used for that).
 */
public record Split(LabeledImages train, LabeledImages validation) {

    /**
     * The split a training run uses, so eval and prune can rebuild it from a checkpoint: the
     * first {@code limit} images (all when negative), {@code validationSize} of them held out
     * with the seed (none when 0).
     */
    public static Split ofRun(LabeledImages all, int limit, int validationSize, long seed) {
        LabeledImages used = limit >= 0 ? all.first(limit) : all;
        return validationSize > 0 ? of(used, validationSize, seed) : new Split(used, null);
    }

    /** Holds out {@code validationSize} images chosen by a seeded shuffle; the same seed gives the same split. */
    public static Split of(LabeledImages all, int validationSize, long seed) {
        if (validationSize < 0 || validationSize >= all.size()) {
            throw new IllegalArgumentException("a validation split of " + validationSize + " leaves no training images out of " + all.size());
        }
        int[] order = new Rng(seed).permutation(all.size());
        int[] validation = Arrays.copyOfRange(order, 0, validationSize);
        int[] train = Arrays.copyOfRange(order, validationSize, order.length);
        // Keep the original order inside each part: it makes slices and debugging predictable.
        Arrays.sort(validation);
        Arrays.sort(train);
        return new Split(all.select(train), all.select(validation));
    }
}
