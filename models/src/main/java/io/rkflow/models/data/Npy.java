package io.rkflow.models.data;

import io.rkflow.models.io.BadFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reader of NumPy's {@code .npy} files (format versions 1.0, 2.0 and 3.0, as {@code numpy.save}
 * writes them): the magic {@code \x93NUMPY}, the version, the header's length (2 bytes
 * little-endian in 1.0, 4 in 2.0 and 3.0), a header that is a Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (60000, 784), }}, then the data.
 *
 * <p>Data types: float16/32/64, int8/16/32/64, uint8/16/32/64 and bool, little- or big-endian
 * ({@code <}, {@code >}, {@code |} for single bytes, {@code =} native); C or Fortran order (a
 * Fortran-ordered array is reordered as it is read). Features are an array of shape (N, F) or
 * (N, d1, d2, ...), flattened per row in C order (a 28 × 28 image becomes its 784 pixels row by row)
 * and converted to float (float64 rounds, integers are taken by value: uint8 pixels stay 0..255);
 * labels are an array of shape (N) or (N, 1) of integers (or of floats with integral values).
 *
 * <p>Each file is validated completely, each failure a {@link BadFileException} naming the file, the
 * byte offset and what is wrong: a bad magic or version, a header that is not such a dict, a data
 * type that is not a number (structured, complex, object, strings, dates), a shape that does not fit
 * a Java array, a data section shorter or longer than the shape says (a truncated file, a header
 * that lies about the shape), a feature that is NaN, infinite or beyond the float range, a label that
 * is negative, not an integer or outside the {@link Table.ClassLimit}, and features and labels whose
 * row counts differ. No partial array is returned. The data is streamed from the file straight into
 * the result.
 */
public final class Npy {

    /** The magic string every .npy file starts with. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** The largest Java array the reader will allocate. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final Pattern DESCR = Pattern.compile("([<>|=])([a-zA-Z])([0-9]+)");
    private static final int CHUNK = 1 << 20;

    private Npy() {}

    /**
     * The header of an .npy file.
     *
     * @param descr        the dtype as written, e.g. {@code <f4}
     * @param kind         'f' float, 'i' signed integer, 'u' unsigned integer, 'b' bool
     * @param size         bytes per element
     * @param order        the byte order of the elements
     * @param fortranOrder whether the data is in Fortran (column-major) order
     * @param shape        the array's dimensions
     * @param dataOffset   the byte offset where the data starts
     */
    public record Header(String descr, char kind, int size, ByteOrder order, boolean fortranOrder, long[] shape,
            long dataOffset) {
        /** The number of elements: the product of the shape (1 for a scalar). */
        public long count() {
            long n = 1;
            for (long d : shape) n *= d; // checked against MAX_ARRAY when read
            return n;
        }

        /** The shape as Python writes it: (60000, 784), (10,), (). */
        public String shapeText() {
            StringBuilder s = new StringBuilder("(");
            for (int i = 0; i < shape.length; i++) s.append(i == 0 ? "" : ", ").append(shape[i]);
            return s.append(shape.length == 1 ? ",)" : ")").toString();
        }
    }

    /**
     * Features from {@code features} and labels from {@code labels}, which must have as many rows.
     *
     * @throws BadFileException if either file is malformed or they disagree
     */
    public static Table read(Path features, Path labels, Table.ClassLimit classes) throws IOException {
        Table x = features(features);
        int[] y;
        try (FileChannel ch = open(labels)) {
            y = labels(labels, ch, header(labels, ch), classes, features, x);
        }
        return new Table(features.toString(), x.x(), x.rows(), x.features(), y);
    }

