package nn.random;

/**
 * The one source of randomness in a run (SplitMix64). Its whole state is one long, so a
 * checkpoint can store it and a resumed run draws exactly the numbers the uninterrupted run
 * would have drawn.
 *
 * <p>It lives at the ground of the package layering because everything draws from it: the
 * data split ({@code nn.data}), the engines' random fills ({@code nn.compute}), initialisation
 * and dropout ({@code nn.model}), shuffles and augmentation ({@code nn.train}).
 */
public final class Rng {
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    public long state() {
        return state;
    }

    public void setState(long state) {
        this.state = state;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        return (int) Math.floorMod(nextLong(), (long) bound);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Standard normal (Box-Muller; one pair per call, the second value is dropped to keep the state one long). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** Fisher-Yates shuffle of 0..n-1. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
