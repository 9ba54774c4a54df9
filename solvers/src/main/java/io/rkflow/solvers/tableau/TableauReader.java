package io.rkflow.solvers.tableau;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Reads a user's Butcher tableau from a small file, text or JSON (JSON when the first non-blank
 * character is <code>{</code> or {@code [}), and validates it like every catalogue tableau, order
 * conditions included. Numbers may be decimals or fractions such as {@code 1/6} (in JSON, as
 * strings). The file must be UTF-8 text of at most {@value #MAX_BYTES} bytes; anything else (an
 * image, an archive) is refused as not a tableau file.
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
 * "b": ["1/4", "3/4"]}} with optional {@code "bHat"}, {@code "embeddedOrder"}, {@code "citation"};
 * strict JSON (no comments, no duplicate keys, nothing after the object, at most
 * {@value #MAX_JSON_DEPTH} levels of nesting) except that numbers may also be written {@code .5},
 * {@code 5.}, {@code +5} or {@code 05}.
 */
public final class TableauReader {

    /** The largest tableau file read: a 35-stage method with 30-digit coefficients is about 40 kB. */
    public static final int MAX_BYTES = 1 << 20;

    /** The deepest JSON nesting accepted; a tableau needs 2 (the object and the rows of A). */
    public static final int MAX_JSON_DEPTH = 64;

    private static final List<String> JSON_KEYS = List.of("name", "order", "embeddedOrder", "citation", "a", "b",
            "c", "bHat");

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build())
                    .build())
            .enable(JsonReadFeature.ALLOW_LEADING_DECIMAL_POINT_FOR_NUMBERS,
                    JsonReadFeature.ALLOW_TRAILING_DECIMAL_POINT_FOR_NUMBERS,
                    JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS,
                    JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private TableauReader() {}

    /**
     * Whether {@code token} names a tableau file rather than a catalogue tableau: it contains a
     * path separator ({@code /}, or the platform's) or ends in {@code .json}, {@code .txt} or
     * {@code .tab} (any case). The optimizer grammar reads such a method as a file; the format is
     * still told by the file's content, not by its extension.
     */
    public static boolean looksLikePath(String token) {
        String t = token.strip().toLowerCase(Locale.ROOT);
        return t.indexOf('/') >= 0 || t.indexOf(File.separatorChar) >= 0 || t.endsWith(".json")
                || t.endsWith(".txt") || t.endsWith(".tab");
    }

    /**
     * Reads and validates the tableau in {@code file}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong: it does not exist, is a
     *     directory, is not a text/JSON file, is malformed (with the line), or its coefficients
     *     fail a check (with the condition)
     * @throws IOException naming the file when it exists but cannot be read
     */
    public static ButcherTableau read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(file + ": no such tableau file");
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + ": is a directory, not a tableau file");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": is not a regular file (a device or a pipe?), not a tableau"
                    + " file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such tableau file", e);
        } catch (IOException e) {
            String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                    : e.getClass().getSimpleName();
            throw new IOException(file + ": cannot be read (" + reason + ")", e);
        }
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException(file + ": is over " + MAX_BYTES + " bytes, not a tableau text/JSON file"
                    + " (those are a few kB)");
        }
        try {
            return parse(utf8(bytes));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses and validates a tableau from text or JSON. */
    public static ButcherTableau parse(String text) {
        if (text.startsWith("\uFEFF")) { // a byte-order mark, as some editors write
            text = text.substring(1);
        }
        requireText(text);
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("the tableau file is empty");
        }
        char first = trimmed.charAt(0);
        return first == '{' || first == '[' ? parseJson(text) : parseText(text);
    }

    /** Decodes strict UTF-8, refusing what is not text. */
    private static String utf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw notText(String.format(Locale.ROOT, "byte 0x%02x at offset %d is not UTF-8 text",
                    bytes[in.position()] & 0xff, in.position()));
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /** Refuses control characters other than tab, line feed, carriage return and form feed: binary data. */
    private static void requireText(String text) {
        int line = 1;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\n') {
                line++;
            } else if ((ch < 0x20 && ch != '\t' && ch != '\r' && ch != '\f') || ch == 0x7f) {
                throw notText(String.format(Locale.ROOT, "line %d holds the control character U+%04X", line,
                        (int) ch));
            }
        }
    }

    private static IllegalArgumentException notText(String detail) {
        return new IllegalArgumentException("not a tableau text/JSON file: " + detail
                + " (binary data, e.g. an image or an archive?)");
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
                    case "order" -> order = wholeNumber(value, where + ": order");
                    case "embedded_order", "embedded-order", "embeddedorder" ->
                            embeddedOrder = wholeNumber(value, where + ": embedded_order");
                    case "citation" -> citation = value;
                    default -> throw new IllegalArgumentException(where + ": unknown key '" + shorten(key)
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
                        + " dashes or 'key = value', got '" + shorten(line) + "'");
            }
            String left = line.substring(0, bar).strip();
            double[] right = numbers(line.substring(bar + 1).strip(), where);
            if (afterRule) {
                if (!left.isEmpty()) {
                    throw new IllegalArgumentException(where + ": a weights row has nothing left of '|', got '"
                            + shorten(left) + "'");
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
        JsonNode root;
        try (JsonParser parser = JSON.createParser(text)) {
            root = JSON.readTree(parser);
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("JSON: text after the end of the tableau's object"
                        + at(parser.currentTokenLocation()));
            }
        } catch (JsonProcessingException e) {
            throw jsonError(e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading JSON from a string", e); // a string does not fail to read
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("JSON: expected an object {\"name\": ..., \"order\": ..., \"a\": ...,"
                    + " \"b\": ..., \"c\": ...}, got " + kind(root));
        }
        for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!JSON_KEYS.contains(key)) {
                throw new IllegalArgumentException("JSON: unknown key '" + shorten(key) + "'; valid: "
                        + String.join(", ", JSON_KEYS));
            }
        }
        String name = string(required(root, "name"), "name");
        int order = wholeNumber(required(root, "order"), "order");
        int embeddedOrder = root.has("embeddedOrder") ? wholeNumber(root.get("embeddedOrder"), "embeddedOrder") : 0;
        String citation = root.has("citation") ? string(root.get("citation"), "citation") : "";
        JsonNode aList = list(required(root, "a"), "a");
        double[][] a = new double[aList.size()][];
        for (int i = 0; i < a.length; i++) {
            a[i] = vector(aList.get(i), "a[" + i + "]");
        }
        double[] bHat = root.has("bHat") ? vector(root.get("bHat"), "bHat") : null;
        return new ButcherTableau(name, order, a, vector(required(root, "b"), "b"), vector(required(root, "c"), "c"),
                bHat, embeddedOrder, citation);
    }

    /** Jackson's complaint as "JSON: what, at line L, column C"; too deep a nesting said plainly. */
    private static IllegalArgumentException jsonError(JsonProcessingException e) {
        if (e instanceof StreamConstraintsException) {
            return new IllegalArgumentException("JSON: nested too deeply (more than " + MAX_JSON_DEPTH + " levels of"
                    + " [ and {; a tableau has 2)", e);
        }
        String what = e.getOriginalMessage();
        // Jackson may append where an unclosed array or object began, as a source description
        what = what.replaceAll("\\s*\\(start marker at \\[Source: [^\\]]*\\]\\)", "").replaceAll("\\s+", " ");
        return new IllegalArgumentException("JSON: " + what + at(e.getLocation()), e);
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static JsonNode required(JsonNode object, String key) {
        if (!object.has(key)) {
            throw new IllegalArgumentException("JSON: missing \"" + key + "\"");
        }
        return object.get(key);
    }

    private static String string(JsonNode n, String what) {
        if (!n.isTextual()) {
            throw new IllegalArgumentException("JSON: \"" + what + "\" must be a string, got " + kind(n));
        }
        return n.textValue();
    }

    private static JsonNode list(JsonNode n, String what) {
        if (!n.isArray()) {
            throw new IllegalArgumentException("JSON: \"" + what + "\" must be an array, got " + kind(n));
        }
        return n;
    }

    private static double[] vector(JsonNode n, String what) {
        JsonNode l = list(n, what);
        double[] v = new double[l.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = number(l.get(i), what + "[" + i + "]");
        }
        return v;
    }

    private static double number(JsonNode n, String what) {
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isTextual()) {
            return number(n.textValue(), "JSON: \"" + what + "\"");
        }
        throw new IllegalArgumentException("JSON: \"" + what + "\" must be a number or a fraction string, got "
                + kind(n));
    }

    /** An order in JSON: a whole number, written as a number or a string. */
    private static int wholeNumber(JsonNode n, String what) {
        if (n.isNumber() || n.isTextual()) {
            return wholeNumber(n.isTextual() ? n.textValue() : n.asText(), "JSON: " + what);
        }
        throw new IllegalArgumentException("JSON: " + what + " must be a whole number, got " + kind(n));
    }

    /** An order: a whole number (2, or 2.0), not 2.5; whether it is at least 1 the tableau checks. */
    private static int wholeNumber(String s, String what) {
        String t = s.strip();
        try {
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            double v;
            try {
                v = number(t, what);
            } catch (IllegalArgumentException notANumber) {
                throw new IllegalArgumentException(what + " must be a whole number, got '" + shorten(s) + "'");
            }
            if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " must be a whole number, got " + shorten(t));
            }
            return (int) v;
        }
    }

    private static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "the string \"" + shorten(n.textValue()) + "\"";
            case BOOLEAN, NUMBER -> shorten(n.asText());
            case NULL -> "null";
            default -> n.getNodeType().toString().toLowerCase(Locale.ROOT);
        };
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
                throw new IllegalArgumentException(where + ": '" + shorten(s) + "' divides by zero");
            }
            return Double.parseDouble(s.substring(0, slash)) / q;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": '" + shorten(s) + "' is not a number (decimal or p/q)");
        }
    }

    /** Input quoted in a message, cut to a readable length. */
    private static String shorten(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
