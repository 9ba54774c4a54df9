package io.rkflow.models.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A labelled set of images, flattened: {@code x} holds {@code rows} rows of {@code features}
 * floats, row major, and {@code labels[i]} in {@code [0, classes)} is the class of row {@code i}.
 *
 * <p>Treated as immutable: every operation returns a new data set and none writes into the arrays
 * (a record cannot stop a caller from doing so; don't). The arrays are shared, not copied, by the
 * constructor, so a 60000 x 784 set costs its 188 MB once.
 *
 * @param name     what the set is, for messages and logs ("fashion-mnist train")
 * @param x        rows x features pixels, row major
 * @param labels   one class index per row
 * @param rows     number of examples
 * @param features floats per example (784 for 28 x 28 images)
 * @param classes  number of classes; labels lie in [0, classes)
 */
public record Dataset(String name, float[] x, int[] labels, int rows, int features, int classes) {
    /** The number of classes of the MNIST-style IDX data sets read by {@link #fromIdx}. */
    public static final int IDX_CLASSES = 10;

    public Dataset {
        if (rows < 0 || features < 1 || classes < 1) {
            throw new IllegalArgumentException(name + ": rows " + rows + ", features " + features + ", classes "
                    + classes + "; expected rows >= 0, features >= 1, classes >= 1");
        }
        if ((long) rows * features != x.length) {
            throw new IllegalArgumentException(name + ": x has " + x.length + " floats; " + rows + " rows x "
                    + features + " features need " + (long) rows * features);
        }
        if (labels.length != rows) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels for " + rows + " rows");
        }
        for (int i = 0; i < rows; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + i + " is " + labels[i] + "; expected 0.."
                        + (classes - 1));
            }
        }
    }

    /**
     * Reads an MNIST-style pair of IDX files: {@code images} of shape (n, h, w) and {@code labels} of
     * shape (n) with values in [0, 10). Pixels become {@code p / 255f}, in [0, 1].
     *
     * @throws IdxFormatException if either file is malformed, the shapes are wrong or disagree, or a
     *                            label is out of range; the message names the file(s) and values
     */
    public static Dataset fromIdx(String name, Path images, Path labels) throws IOException {
        Table img = Idx.images(images);
        Idx.IdxArray lab = Idx.read(labels);
        if (lab.dims().length != 1) {
            throw new IdxFormatException(labels + ": a label file must have 1 dimension (count); it has "
                    + lab.dims().length + ": " + Arrays.toString(lab.dims()));
        }
        int n = img.rows();
        if (lab.dims()[0] != n) {
            throw new IdxFormatException("image and label counts differ: " + images + " has " + n + " images but "
                    + labels + " has " + lab.dims()[0] + " labels");
        }
        int[] y = new int[n];
        byte[] lb = lab.data();
        for (int i = 0; i < n; i++) {
            int v = lb[i] & 0xFF;
            if (v >= IDX_CLASSES) {
                throw new IdxFormatException(labels + ": label " + i + " (byte offset " + (8 + i)
                        + " of the IDX data) is " + v + "; labels must lie in 0.." + (IDX_CLASSES - 1));
            }
            y[i] = v;
        }
        return new Dataset(name, img.x(), y, n, img.features(), IDX_CLASSES);
    }

    /**
     * What identifies this data set's content: its shape and a CRC-32 of its labels and pixels
     * (their float bits), e.g. "60000 x 784, 10 classes, crc32 1a2b3c4d". Equal content gives an
     * equal fingerprint whatever the set's name or the files' compression; a checkpoint records the
     * fingerprint of the data it trains on, and a resume on other data is refused.
     */
    public String fingerprint() {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocate(1 << 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < labels.length; ) {
            chunk.clear();
            while (i < labels.length && chunk.remaining() >= Integer.BYTES) {
                chunk.putInt(labels[i++]);
            }
            chunk.flip();
            crc.update(chunk);
        }
        for (int i = 0; i < x.length; ) {
            chunk.clear();
            int n = Math.min(x.length - i, chunk.capacity() / Float.BYTES);
            chunk.asFloatBuffer().put(x, i, n);
            chunk.limit(n * Float.BYTES);
            crc.update(chunk);
            i += n;
        }
        return String.format(java.util.Locale.ROOT, "%d x %d, %d classes, crc32 %08x", rows, features, classes,
                crc.getValue());
    }

    /** Mean of all pixels, accumulated in double. */
    public float mean() {
        return (float) meanDouble();
    }

    /** Population standard deviation of all pixels (divides by rows x features), in double. */
    public float std() {
        if (x.length == 0) return 0f;
        double m = meanDouble();
        double s = 0;
        for (float v : x) {
            double d = v - m;
            s += d * d;
        }
        return (float) Math.sqrt(s / x.length);
    }

    private double meanDouble() {
        if (x.length == 0) return 0;
        double s = 0;
        for (float v : x) s += v;
        return s / x.length;
    }

    /**
     * A copy with every pixel replaced by {@code (p - mean) / std}; pass the training set's
     * {@link #mean()} and {@link #std()} to every split, so that all see the same transform.
     */
    public Dataset standardized(float mean, float std) {
        return standardize(new float[x.length], mean, std);
    }

    /**
     * Like {@link #standardized}, but overwrites this data set's pixels instead of copying them, so
     * that a large set loaded once needs no second copy; use only the returned data set afterwards.
     */
    public Dataset standardizedInPlace(float mean, float std) {
        return standardize(x, mean, std);
    }

    private Dataset standardize(float[] z, float mean, float std) {
        if (!(std > 0) || !Float.isFinite(std) || !Float.isFinite(mean)) {
            throw new IllegalArgumentException(name + ": cannot standardize with mean " + mean + " and std " + std
                    + "; expected a finite mean and a finite std > 0");
        }
        Standardization.standardize(x, z, features, new float[] {mean}, new float[] {std});
        return new Dataset(name, z, labels, rows, features, classes);
    }

    /** Rows {@code [from, to)}, copied. */
    public Dataset slice(int from, int to) {
        if (from < 0 || to < from || to > rows) {
            throw new IndexOutOfBoundsException(name + ": slice [" + from + ", " + to + ") of " + rows
                    + " rows; expected 0 <= from <= to <= " + rows);
        }
        return new Dataset(name + "[" + from + ", " + to + ")",
                Arrays.copyOfRange(x, from * features, to * features),
                Arrays.copyOfRange(labels, from, to), to - from, features, classes);
    }

    /**
     * Splits off {@code validationRows} random rows: returns {train, validation}, disjoint and
     * together all rows, each in its original row order. The rows chosen depend only on
     * {@code seed} and {@link #rows} (a Fisher-Yates shuffle driven by {@link SplittableRandom}).
     */
    public Dataset[] split(int validationRows, long seed) {
        if (validationRows < 0 || validationRows > rows) {
            throw new IllegalArgumentException(name + ": cannot split off " + validationRows
                    + " validation rows from " + rows + "; expected 0.." + rows);
        }
        int[] perm = Batches.identity(rows);
        Batches.shuffle(perm, new SplittableRandom(seed));
        int[] val = Arrays.copyOfRange(perm, 0, validationRows);
        int[] train = Arrays.copyOfRange(perm, validationRows, rows);
        Arrays.sort(val);
        Arrays.sort(train);
        return new Dataset[] {gather(name + " (train split)", train), gather(name + " (validation split)", val)};
    }

    private Dataset gather(String newName, int[] idx) {
        float[] gx = new float[idx.length * features];
        int[] gy = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(x, idx[i] * features, gx, i * features, features);
            gy[i] = labels[idx[i]];
        }
        return new Dataset(newName, gx, gy, idx.length, features, classes);
    }

    @Override
    public String toString() {
        return name + " (" + rows + " x " + features + ", " + classes + " classes)";
    }
}
