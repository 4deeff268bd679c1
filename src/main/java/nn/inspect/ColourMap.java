package nn.inspect;

import java.awt.Color;

/** Colour maps for pictures of numbers. */
public final class ColourMap {
    private ColourMap() {}

    /** Diverging: negative blue, zero white, positive red; {@code v} in [-1, 1]. */
    public static Color diverging(double v) {
        double t = Math.max(-1, Math.min(1, v));
        int fade = (int) Math.round(255 * (1 - Math.abs(t)));
        return t >= 0 ? new Color(255, fade, fade) : new Color(fade, fade, 255);
    }

    /** Sequential heat: black, red, yellow, white for {@code v} in [0, 1]. */
    public static Color heat(double v) {
        double t = Math.max(0, Math.min(1, v));
        int r = (int) Math.round(255 * Math.min(1, 3 * t));
        int g = (int) Math.round(255 * Math.max(0, Math.min(1, 3 * t - 1)));
        int b = (int) Math.round(255 * Math.max(0, 3 * t - 2));
        return new Color(r, g, b);
    }

    /** Grey: 0 black, 1 white. */
    public static Color grey(double v) {
        int g = (int) Math.round(255 * Math.max(0, Math.min(1, v)));
        return new Color(g, g, g);
    }
}
