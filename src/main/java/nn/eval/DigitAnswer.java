package nn.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import nn.image.Box;

/**
 * The network's answer for one picture (or one digit of a number): the classes from likeliest
 * down, their probabilities and, with Monte-Carlo dropout, the spread of the top one. What
 * {@code nn predict --json} prints and {@code nn serve} answers.
 */
public record DigitAnswer(Integer[] order, float[] probabilities, Float std) {
    /** With Monte-Carlo dropout an answer is unsure when the top class's spread is over MAX_STD or its mean under MIN_CONFIDENCE. */
    public static final double MAX_STD = 0.1, MIN_CONFIDENCE = 0.7;

    /** The answer of these probabilities; {@code spread} the Monte-Carlo standard deviations, or null. */
    public static DigitAnswer of(float[] probabilities, float[] spread) {
        Integer[] order = new Integer[probabilities.length];
        for (int k = 0; k < order.length; k++) order[k] = k;
        Arrays.sort(order, (a, b) -> Float.compare(probabilities[b], probabilities[a]));
        return new DigitAnswer(order, probabilities, spread == null ? null : spread[order[0]]);
    }

    public int best() {
        return order[0];
    }

    public float confidence() {
        return probabilities[order[0]];
    }

    public boolean unsure() {
        return std != null && (std > MAX_STD || confidence() < MIN_CONFIDENCE);
    }

    /** Whether the classes are the digits 0-9 by name; other data sets (Fashion) get labels beside the numbers. */
    public static boolean digitClasses(List<String> names) {
        for (int k = 0; k < names.size(); k++) if (!names.get(k).equals(String.valueOf(k))) return false;
        return names.size() == 10;
    }

    /** {"prediction", ["label",] "confidence", "top": [{"class", ["label",] "probability"}], ["uncertainty"]}: classes as numbers. */
    public Map<String, Object> json(List<String> names, int top, int passes) {
        boolean labels = !digitClasses(names);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("prediction", best());
        if (labels) o.put("label", names.get(best()));
        o.put("confidence", confidence());
        List<Map<String, Object>> likeliest = new ArrayList<>();
        for (int k = 0; k < Math.min(top, order.length); k++) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("class", order[k]);
            if (labels) c.put("label", names.get(order[k]));
            c.put("probability", probabilities[order[k]]);
            likeliest.add(c);
        }
        o.put("top", likeliest);
        if (std != null) o.put("uncertainty", Map.of("passes", passes, "std", std, "unsure", unsure()));
        return o;
    }

    /** The digits read left to right, as a string (leading zeros kept). */
    public static String number(List<DigitAnswer> digits) {
        StringBuilder n = new StringBuilder();
        for (DigitAnswer a : digits) n.append(a.best());
        return n.toString();
    }

    /** A number's confidence: the product of its digits' (each must be right). */
    public static float confidence(List<DigitAnswer> digits) {
        float c = 1;
        for (DigitAnswer a : digits) c *= a.confidence();
        return c;
    }

    /** {"number", "confidence", "digits": [{DigitAnswer's fields, "box": [x, y, w, h]}]} of digits found side by side. */
    public static Map<String, Object> numberJson(List<DigitAnswer> digits, List<Box> boxes, List<String> names, int top, int passes) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("number", number(digits));
        o.put("confidence", confidence(digits));
        List<Map<String, Object>> each = new ArrayList<>();
        for (int d = 0; d < digits.size(); d++) {
            Map<String, Object> digit = digits.get(d).json(names, top, passes);
            Box b = boxes.get(d);
            digit.put("box", List.of(b.x(), b.y(), b.w(), b.h()));
            each.add(digit);
        }
        o.put("digits", each);
        return o;
    }
}
