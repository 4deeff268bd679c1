package nn.image;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import nn.image.InkComponents.Component;

/**
 * Finds the digits among the pieces of ink of a cleaned picture, left to right. Each step is one
 * method: what touches the picture's edge goes (a sheet's edge, the table, a shadow) when a
 * digit-sized piece stands free of it; specks go; pieces stacked in the same columns are one digit
 * (a 5 with a detached top); only digits in the row of the largest one count; a digit far wider
 * than the row's digits are tall is two touching digits, split at the column with the least ink.
 */
final class DigitFinder {
    /** A piece at least this tall (a fraction of the picture's height) clear of the edge is a digit. */
    static final double DIGIT_HEIGHT = 0.1;
    /** Pieces smaller than this fraction of the largest are specks. */
    static final double SPECK = 0.08;
    /** Pieces sharing at least this fraction of the narrower one's columns belong to one digit. */
    static final double SAME_DIGIT = 0.5;
    /** A digit of the row is at least this fraction of the largest digit's height. */
    static final double ROW_HEIGHT = 0.4;
    /** Wider than this times its height: touching digits (0.7% of MNIST's digits are wider than 1.4 times their height). */
    static final double WIDE = 1.4;

    /** One digit: its box in the picture and the labels of the pieces of ink it is made of. */
    record Glyph(Box box, Set<Integer> labels, int size) {
        Glyph merge(Glyph o) {
            Set<Integer> both = new HashSet<>(labels);
            both.addAll(o.labels);
            return new Glyph(box.union(o.box), both, size + o.size);
        }
    }

    private DigitFinder() {}

    /** The digits of the picture whose pieces of ink are given, left to right. */
    static List<Glyph> digits(InkComponents ink, int width, int height) {
        List<Glyph> row = inOneRow(groupByColumns(withoutSpecks(withoutEdgePieces(ink.components, height))));
        List<Glyph> digits = new ArrayList<>();
        int rowHeight = row.stream().mapToInt(g -> g.box().h()).max().orElse(0);
        for (Glyph g : row) digits.addAll(splitTouching(g, rowHeight, ink.labels, width));
        return digits;
    }

    /** Drops the pieces that touch the picture's edge, if a digit-sized piece stands clear of it (else a tight crop). */
    static List<Component> withoutEdgePieces(List<Component> pieces, int height) {
        List<Component> inside = pieces.stream().filter(c -> !c.touchesBorder()).toList();
        return inside.stream().anyMatch(c -> c.box().h() >= DIGIT_HEIGHT * height) ? inside : pieces;
    }

    /** Drops pieces tiny next to the largest. */
    static List<Component> withoutSpecks(List<Component> pieces) {
        int largest = pieces.stream().mapToInt(Component::size).max().orElse(0);
        return pieces.stream().filter(c -> c.size() >= SPECK * largest).toList();
    }

    /** Pieces that share most of their columns are one digit; the digits come out left to right. */
    static List<Glyph> groupByColumns(List<Component> pieces) {
        List<Glyph> glyphs = new ArrayList<>();
        for (Component c : pieces) glyphs.add(new Glyph(c.box(), Set.of(c.label()), c.size()));
        boolean merged = true;
        while (merged) {
            merged = false;
            for (int i = 0; i < glyphs.size() && !merged; i++) {
                for (int j = i + 1; j < glyphs.size() && !merged; j++) {
                    Box a = glyphs.get(i).box(), b = glyphs.get(j).box();
                    if (a.overlapX(b) >= SAME_DIGIT * Math.min(a.w(), b.w())) {
                        glyphs.set(i, glyphs.get(i).merge(glyphs.remove(j)));
                        merged = true;
                    }
                }
            }
        }
        glyphs.sort(Comparator.comparingInt(g -> g.box().x()));
        return glyphs;
    }

    /** The digits in the row of the largest one: not much shorter than it, and level with it. */
    static List<Glyph> inOneRow(List<Glyph> glyphs) {
        Glyph largest = glyphs.stream().max(Comparator.comparingInt(Glyph::size)).orElse(null);
        if (largest == null) return glyphs;
        return glyphs.stream().filter(g -> g.box().h() >= ROW_HEIGHT * largest.box().h()
                && g.box().overlapY(largest.box()) >= 0.5 * Math.min(g.box().h(), largest.box().h())).toList();
    }

    /**
     * A glyph much wider than the row's digits are tall is cut at its thinnest column near the middle, and
     * the parts again while still too wide; unless a part would be far shorter than a digit.
     */
    static List<Glyph> splitTouching(Glyph g, int height, int[] labels, int width) {
        Box b = g.box();
        if (b.w() <= WIDE * height) return List.of(g);
        int cut = -1, least = Integer.MAX_VALUE;
        for (int x = b.x() + Math.max(1, (int) (0.3 * b.w())); x < b.x() + Math.ceil(0.7 * b.w()); x++) {
            int ink = 0;
            for (int y = b.y(); y < b.bottom(); y++) if (g.labels().contains(labels[y * width + x])) ink++;
            if (ink < least) {
                least = ink;
                cut = x;
            }
        }
        Glyph left = tighten(g, b.x(), cut, labels, width), right = tighten(g, cut, b.right(), labels, width);
        if (Math.min(left.box().h(), right.box().h()) < ROW_HEIGHT * height) return List.of(g);   // a stroke running off a digit
        List<Glyph> parts = new ArrayList<>(splitTouching(left, height, labels, width));
        parts.addAll(splitTouching(right, height, labels, width));
        return parts;
    }

    /** The part of g in columns [x0, x1), its box shrunk to its ink. */
    private static Glyph tighten(Glyph g, int x0, int x1, int[] labels, int width) {
        int top = Integer.MAX_VALUE, bottom = -1, left = Integer.MAX_VALUE, right = -1, size = 0;
        for (int y = g.box().y(); y < g.box().bottom(); y++) {
            for (int x = x0; x < x1; x++) {
                if (!g.labels().contains(labels[y * width + x])) continue;
                top = Math.min(top, y);
                bottom = Math.max(bottom, y);
                left = Math.min(left, x);
                right = Math.max(right, x);
                size++;
            }
        }
        return new Glyph(new Box(left, top, right - left + 1, bottom - top + 1), g.labels(), size);
    }
}
