package nn.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import nn.image.DigitFinder.Glyph;
import org.junit.jupiter.api.Test;

/** Each step of finding the digits, on small hand-made pictures ('#' is ink). */
class DigitFinderTest {
    static GreyImage picture(String... rows) {
        GreyImage g = GreyImage.blank(rows[0].length(), rows.length);
        for (int y = 0; y < rows.length; y++) for (int x = 0; x < rows[y].length(); x++) if (rows[y].charAt(x) == '#') g.set(x, y, 1);
        return g;
    }

    private static List<Box> boxes(List<Glyph> glyphs) {
        return glyphs.stream().map(Glyph::box).toList();
    }

    @Test
    void piecesTouchingTheEdgeGoWhenADigitStandsClearOfThem() {
        GreyImage g = picture(
                "##..........",
                "##....##....",
                "##...#..#...",
                "##......#...",
                "##.....#....",
                "##....####..",
                "##..........",
                "############");   // a table along two sides, a 2 in the middle
        InkComponents ink = new InkComponents(g);
        List<InkComponents.Component> kept = DigitFinder.withoutEdgePieces(ink.components, g.height());
        assertEquals(1, kept.size());
        assertEquals(new Box(5, 1, 5, 5), kept.get(0).box());
    }

    @Test
    void aDigitCroppedTightlyIsKeptThoughItTouchesTheEdge() {
        GreyImage g = picture(
                ".###......",
                "#...#.....",
                "....#.....",
                "....#.....",
                "....#...#.",
                "...#......",
                "..#.......",
                ".#........",
                "#.........",
                "#.........",
                "#####.....");   // a 2 touching the edges, and a speck
        InkComponents ink = new InkComponents(g);
        assertEquals(2, DigitFinder.withoutEdgePieces(ink.components, g.height()).size());
    }

    @Test
    void specksGo() {
        GreyImage g = picture(
                "..######....",
                "..#....#....",
                "..#....#..#.",
                "..#....#....",
                "..######....");
        List<InkComponents.Component> kept = DigitFinder.withoutSpecks(new InkComponents(g).components);
        assertEquals(List.of(new Box(2, 0, 6, 5)), kept.stream().map(InkComponents.Component::box).toList());
    }

    @Test
    void piecesInTheSameColumnsAreOneDigitAndDigitsComeLeftToRight() {
        GreyImage g = picture(
                "..........####.",
                ".#............",
                "##.......#....",
                ".#.......###..",
                ".#..........#.",
                ".#.......###..");   // a 1, and a 5 whose top bar is detached
        List<Glyph> glyphs = DigitFinder.groupByColumns(new InkComponents(g).components);
        assertEquals(List.of(new Box(0, 1, 2, 5), new Box(9, 0, 5, 6)), boxes(glyphs));
    }

    @Test
    void onlyDigitsInTheRowOfTheLargestCount() {
        GreyImage g = picture(
                "...........#",
                ".#...###....",
                "##...#.#....",
                ".#...###....",
                ".#.....#....",
                ".#...###....",
                "..........#.",
                "..........#.");   // a 1 and a 9 in a row; a dot above it, a mark below it
        List<Glyph> row = DigitFinder.inOneRow(DigitFinder.groupByColumns(new InkComponents(g).components));
        assertEquals(List.of(new Box(0, 1, 2, 5), new Box(5, 1, 3, 5)), boxes(row));
    }

    @Test
    void touchingDigitsAreSplitWhereTheInkIsThinnest() {
        GreyImage g = picture(
                "###...###",
                "#.#...#.#",
                "#.#####.#",
                "#.#...#.#",
                "###...###");   // two 0s joined by a stroke
        InkComponents ink = new InkComponents(g);
        Glyph joined = DigitFinder.groupByColumns(ink.components).get(0);
        List<Glyph> parts = DigitFinder.splitTouching(joined, 5, ink.labels, g.width());
        assertEquals(2, parts.size());
        assertEquals(new Box(0, 0, 3, 5), parts.get(0).box());
        assertEquals(6, parts.get(1).box().right() - 3);
        assertEquals(5, parts.get(1).box().h());
    }

    @Test
    void aWideDigitWithAFlatStrokeIsNotSplit() {
        GreyImage g = picture(
                "###......",
                "#.#......",
                "###......",
                "..#......",
                "#########");   // a 9 whose tail runs off to the right
        InkComponents ink = new InkComponents(g);
        Glyph nine = DigitFinder.groupByColumns(ink.components).get(0);
        assertEquals(1, DigitFinder.splitTouching(nine, 5, ink.labels, g.width()).size());
    }
}
