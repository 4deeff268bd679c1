package nn.image;

import java.util.ArrayList;
import java.util.List;

/** The connected pieces of ink (values above 0, 8-neighbour) of a picture, labelled 1, 2, ... */
final class InkComponents {
    /** One piece: its label, bounding box, pixel count, and whether it reaches the picture's edge. */
    record Component(int label, Box box, int size, boolean touchesBorder) {}

    /** Per pixel, the label of its piece, 0 for no ink. */
    final int[] labels;
    final List<Component> components = new ArrayList<>();

    InkComponents(GreyImage ink) {
        int w = ink.width(), h = ink.height();
        float[] v = ink.pixels();
        labels = new int[w * h];
        int[] stack = new int[w * h];
        for (int start = 0; start < w * h; start++) {
            if (labels[start] != 0 || v[start] <= 0) continue;
            int label = components.size() + 1, size = 0, top = 0;
            int x0 = w, y0 = h, x1 = -1, y1 = -1;
            stack[top++] = start;
            labels[start] = label;
            while (top > 0) {
                int p = stack[--top], px = p % w, py = p / w;
                size++;
                x0 = Math.min(x0, px);
                y0 = Math.min(y0, py);
                x1 = Math.max(x1, px);
                y1 = Math.max(y1, py);
                for (int ny = Math.max(0, py - 1); ny <= Math.min(h - 1, py + 1); ny++) {
                    for (int nx = Math.max(0, px - 1); nx <= Math.min(w - 1, px + 1); nx++) {
                        int q = ny * w + nx;
                        if (labels[q] == 0 && v[q] > 0) {
                            labels[q] = label;
                            stack[top++] = q;
                        }
                    }
                }
            }
            boolean border = x0 == 0 || y0 == 0 || x1 == w - 1 || y1 == h - 1;
            components.add(new Component(label, new Box(x0, y0, x1 - x0 + 1, y1 - y0 + 1), size, border));
        }
    }
}
