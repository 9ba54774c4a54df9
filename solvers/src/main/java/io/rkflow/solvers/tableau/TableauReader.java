package io.rkflow.solvers.tableau;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a user's Butcher tableau from a small file, text or JSON (by the first non-blank
 * character), and validates it like every catalogue tableau. Numbers may be decimals or
 * fractions such as {@code 1/6} (in JSON, as strings).
 *
 * <p>Text: {@code key = value} lines for {@code name}, {@code order}, and optionally
 * {@code embedded_order} and {@code citation}; then the Butcher array, one row
 * {@code c_i | a_i1 ... a_is} per stage, a line of dashes, the weights {@code | b_1 ... b_s} and
 * optionally the embedded weights {@code | b̂_1 ... b̂_s}. {@code #} starts a comment.
 * <pre>
 *   name = ralston2
 *   order = 2
 *     0 |   0   0
 *   2/3 | 2/3   0
 *   ----+--------
 *       | 1/4 3/4
 * </pre>
 * JSON: {@code {"name": "ralston2", "order": 2, "c": [0, "2/3"], "a": [[0, 0], ["2/3", 0]],
 * "b": ["1/4", "3/4"]}} with optional {@code "bHat"}, {@code "embeddedOrder"}, {@code "citation"}.
 */
public final class TableauReader {

    private TableauReader() {}

    /**
     * Reads and validates the tableau in {@code file}.
     *
     * @throws IllegalArgumentException naming the file, the line and what is wrong
     * @throws IOException when the file cannot be read
     */
    public static ButcherTableau read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses and validates a tableau from text or JSON. */
    public static ButcherTableau parse(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("the tableau file is empty");
        }
        return trimmed.charAt(0) == '{' ? parseJson(trimmed) : parseText(text);
    }

    private static ButcherTableau parseText(String text) {
        String name = null;
        Integer order = null;
        int embeddedOrder = 0;
        String citation = "";
        List<double[]> aRows = new ArrayList<>();
        List<Double> c = new ArrayList<>();
        List<double[]> weights = new ArrayList<>();
        boolean afterRule = false;
        String[] lines = text.split("\\R", -1);
        for (int ln = 0; ln < lines.length; ln++) {
            String where = "line " + (ln + 1);
            String line = lines[ln];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq >= 0 && line.indexOf('|') < 0) {
                String key = line.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                String value = line.substring(eq + 1).strip();
                switch (key) {
                    case "name" -> name = value;
                    case "order" -> order = integer(value, where + ": order");
                    case "embedded_order", "embedded-order", "embeddedorder" ->
                            embeddedOrder = integer(value, where + ": embedded_order");
                    case "citation" -> citation = value;
                    default -> throw new IllegalArgumentException(where + ": unknown key '" + key
                            + "'; valid: name, order, embedded_order, citation");
                }
                continue;
            }
            if (line.matches("[-+=\\s]+")) {
                afterRule = true;
                continue;
            }
            int bar = line.indexOf('|');
            if (bar < 0) {
                throw new IllegalArgumentException(where + ": expected 'c | a_i1 ... a_is', '| weights', a line of"
                        + " dashes or 'key = value', got '" + line + "'");
            }
            String left = line.substring(0, bar).strip();
            double[] right = numbers(line.substring(bar + 1).strip(), where);
            if (afterRule) {
                if (!left.isEmpty()) {
                    throw new IllegalArgumentException(where + ": a weights row has nothing left of '|', got '"
                            + left + "'");
                }
                weights.add(right);
            } else {
                c.add(number(left, where + ": c"));
                aRows.add(right);
            }
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("missing 'name = ...'");
        }
        if (order == null) {
            throw new IllegalArgumentException("missing 'order = ...'");
        }
        if (aRows.isEmpty()) {
            throw new IllegalArgumentException("no rows 'c_i | a_i1 ... a_is' of the Butcher array");
        }
        if (weights.isEmpty() || weights.size() > 2) {
            throw new IllegalArgumentException("expected one weights row '| b' (and optionally '| b̂') below the line"
                    + " of dashes, found " + weights.size());
        }
        double[] cs = c.stream().mapToDouble(Double::doubleValue).toArray();
        return new ButcherTableau(name, order, aRows.toArray(double[][]::new), weights.get(0), cs,
                weights.size() == 2 ? weights.get(1) : null, embeddedOrder, citation);
    }

    private static ButcherTableau parseJson(String text) {
        Object parsed = new MiniJson(text).parse();
        if (!(parsed instanceof java.util.Map<?, ?> map)) {
            throw new IllegalArgumentException("JSON: expected an object");
        }
        for (Object key : map.keySet()) {
            if (!List.of("name", "order", "embeddedOrder", "citation", "a", "b", "c", "bHat").contains(key)) {
                throw new IllegalArgumentException("JSON: unknown key '" + key
                        + "'; valid: name, order, embeddedOrder, citation, a, b, c, bHat");
            }
        }
        String name = string(map.get("name"), "name");
        int order = (int) number(required(map, "order"), "order");
        int embeddedOrder = map.containsKey("embeddedOrder") ? (int) number(map.get("embeddedOrder"), "embeddedOrder")
                : 0;
        String citation = map.containsKey("citation") ? string(map.get("citation"), "citation") : "";
        List<?> aList = list(required(map, "a"), "a");
        double[][] a = new double[aList.size()][];
        for (int i = 0; i < a.length; i++) {
            a[i] = vector(aList.get(i), "a[" + i + "]");
        }
        double[] bHat = map.containsKey("bHat") ? vector(map.get("bHat"), "bHat") : null;
        return new ButcherTableau(name, order, a, vector(required(map, "b"), "b"), vector(required(map, "c"), "c"),
                bHat, embeddedOrder, citation);
    }

    private static Object required(java.util.Map<?, ?> map, String key) {
        if (!map.containsKey(key)) {
            throw new IllegalArgumentException("JSON: missing \"" + key + "\"");
        }
        return map.get(key);
    }

    private static String string(Object o, String what) {
        if (!(o instanceof String s)) {
            throw new IllegalArgumentException("JSON: \"" + what + "\" must be a string");
        }
        return s;
    }

    private static List<?> list(Object o, String what) {
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException("JSON: \"" + what + "\" must be an array");
        }
        return l;
    }

    private static double[] vector(Object o, String what) {
        List<?> l = list(o, what);
        double[] v = new double[l.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = number(l.get(i), what + "[" + i + "]");
        }
        return v;
    }

    private static double number(Object o, String what) {
        if (o instanceof Double d) {
            return d;
        }
        if (o instanceof String s) {
            return number(s, "JSON: \"" + what + "\"");
        }
        throw new IllegalArgumentException("JSON: \"" + what + "\" must be a number or a fraction string");
    }

    private static double[] numbers(String s, String where) {
        if (s.isEmpty()) {
            return new double[0];
        }
        String[] parts = s.split("[\\s,]+");
        double[] v = new double[parts.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = number(parts[i], where + ", entry " + (i + 1));
        }
        return v;
    }

    /** A decimal or a fraction p/q. */
    static double number(String s, String where) {
        try {
            int slash = s.indexOf('/');
            if (slash < 0) {
                return Double.parseDouble(s);
            }
            double q = Double.parseDouble(s.substring(slash + 1));
            if (q == 0) {
                throw new IllegalArgumentException(where + ": '" + s + "' divides by zero");
            }
            return Double.parseDouble(s.substring(0, slash)) / q;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": '" + s + "' is not a number (decimal or p/q)");
        }
    }

    private static int integer(String s, String where) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": '" + s + "' is not an integer");
        }
    }
}
