package nn.data;

import java.util.Arrays;

import nn.model.Rng;

/**
 * A training set divided into the part the network learns from and a held-out validation
 * part used to choose settings and the best epoch (the test set is never used for that).
 */
public record Split(LabeledImages train, LabeledImages validation) {

    /** Holds out {@code validationSize} images chosen by a seeded shuffle; the same seed gives the same split. */
    public static Split of(LabeledImages all, int validationSize, long seed) {
        if (validationSize < 0 || validationSize >= all.size()) {
            throw new IllegalArgumentException("validation size " + validationSize + " must be between 0 and " + (all.size() - 1));
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
