package io.rkflow.models.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for the tests (never the real data set). */
public final class IdxFiles {
    private IdxFiles() {}

    /** Header (magic 0x00 0x00 type ndims, big-endian dims) followed by data, as bytes. */
    static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        b.put(data);
        return b.array();
    }

    static byte[] ubyte(int[] dims, byte[] data) {
        return idx(0x08, dims, data);
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        }
        return bos.toByteArray();
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** n images of h x w with pixel (i, k) = (i * 31 + k) mod 256, and labels i mod 10 (gzipped files). */
    public static void writeImagesAndLabels(Path dir, String images, String labels, int n, int h, int w) throws IOException {
        write(dir, images, gzip(ubyte(new int[] {n, h, w}, pixels(n, h * w))));
        byte[] y = new byte[n];
        for (int i = 0; i < n; i++) y[i] = (byte) (i % 10);
        write(dir, labels, gzip(ubyte(new int[] {n}, y)));
    }

    static byte[] pixels(int n, int f) {
        byte[] p = new byte[n * f];
        for (int i = 0; i < n; i++) for (int k = 0; k < f; k++) p[i * f + k] = (byte) ((i * 31 + k) % 256);
        return p;
    }

    /**
     * The four files of {@link #writeFourFiles} with other training labels, (i + shift) mod 10: the
     * same shapes, other data.
     */
    public static void writeFourFilesWithOtherLabels(Path dir, int shift) throws IOException {
        writeFourFiles(dir);
        byte[] y = new byte[20];
        for (int i = 0; i < 20; i++) y[i] = (byte) ((i + shift) % 10);
        write(dir, "train-labels-idx1-ubyte.gz", gzip(ubyte(new int[] {20}, y)));
    }

    /** The four standard Fashion-MNIST/MNIST files, tiny: 20 train and 10 test images of 2 x 3. */
    public static void writeFourFiles(Path dir) throws IOException {
        Files.createDirectories(dir);
        writeImagesAndLabels(dir, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 20, 2, 3);
        writeImagesAndLabels(dir, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10, 2, 3);
    }
}
