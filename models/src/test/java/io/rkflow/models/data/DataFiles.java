package io.rkflow.models.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes small CSV and .npy files for the tests, byte by byte as pandas' {@code to_csv} and
 * {@code numpy.save} write them (never with Python). The folders hold the numbers of
 * {@link IdxFiles#writeFourFiles}: 20 training and 10 test rows of 6 features, pixel p of the IDX
 * files as the float p / 255 (written in CSV as its shortest decimal, {@link Float#toString}).
 */
public final class DataFiles {
    private DataFiles() {}

    /** The rows of {@link IdxFiles#writeImagesAndLabels}: {x (n × f, p / 255), labels i mod 10}. */
    static float[] features(int n, int f) {
        byte[] p = IdxFiles.pixels(n, f);
        float[] x = new float[p.length];
        for (int i = 0; i < p.length; i++) x[i] = (p[i] & 0xFF) / 255f;
        return x;
    }

    static int[] labels(int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = i % 10;
        return y;
    }

    /** A CSV text: a header {@code label,f0,..} when {@code header}, then "label,x0,x1,..." per row. */
    public static String csv(float[] x, int[] y, int features, boolean header) {
        StringBuilder s = new StringBuilder();
        if (header) {
            s.append("label");
            for (int j = 0; j < features; j++) s.append(",f").append(j);
            s.append('\n');
        }
        for (int i = 0; i < y.length; i++) {
            s.append(y[i]);
            for (int j = 0; j < features; j++) s.append(',').append(Float.toString(x[i * features + j]));
            s.append('\n');
        }
        return s.toString();
    }

    /** train.csv and test.csv with a header, holding the numbers of {@link IdxFiles#writeFourFiles}. */
    public static void writeCsvFolder(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("train.csv"), csv(features(20, 6), labels(20), 6, true));
        Files.writeString(dir.resolve("test.csv"), csv(features(10, 6), labels(10), 6, true));
    }

    /**
     * train_x.npy (float32, 20 × 2 × 3), train_y.npy (int64), test_x.npy, test_y.npy, holding the
     * numbers of {@link IdxFiles#writeFourFiles}.
     */
    public static void writeNpyFolder(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("train_x.npy"), npy(1, "<f4", false, new long[] {20, 2, 3}, f4(features(20, 6))));
        Files.write(dir.resolve("train_y.npy"), npy(1, "<i8", false, new long[] {20}, i8(labels(20))));
        Files.write(dir.resolve("test_x.npy"), npy(1, "<f4", false, new long[] {10, 2, 3}, f4(features(10, 6))));
        Files.write(dir.resolve("test_y.npy"), npy(1, "<i8", false, new long[] {10}, i8(labels(10))));
    }

    /** A folder of the numbers of {@link IdxFiles#writeFourFiles} in {@code format}; returns it. */
    public static Path writeFolder(Path dir, DataFolder.Format format) throws IOException {
        switch (format) {
            case IDX -> IdxFiles.writeFourFiles(dir);
            case CSV -> writeCsvFolder(dir);
            case NPY -> writeNpyFolder(dir);
        }
        return dir;
    }

    /** The header dict numpy writes: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }. */
    public static String header(String descr, boolean fortran, long[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) s.append(i == 0 ? "" : ", ").append(shape[i]);
        s.append(shape.length == 1 ? ",)" : ")");
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + s
                + ", }";
    }

    /** An .npy file of format version {@code major}.0, padded as numpy pads it (to 64 bytes, ending in \n). */
    public static byte[] npy(int major, String descr, boolean fortran, long[] shape, byte[] data) {
        return npyWithHeader(major, header(descr, fortran, shape), data);
    }

    /** An .npy file with any header text (padded with spaces and a newline to a multiple of 64 bytes). */
    public static byte[] npyWithHeader(int major, String dict, byte[] data) {
        int prefix = major == 1 ? 10 : 12;
        StringBuilder h = new StringBuilder(dict);
        while ((prefix + h.length() + 1) % 64 != 0) h.append(' ');
        h.append('\n');
        byte[] text = h.toString().getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(prefix + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) text.length);
        } else {
            b.putInt(text.length);
        }
        return b.put(text).put(data).array();
    }

    public static byte[] f4(float[] v) {
        return f4(v, ByteOrder.LITTLE_ENDIAN);
    }

    public static byte[] f4(float[] v, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    public static byte[] f8(double[] v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : v) b.putDouble(d);
        return b.array();
    }

    public static byte[] i4(int[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : v) b.putInt(i);
        return b.array();
    }

    public static byte[] i8(int[] v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : v) b.putLong(i);
        return b.array();
    }
}