    /**
     * The rows of a features file, without labels: shape (N, F) or (N, d1, d2, ...), flattened per row.
     *
     * @throws BadFileException if the file is malformed
     */
    public static Table features(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            Header h = header(file, ch);
            if (h.shape().length < 2) {
                throw new BadFileException(file + ": an array of shape " + h.shapeText() + " is not features: they need"
                        + " 2 or more dimensions, (rows, features) or (rows, d1, d2, ...)"
                        + (h.shape().length == 1 ? "; is it a labels file? (one feature per row: x.reshape(-1, 1))"
                        : ""));
            }
            long rows = h.shape()[0];
            long features = h.count() / Math.max(1, rows);
            if (rows == 0 || features == 0) {
                throw new BadFileException(file + ": an array of shape " + h.shapeText() + " holds no "
                        + (rows == 0 ? "rows" : "features"));
            }
            float[] x = new float[(int) h.count()];
            new Elements(file, ch, h).read((e, at, v) -> {
                float f = (float) v;
                if (!Float.isFinite(f)) {
                    throw new BadFileException(file + ": at byte offset " + at + ": element " + index(h, e) + " is "
                            + (Double.isNaN(v) ? "NaN" : Double.isInfinite(v) ? "infinite" : v
                            + ", beyond the float range (about ±3.4e38)") + "; features must be finite floats");
                }
                x[e] = f;
            });
            return new Table(file.toString(), x, (int) rows, (int) features, null);
        }
    }

    /** The labels of {@code file}, one per row of {@code x} (read from {@code xFile}). */
    private static int[] labels(Path file, FileChannel ch, Header h, Table.ClassLimit classes, Path xFile, Table x)
            throws IOException {
        int rows = x.rows();
        long[] s = h.shape();
        if (s.length != 1 && !(s.length == 2 && s[1] == 1)) {
            throw new BadFileException(file + ": an array of shape " + h.shapeText() + " is not labels: they need shape"
                    + " (rows,) or (rows, 1)" + (s.length >= 2 ? "; is it a features file?" : ""));
        }
        if (s[0] != rows) {
            throw new BadFileException("features and labels disagree: " + xFile + " has " + rows + " rows (shape ("
                    + rows + ", " + x.features() + ") flattened) but " + file + " has " + s[0] + " labels (shape "
                    + h.shapeText() + ")");
        }
        int[] y = new int[rows];
        new Elements(file, ch, h).read((e, at, v) -> {
            String shown = v == Math.rint(v) && Math.abs(v) < 1e18 ? String.valueOf((long) v) : String.valueOf(v);
            if (v != Math.rint(v)) {
                throw new BadFileException(file + ": at byte offset " + at + ": label " + index(h, e) + " is " + shown
                        + ", not an integer; labels are classes 0, 1, 2, ...");
            }
            if (v < 0 || v >= classes.count()) {
                throw new BadFileException(file + ": at byte offset " + at + ": label " + index(h, e) + ": "
                        + classes.refuse(shown));
            }
            y[e] = (int) v;
        });
        return y;
    }

    private static FileChannel open(Path file) throws IOException {
        Csv.checkReadable(file);
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    /**
     * Reads and validates the header of an .npy file, and checks that the file holds exactly the
     * data its shape and dtype describe.
     */
    public static Header header(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            return header(file, ch);
        }
    }

    private static Header header(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer start = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, start, 0);
        int got = start.position();
        for (int i = 0; i < MAGIC.length; i++) {
            if (i >= got || start.get(i) != MAGIC[i]) {
                throw new BadFileException(file + ": at byte offset " + i + ": "
                        + (i >= got ? "the file ends inside the magic string" : "bad magic")
                        + ": an .npy file starts with \\x93NUMPY; this is not an .npy file (nor NumPy's .npz, a zip)");
            }
        }
        if (got < 8) {
            throw new BadFileException(file + ": at byte offset " + got + ": the file ends before the format version");
        }
        int major = start.get(6) & 0xFF;
        int minor = start.get(7) & 0xFF;
        if (major < 1 || major > 3 || minor != 0) {
            throw new BadFileException(file + ": at byte offset 6: .npy format version " + major + "." + minor
                    + " is not supported; this reader reads versions 1.0, 2.0 and 3.0");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        if (got < 8 + lengthBytes) {
            throw new BadFileException(file + ": at byte offset " + got + ": the file ends inside the header length");
        }
        long headerLength = major == 1 ? start.getShort(8) & 0xFFFF : start.getInt(8) & 0xFFFF_FFFFL;
        long headerStart = 8 + lengthBytes;
        long dataOffset = headerStart + headerLength;
        if (dataOffset > size) {
            throw new BadFileException(file + ": at byte offset " + size + ": the file ends inside the header, which"
                    + " is " + headerLength + " bytes from offset " + headerStart + "; the file is truncated");
        }
        if (headerLength > 1 << 24) {
            throw new BadFileException(file + ": at byte offset 8: a header of " + headerLength + " bytes; numpy's"
                    + " headers are a few hundred bytes, so the file is damaged");
        }
        ByteBuffer text = ByteBuffer.allocate((int) headerLength);
        readFully(ch, text, headerStart);
        String header = new String(text.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> dict = new HeaderParser(file, header, headerStart).dict();
        for (String key : dict.keySet()) {
            if (!List.of("descr", "fortran_order", "shape").contains(key)) {
                throw new BadFileException(file + ": at byte offset " + headerStart + ": the header has a key '" + key
                        + "'; an .npy header has exactly 'descr', 'fortran_order' and 'shape'");
            }
        }
        for (String key : List.of("descr", "fortran_order", "shape")) {
            if (!dict.containsKey(key)) {
                throw new BadFileException(file + ": at byte offset " + headerStart + ": the header has no '" + key
                        + "'");
            }
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new BadFileException(file + ": at byte offset " + headerStart + ": the dtype " + dict.get("descr")
                    + " is structured (a record array); save one numeric array per file");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new BadFileException(file + ": at byte offset " + headerStart + ": 'fortran_order' is "
                    + dict.get("fortran_order") + "; expected True or False");
        }
        if (!(dict.get("shape") instanceof long[] shape)) {
            throw new BadFileException(file + ": at byte offset " + headerStart + ": 'shape' is " + dict.get("shape")
                    + "; expected a tuple of integers");
        }
        Matcher m = DESCR.matcher(descr);
        char kind = m.matches() ? m.group(2).charAt(0) : '?';
        int itemSize = m.matches() && m.group(3).length() <= 2 ? Integer.parseInt(m.group(3)) : 0;
        boolean numeric = switch (kind) {
            case 'f' -> itemSize == 2 || itemSize == 4 || itemSize == 8;
            case 'i', 'u' -> itemSize == 1 || itemSize == 2 || itemSize == 4 || itemSize == 8;
            case 'b' -> itemSize == 1;
            default -> false;
        };
        if (!numeric) {
            throw new BadFileException(file + ": at byte offset " + headerStart + ": dtype '" + descr + "' is not"
                    + " supported; this reader takes float16/32/64, int8/16/32/64, uint8/16/32/64 and bool");
        }
        char byteOrder = m.group(1).charAt(0);
        if (byteOrder == '|' && itemSize > 1) {
            throw new BadFileException(file + ": at byte offset " + headerStart + ": dtype '" + descr + "' has no byte"
                    + " order ('|' is for single bytes); expected '<' or '>'");
        }
        ByteOrder order = byteOrder == '>' ? ByteOrder.BIG_ENDIAN
                : byteOrder == '=' ? ByteOrder.nativeOrder() : ByteOrder.LITTLE_ENDIAN;
        Header h = new Header(descr, kind, itemSize, order, fortran, shape, dataOffset);
        long count = 1;
        boolean empty = false;
        for (long d : shape) empty |= d == 0;
        for (long d : shape) {
            if (empty) {
                count = 0;
                break;
            }
            if (d > MAX_ARRAY / count) {
                throw new BadFileException(file + ": at byte offset " + headerStart + ": shape " + h.shapeText()
                        + " has more than " + MAX_ARRAY + " elements, the largest array this reader can hold");
            }
            count *= d;
        }
        long bytes = count * itemSize;
        long end = dataOffset + bytes;
        if (end > size) {
            throw new BadFileException(file + ": at byte offset " + size + ": the data ends early: shape "
                    + h.shapeText() + " of " + descr + " needs " + bytes + " bytes (offsets " + dataOffset + " to " + end
                    + "), but only " + (size - dataOffset) + " are present; the file is truncated or its header's shape"
                    + " is wrong");
        }
        if (end < size) {
            throw new BadFileException(file + ": at byte offset " + end + ": " + (size - end) + " bytes after the data:"
                    + " shape " + h.shapeText() + " of " + descr + " accounts for exactly " + bytes + " bytes, ending at"
                    + " offset " + end + ", but the file goes on to offset " + size + "; the header's shape is wrong");
        }
        return h;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, at + b.position());
            if (r < 0) return;
        }
    }

    /** The index of element {@code e} (counted in C order) in the array's shape: [i, j, k]. */
    private static String index(Header h, long e) {
        long[] s = h.shape();
        long[] idx = new long[s.length];
        for (int k = s.length - 1; k >= 0; k--) {
            idx[k] = e % s[k];
            e /= s[k];
        }
        StringBuilder b = new StringBuilder("[");
        for (int k = 0; k < idx.length; k++) b.append(k == 0 ? "" : ", ").append(idx[k]);
        return b.append(']').toString();
    }

    /** What receives each element: its index in C order, its byte offset, its value. */
    @FunctionalInterface
    private interface Sink {
        void accept(int cIndex, long offset, double value) throws BadFileException;
    }

    /** The elements of the data section, in the file's order, each with its place in C order. */
    private static final class Elements {
        private final Path file;
        private final FileChannel ch;
        private final Header h;

        Elements(Path file, FileChannel ch, Header h) {
            this.file = file;
            this.ch = ch;
            this.h = h;
        }

        void read(Sink sink) throws IOException {
            long[] shape = h.shape();
            int n = (int) h.count();
            int size = h.size();
            // Fortran order: the first index runs fastest in the file; cStride[k] is index k's step in C order
            boolean reorder = h.fortranOrder() && shape.length > 1;
            long[] cStride = new long[shape.length];
            long[] idx = new long[shape.length];
            for (int k = shape.length - 1; k >= 0; k--) {
                cStride[k] = k == shape.length - 1 ? 1 : cStride[k + 1] * shape[k + 1];
            }
            long dest = 0;
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK / size * size).order(h.order());
            long position = h.dataOffset();
            int e = 0;
            while (e < n) {
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), (long) (n - e) * size));
                readFully(ch, buffer, position);
                if (buffer.hasRemaining()) {
                    throw new BadFileException(file + ": at byte offset " + (position + buffer.position())
                            + ": the data ends early (the file shrank while it was read)");
                }
                buffer.flip();
                int count = buffer.remaining() / size;
                for (int i = 0; i < count; i++, e++) {
                    double v = value(buffer, h.kind(), size);
                    sink.accept(reorder ? (int) dest : e, position + (long) i * size, v);
                    if (reorder) {
                        idx[0]++;
                        dest += cStride[0];
                        for (int k = 0; k < shape.length - 1 && idx[k] == shape[k]; k++) {
                            dest -= shape[k] * cStride[k];
                            idx[k] = 0;
                            idx[k + 1]++;
                            dest += cStride[k + 1];
                        }
                    }
                }
                position += (long) count * size;
            }
        }
    }

    private static double value(ByteBuffer b, char kind, int size) {
        return switch (kind) {
            case 'f' -> size == 4 ? b.getFloat() : size == 8 ? b.getDouble() : Float.float16ToFloat(b.getShort());
            case 'i' -> size == 1 ? b.get() : size == 2 ? b.getShort() : size == 4 ? b.getInt() : (double) b.getLong();
            case 'u' -> size == 1 ? b.get() & 0xFF : size == 2 ? b.getShort() & 0xFFFF
                    : size == 4 ? b.getInt() & 0xFFFF_FFFFL : unsigned(b.getLong());
            default -> b.get() != 0 ? 1 : 0; // bool
        };
    }

    private static double unsigned(long v) {
        return v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
    }

    /** A Python list in a header, as its text. */
    private record PyList(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * A parser of the Python literals an .npy header holds: a dict of string keys whose values are
     * strings, True, False, integers, tuples of integers, or lists (a structured dtype, refused later).
     */
    private static final class HeaderParser {
        private final Path file;
        private final String s;
        private final long base;
        private int pos;

        HeaderParser(Path file, String s, long base) {
            this.file = file;
            this.s = s;
            this.base = base;
        }

        private BadFileException error(String what) {
            return new BadFileException(file + ": at byte offset " + (base + pos) + ": the header is not a Python dict"
                    + " literal as numpy writes it: " + what + " (the header is: " + s.strip() + ")");
        }

        Map<String, Object> dict() throws BadFileException {
            skipSpace();
            expect('{');
            Map<String, Object> m = new LinkedHashMap<>();
            while (true) {
                skipSpace();
                if (peek() == '}') {
                    pos++;
                    break;
                }
                int at = pos;
                String key = string();
                skipSpace();
                expect(':');
                Object value = value();
                if (m.put(key, value) != null) {
                    pos = at;
                    throw error("the key '" + key + "' appears twice");
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw error("expected ',' or '}'");
                }
            }
            skipSpace();
            if (pos != s.length()) {
                throw error("text after the closing '}'");
            }
            return m;
        }

        private Object value() throws BadFileException {
            skipSpace();
            char c = peek();
            if (c == '\'' || c == '"') return string();
            if (c == '(' || c == '[') return c == '(' ? tuple() : list();
            if (s.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (Character.isDigit(c) || c == '-') return integer();
            throw error("expected a value (a string, True, False, a number or a tuple)");
        }

        private String string() throws BadFileException {
            char quote = peek();
            if (quote != '\'' && quote != '"') throw error("expected a quoted string");
            int end = s.indexOf(quote, pos + 1);
            if (end < 0) throw error("a string that does not end");
            String v = s.substring(pos + 1, end);
            pos = end + 1;
            return v;
        }

        private long[] tuple() throws BadFileException {
            expect('(');
            List<Long> values = new java.util.ArrayList<>();
            while (true) {
                skipSpace();
                if (peek() == ')') {
                    pos++;
                    break;
                }
                int at = pos;
                long v = integer();
                if (v < 0) {
                    pos = at;
                    throw error("a negative dimension " + v);
                }
                values.add(v);
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != ')') {
                    throw error("expected ',' or ')' in the shape");
                }
            }
            return values.stream().mapToLong(Long::longValue).toArray();
        }

        /** A list (only a structured dtype has one), kept as its text. */
        private PyList list() throws BadFileException {
            int depth = 0;
            int start = pos;
            do {
                char c = peek();
                if (c == 0) throw error("a list that does not end");
                depth += c == '[' ? 1 : c == ']' ? -1 : 0;
                pos++;
            } while (depth > 0);
            return new PyList(s.substring(start, pos));
        }

        private long integer() throws BadFileException {
            int start = pos;
            if (peek() == '-') pos++;
            while (Character.isDigit(peek())) pos++;
            if (pos == start || pos == start + 1 && s.charAt(start) == '-') throw error("expected an integer");
            String digits = s.substring(start, pos);
            if (peek() == 'L') pos++; // Python 2's numpy wrote long integers as 60000L
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                pos = start;
                throw error("the integer " + digits + " is too large");
            }
        }

        private void expect(char c) throws BadFileException {
            if (peek() != c) throw error("expected '" + c + "'");
            pos++;
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : 0;
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }
    }
}
