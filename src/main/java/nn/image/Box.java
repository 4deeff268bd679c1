package nn.image;

/** A rectangle of pixels: x, y of its top-left corner, its width and height. */
public record Box(int x, int y, int w, int h) {
    public int right() {
        return x + w;
    }

    public int bottom() {
        return y + h;
    }

    public Box union(Box o) {
        int x0 = Math.min(x, o.x), y0 = Math.min(y, o.y);
        return new Box(x0, y0, Math.max(right(), o.right()) - x0, Math.max(bottom(), o.bottom()) - y0);
    }

    /** How many columns the two boxes share. */
    public int overlapX(Box o) {
        return Math.max(0, Math.min(right(), o.right()) - Math.max(x, o.x));
    }

    /** How many rows the two boxes share. */
    public int overlapY(Box o) {
        return Math.max(0, Math.min(bottom(), o.bottom()) - Math.max(y, o.y));
    }
}
