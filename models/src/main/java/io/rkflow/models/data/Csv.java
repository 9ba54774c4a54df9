package io.rkflow.models.data;

import io.rkflow.models.io.BadFileException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader of numeric CSV files: one example per line, comma-separated, a label column of integer
 * classes 0..K−1 (the first column unless told otherwise) and feature columns of decimal numbers,
 * with an optional header line of column names. Files may be gzip-compressed (told by the gzip
 * magic, not by the name).
 *
 * <p>What it accepts, as Python's {@code float()} and pandas do: numbers such as {@code 3},
 * {@code -0.5}, {@code .5}, {@code 1.}, {@code 2.5e-3}, with spaces or tabs around them and, like any
 * field, optionally in double quotes ({@code ""} is a quote inside one); a label may be written as a
 * float with an integral value ({@code 3.0e+00}, as {@code numpy.savetxt} writes it). Lines end with
 * {@code \n} or {@code \r\n}; blank lines are skipped; a UTF-8 byte-order mark is ignored. Features are
 * rounded to float as {@link Float#parseFloat} rounds them.
 *
 * <p>What it refuses, each with a {@link BadFileException} naming the file, the 1-based line and
 * column (and the column's name from the header) and what is wrong: a row with another number of
 * fields than the first line, an empty field, text that is not a number, NaN or an infinity, a number
 * beyond the float range, a label that is negative, not an integer or outside the {@link Table.ClassLimit},
 * a quoted field left open at the end of its line, an empty file, a header without rows, and a
 * corrupt gzip stream. No partial table is ever returned.
 *
 * <p>The file is streamed: no line is kept after it is parsed and numbers are parsed from the bytes
 * (most decimal fields without making a String), into blocks that become one array at the end, so a
 * large file costs about twice its values' floats at the peak, whatever its text length.
 */
public final class Csv {

    /** Whether the first line is a header of column names. */
    public enum Header {
        /** A header when one of the first line's fields is not a number. */
        AUTO,
        /** The first line is a header. */
        YES,
        /** The first line is data. */
        NO;

        /** {@code auto}, {@code yes} or {@code no}. */
        public static Header parse(String s) {
            for (Header h : values()) {
                if (h.label().equals(s)) return h;
            }
            throw new IllegalArgumentException("--header " + s + ": expected auto, yes or no");
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether the rows have a label column. */
    public enum Labels {
        /** One column is the label. */
        YES,
        /** Every column is a feature. */
        NO,
        /** Told by the number of fields: {@code features} fields are features only, one more has a label. */
        DETECT
    }

    /**
     * How to read a file.
     *
     * @param header      whether the first line names the columns
     * @param labelColumn the label column: null for the first; an integer for a 0-based index, negative
     *                    counting from the end (−1 is the last); else a name in the header
     * @param labels      whether there is a label column
     * @param features    with {@link Labels#DETECT}, the number of features a row has
     * @param classes     the labels accepted
     */
    public record Options(Header header, String labelColumn, Labels labels, int features, Table.ClassLimit classes) {
        /** A header if the first line has one, labels in the first column, any class. */
        public static final Options DEFAULT = new Options(Header.AUTO, null, Labels.YES, 0, Table.ClassLimit.ANY);

        public Options {
            if (labels == Labels.DETECT && features < 1) {
                throw new IllegalArgumentException("detecting the label column needs the number of features, not "
                        + features);
            }
        }

        /** These options with labels in 0..{@code limit.count()} − 1. */
        public Options with(Table.ClassLimit limit) {
            return new Options(header, labelColumn, labels, features, limit);
        }

        /** These options with a label column or none ({@link Labels#DETECT}: rows of {@code features} have none). */
        public Options with(Labels labels, int features) {
            return new Options(header, labelColumn, labels, features, classes);
        }
    }

    /** The largest Java array the reader will allocate. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final Pattern INDEX = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern NOT_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);
    private static final float[] POW10 = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};
    private static final long EXACT_FLOAT_INTEGER = 1L << 24;

    private Csv() {}

    /**
     * Reads and validates a whole CSV file.
     *
     * @throws BadFileException if the file is missing, unreadable or not a well-formed numeric CSV file
     *     of these options; the message names the file, the line and column and what is wrong
     */
    public static Table read(Path file, Options options) throws IOException {
        checkReadable(file);
        try (InputStream raw = Files.newInputStream(file);
                BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16)) {
            buffered.mark(2);
            boolean gzip = buffered.read() == 0x1f && buffered.read() == 0x8b;
            buffered.reset();
            InputStream in = buffered;
            if (gzip) {
                try {
                    in = new GZIPInputStream(buffered, 1 << 16);
                } catch (ZipException | EOFException e) {
                    throw new BadFileException(file + ": corrupt or truncated gzip header (" + e.getMessage() + ")", e);
                }
            }
            try (InputStream text = in) {
                return new Reader(file, gzip, text, options).read();
            }
        }
    }

    /** The same checks, and words, as the IDX reader's for a file that cannot be opened. */
    static void checkReadable(Path file) throws BadFileException {
        if (Files.isDirectory(file)) {
            throw new BadFileException(file + " is a folder, not a file");
        }
        if (!Files.exists(file)) {
            throw new BadFileException(file + ": no such file");
        }
        if (!Files.isReadable(file)) {
            throw new BadFileException(file + ": not readable (permission denied)");
        }
    }

    /** One pass over the lines of a file. */
    private static final class Reader {
        private final Path file;
        private final boolean gzip;
        private final Options options;
        private final Lines lines;
        private int[] starts = new int[16];
        private int[] ends = new int[16];
        private boolean[] quoted = new boolean[16];
        private List<String> names; // the header's, or null
        private int columns;
        private long columnsLine;    // the line that set the number of columns
        private int labelColumn = -1;

        Reader(Path file, boolean gzip, InputStream in, Options options) {
            this.file = file;
            this.gzip = gzip;
            this.options = options;
            this.lines = new Lines(in);
        }

        private BadFileException error(long line, int column, String what) {
            String where = column < 0 ? "" : ", column " + (column + 1)
                    + (names != null && column < names.size() ? " (" + quote(names.get(column)) + ")" : "");
            return new BadFileException(file + ": line " + line + where + ": " + what);
        }

        private boolean next() throws IOException {
            try {
                while (lines.next()) {
                    if (!blank(lines.line, lines.length)) return true;
                }
                return false;
            } catch (ZipException | EOFException e) {
                if (!gzip) throw e;
                throw new BadFileException(file + ": corrupt or truncated gzip stream after line " + lines.number
                        + " (" + e.getMessage() + ")", e);
            }
        }

        Table read() throws IOException {
            if (!next()) {
                throw new BadFileException(file + ": the file is empty; expected lines of comma-separated numbers"
                        + " (a label and the features), optionally after a header line");
            }
            if (lines.number == 1 && lines.length >= 3 && lines.line[0] == (byte) 0xEF && lines.line[1] == (byte) 0xBB
                    && lines.line[2] == (byte) 0xBF) {
                System.arraycopy(lines.line, 3, lines.line, 0, lines.length - 3); // the UTF-8 byte-order mark
                lines.length -= 3;
            }
            columns = split();
            columnsLine = lines.number;
            boolean header = switch (options.header()) {
                case YES -> true;
                case NO -> false;
                case AUTO -> !allNumbers();
            };
            if (header) {
                names = new ArrayList<>(columns);
                for (int c = 0; c < columns; c++) names.add(text(c));
            }
            labelColumn = labelColumn();
            int features = columns - (labelColumn >= 0 ? 1 : 0);
            if (features < 1) {
                throw error(columnsLine, -1, "one column, the label, and no features; expected a label column and at"
                        + " least one feature column, separated by commas");
            }
            FloatBlocks x = new FloatBlocks();
            int[] labels = labelColumn >= 0 ? new int[1024] : null;
            int rows = 0;
            boolean pending = !header; // the first line is a row
            while (pending || next()) {
                pending = false;
                int n = lines.number == columnsLine ? columns : split();
                if (n != columns) {
                    throw error(lines.number, -1, n + " field" + (n == 1 ? "" : "s") + ", but line " + columnsLine
                            + (names != null ? " (the header)" : "") + " has " + columns
                            + "; every line needs the same columns");
                }
                if ((long) (rows + 1) * features > MAX_ARRAY) {
                    throw error(lines.number, -1, "more than " + MAX_ARRAY + " values, the largest array this reader"
                            + " can hold");
                }
                for (int c = 0; c < columns; c++) {
                    if (c == labelColumn) {
                        if (rows == labels.length) labels = Arrays.copyOf(labels, 2 * rows);
                        labels[rows] = label(c);
                    } else {
                        x.add(feature(c));
                    }
                }
                rows++;
            }
            if (rows == 0) {
                throw new BadFileException(file + ": a header (line " + columnsLine + ") but no rows of data");
            }
            return new Table(file.toString(), x.toArray(), rows, features,
                    labels == null ? null : Arrays.copyOf(labels, rows));
        }

        /** The label column's index, or −1 for none. */
        private int labelColumn() throws BadFileException {
            Labels labels = options.labels();
            if (labels == Labels.DETECT) {
                if (columns == options.features()) return -1;
                if (columns != options.features() + 1) {
                    throw error(columnsLine, -1, columns + " fields, but " + options.features() + " features are"
                            + " expected: " + options.features() + " fields (features only) or "
                            + (options.features() + 1) + " (a label and the features)");
                }
            } else if (labels == Labels.NO) {
                return -1;
            }
            String spec = options.labelColumn();
            if (spec == null) {
                return 0;
            }
            String s = spec.strip();
            if (INDEX.matcher(s).matches()) {
                long i = Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
                if (i < -columns || i >= columns) {
                    throw new BadFileException(file + ": label column " + spec + " is not a column: line " + columnsLine
                            + " has " + columns + " columns, 0.." + (columns - 1) + " (or -" + columns + "..-1 from"
                            + " the end)");
                }
                return (int) (i < 0 ? i + columns : i);
            }
            if (names == null) {
                throw new BadFileException(file + ": label column " + quote(spec) + " is a name, but the file has no"
                        + " header line (line " + columnsLine + " is numbers); give the column's 0-based index");
            }
            int found = names.indexOf(spec);
            if (found < 0) {
                throw new BadFileException(file + ": label column " + quote(spec) + " is not in the header (line "
                        + columnsLine + "), whose columns are " + listed(names));
            }
            if (names.lastIndexOf(spec) != found) {
                throw new BadFileException(file + ": label column " + quote(spec) + " names more than one column of the"
                        + " header (columns " + (found + 1) + " and " + (names.lastIndexOf(spec) + 1)
                        + "); give the column's 0-based index");
            }
            return found;
        }

        private boolean allNumbers() {
            for (int c = 0; c < columns; c++) {
                if (Float.isNaN(parseFloat(lines.line, starts[c], ends[c]))) return false;
            }
            return true;
        }

        private float feature(int c) throws BadFileException {
            float v = parseFloat(lines.line, starts[c], ends[c]);
            if (Float.isFinite(v)) return v;
            String t = text(c);
            if (t.isEmpty()) {
                throw error(lines.number, c, "an empty field; expected a number");
            }
            if (NOT_FINITE.matcher(t).matches()) {
                throw error(lines.number, c, quote(t) + " is " + (t.toLowerCase(Locale.ROOT).contains("nan") ? "NaN"
                        : "infinite") + "; features must be finite numbers");
            }
            if (Float.isInfinite(v)) {
                throw error(lines.number, c, t + " is beyond the float range (about ±3.4e38); features must be finite"
                        + " floats");
            }
            throw error(lines.number, c, quote(t) + " is not a number");
        }

        private int label(int c) throws BadFileException {
            String t = text(c);
            if (t.isEmpty()) {
                throw error(lines.number, c, "an empty label; expected an integer class");
            }
            if (Float.isNaN(parseFloat(lines.line, starts[c], ends[c]))) {
                throw error(lines.number, c, "label " + quote(t) + " is not a number; expected an integer class"
                        + (names == null && lines.number == columnsLine ? " (is line " + lines.number + " a header?)"
                        : ""));
            }
            double v = Double.parseDouble(t);
            if (v != Math.rint(v)) {
                throw error(lines.number, c, "label " + t + " is not an integer; labels are classes 0, 1, 2, ...");
            }
            if (v < 0 || v >= options.classes().count()) {
                throw error(lines.number, c, options.classes().refuse(t));
            }
            return (int) v;
        }

        /** Field {@code c} as text: trimmed, unquoted. */
        private String text(int c) {
            String s = new String(lines.line, starts[c], ends[c] - starts[c], StandardCharsets.UTF_8).strip();
            return quoted[c] ? s.replace("\"\"", "\"") : s;
        }

        /**
         * Splits the current line at the commas outside double quotes into {@link #starts} and
         * {@link #ends}; a quoted field's bounds are inside its quotes. Returns the number of fields.
         */
        private int split() throws BadFileException {
            byte[] b = lines.line;
            int len = lines.length;
            int n = 0;
            int i = 0;
            while (true) {
                if (n == starts.length) {
                    starts = Arrays.copyOf(starts, 2 * n);
                    ends = Arrays.copyOf(ends, 2 * n);
                    quoted = Arrays.copyOf(quoted, 2 * n);
                }
                int j = i;
                while (j < len && (b[j] == ' ' || b[j] == '\t')) j++;
                if (j < len && b[j] == '"') {
                    int k = j + 1;
                    while (true) {
                        while (k < len && b[k] != '"') k++;
                        if (k == len) {
                            throw error(lines.number, n, "a quoted field is not closed on its line (a field spanning"
                                    + " lines is not supported)");
                        }
                        if (k + 1 < len && b[k + 1] == '"') {
                            k += 2; // "" is a quote
                        } else {
                            break;
                        }
                    }
                    starts[n] = j + 1;
                    ends[n] = k;
                    quoted[n] = true;
                    i = k + 1;
                    while (i < len && (b[i] == ' ' || b[i] == '\t')) i++;
                    if (i < len && b[i] != ',') {
                        throw error(lines.number, n, "text after the closing quote of a quoted field");
                    }
                } else {
                    while (i < len && b[i] != ',') i++;
                    starts[n] = j;
                    ends[n] = i;
                    quoted[n] = false;
                }
                n++;
                if (i >= len) return n;
                i++; // the comma
            }
        }
    }

    /**
     * The decimal number in {@code b[from, to)} (spaces and tabs around it allowed) rounded to float as
     * {@link Float#parseFloat} rounds it, ±Infinity beyond the float range, and NaN when the text is
     * not a decimal number ({@code [+-]? (d+ (. d*)? | . d+) ([eE] [+-]? d+)?}).
     */
    static float parseFloat(byte[] b, int from, int to) {
        while (from < to && (b[from] == ' ' || b[from] == '\t')) from++;
        while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) to--;
        int i = from;
        boolean negative = false;
        if (i < to && (b[i] == '+' || b[i] == '-')) {
            negative = b[i] == '-';
            i++;
        }
        long mantissa = 0;
        int exponent = 0;
        boolean exact = true; // the mantissa holds every significant digit and is at most 2^24
        int digits = 0;
        for (; i < to && b[i] >= '0' && b[i] <= '9'; i++, digits++) {
            if (exact) {
                mantissa = mantissa * 10 + (b[i] - '0');
                exact = mantissa <= EXACT_FLOAT_INTEGER;
            }
        }
        if (i < to && b[i] == '.') {
            for (i++; i < to && b[i] >= '0' && b[i] <= '9'; i++, digits++) {
                if (exact) {
                    mantissa = mantissa * 10 + (b[i] - '0');
                    exponent--;
                    exact = mantissa <= EXACT_FLOAT_INTEGER;
                }
            }
        }
        if (digits == 0) return Float.NaN;
        if (i < to && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean negativeExponent = false;
            if (i < to && (b[i] == '+' || b[i] == '-')) {
                negativeExponent = b[i] == '-';
                i++;
            }
            int e = 0;
            int start = i;
            for (; i < to && b[i] >= '0' && b[i] <= '9'; i++) {
                e = Math.min(100_000, e * 10 + (b[i] - '0'));
            }
            if (i == start) return Float.NaN;
            exponent += negativeExponent ? -e : e;
        }
        if (i != to) return Float.NaN;
        if (exact && mantissa == 0) return negative ? -0f : 0f;
        if (exact && exponent >= -10 && exponent <= 10) {
            // Clinger's fast path: both operands are exact floats, so one rounding gives the correctly
            // rounded value of the decimal, which is what Float.parseFloat returns
            float f = exponent < 0 ? mantissa / POW10[-exponent] : mantissa * POW10[exponent];
            return negative ? -f : f;
        }
        return Float.parseFloat(new String(b, from, to - from, StandardCharsets.ISO_8859_1));
    }

    private static boolean blank(byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (b[i] != ' ' && b[i] != '\t') return false;
        }
        return true;
    }

    private static String quote(String s) {
        return "'" + s + "'";
    }

    private static String listed(List<String> names) {
        int shown = Math.min(names.size(), 20);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < shown; i++) s.append(i == 0 ? "" : ", ").append(quote(names.get(i)));
        return s + (shown < names.size() ? ", ... (" + names.size() + " in all)" : "");
    }

    /** The lines of a stream, without their line ends, numbered from 1. */
    private static final class Lines {
        private final InputStream in;
        private final byte[] buffer = new byte[1 << 16];
        private int position;
        private int end;
        byte[] line = new byte[1 << 10];
        int length;
        long number;

        Lines(InputStream in) {
            this.in = in;
        }

        /** Reads the next line into {@link #line}; false at the end of the stream. */
        boolean next() throws IOException {
            length = 0;
            boolean any = false;
            while (true) {
                if (position == end) {
                    end = Math.max(0, in.read(buffer, 0, buffer.length));
                    position = 0;
                    if (end == 0) {
                        if (!any) return false;
                        break;
                    }
                }
                any = true;
                int start = position;
                while (position < end && buffer[position] != '\n') position++;
                append(start, position - start);
                if (position < end) {
                    position++; // the '\n'
                    break;
                }
            }
            number++;
            if (length > 0 && line[length - 1] == '\r') length--;
            return true;
        }

        private void append(int from, int count) {
            if (length + count > line.length) {
                line = Arrays.copyOf(line, Math.max(2 * line.length, length + count));
            }
            System.arraycopy(buffer, from, line, length, count);
            length += count;
        }
    }

    /** A growing float array in blocks, so that growth never copies what was read. */
    private static final class FloatBlocks {
        private static final int BLOCK = 1 << 20;
        private final List<float[]> full = new ArrayList<>();
        private float[] current = new float[BLOCK];
        private int used;

        void add(float v) {
            if (used == BLOCK) {
                full.add(current);
                current = new float[BLOCK];
                used = 0;
            }
            current[used++] = v;
        }

        float[] toArray() {
            float[] all = new float[full.size() * BLOCK + used];
            int at = 0;
            for (float[] block : full) {
                System.arraycopy(block, 0, all, at, BLOCK);
                at += BLOCK;
            }
            System.arraycopy(current, 0, all, at, used);
            return all;
        }
    }
}
