package io.rkflow.models.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader of the IDX format of LeCun's MNIST files (also used by Fashion-MNIST): a magic number of
 * two zero bytes, a type byte and a dimension-count byte, then one big-endian int32 per dimension,
 * then the data, row major. Only type 0x08 (unsigned byte) is supported, the only type those data
 * sets use. Files may be gzip-compressed (recognised by the gzip magic 0x1f 0x8b, not by the name)
 * or raw.
 *
 * <p>The file is validated completely: a bad magic number, an unsupported type, a dimension count
 * outside 1..4, a negative dimension, a data section shorter or longer than the product of the
 * dimensions, or a corrupt gzip stream are each an {@link IdxFormatException} naming the file, the
 * byte offset and what is wrong. A partial array is never returned.
 *
 * <p>The data is streamed straight into the result array, which is allocated at its final size
 * whenever the file size (raw) or the gzip trailer's size field agrees with the header, so a 47 MB
 * image file costs 47 MB of heap, not twice that.
 */
public final class Idx {
    /** The IDX type byte of unsigned bytes, the only one supported. */
    public static final int TYPE_UNSIGNED_BYTE = 0x08;
    /** The most dimensions accepted; MNIST-style files have 1 (labels) or 3 (images). */
    public static final int MAX_DIMENSIONS = 4;
    /** The largest Java array the reader will allocate. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** Initial capacity when the header is not confirmed by the file size: grows as data arrives. */
    private static final int UNCONFIRMED_CAPACITY = 1 << 20;
    private static final int CHUNK = 1 << 20;

    private Idx() {}

    /**
     * An IDX array: its dimensions and its data, row major, one unsigned byte per element (read
     * with {@code b & 0xFF}).
     */
    public record IdxArray(int[] dims, byte[] data) {
        public IdxArray {
            long n = 1;
            for (int d : dims) {
                if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("dimensions " + Arrays.toString(dims) + " need " + n
                        + " data bytes, got " + data.length);
            }
        }

        @Override
        public String toString() {
            return "IdxArray" + Arrays.toString(dims);
        }
    }

    /**
     * Reads and validates one IDX file of unsigned bytes, gzip-compressed or raw.
     *
     * @throws IdxFormatException if the file is not a complete, well-formed IDX file of type 0x08
     * @throws IOException if it cannot be read (missing, unreadable)
     */
    public static IdxArray read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new io.rkflow.models.io.BadFileException(file + " is a folder, not an IDX file");
        }
        if (!Files.exists(file)) {
            throw new io.rkflow.models.io.BadFileException(file + ": no such file");
        }
        if (!Files.isReadable(file)) {
            throw new io.rkflow.models.io.BadFileException(file + ": not readable (permission denied)");
        }
        try (InputStream fileIn = Files.newInputStream(file);
             BufferedInputStream buffered = new BufferedInputStream(fileIn, 1 << 16)) {
            buffered.mark(2);
            int b0 = buffered.read();
            int b1 = buffered.read();
            buffered.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            if (!gzip) {
                return new Reader(file, false, buffered).read(Files.size(file));
            }
            GZIPInputStream gz;
            try {
                gz = new GZIPInputStream(buffered, 1 << 16);
            } catch (ZipException | EOFException e) {
                throw new IdxFormatException(file, 0, true,
                        "corrupt or truncated gzip header (" + e.getMessage() + ")", e);
            }
            try (gz) {
                return new Reader(file, true, gz).read(gzipSizeHint(file));
            }
        }
    }

    /**
     * The images of an IDX file of shape (n, h, w), without labels: n rows of h × w pixels, each
     * {@code p / 255f}, in [0, 1], named after the file.
     *
     * @throws IdxFormatException if the file is malformed or not 3-dimensional, or its images are empty
     */
    public static Table images(Path file) throws IOException {
        IdxArray img = read(file);
        if (img.dims().length != 3) {
            throw new IdxFormatException(file + ": an image file must have 3 dimensions (count, height, width); it has "
                    + img.dims().length + ": " + Arrays.toString(img.dims()));
        }
        int features = img.dims()[1] * img.dims()[2]; // product <= data length, fits an int
        if (features == 0) {
            throw new IdxFormatException(file + ": images of " + img.dims()[1] + " x " + img.dims()[2]
                    + " pixels are empty");
        }
        float[] scale = new float[256];
        for (int p = 0; p < 256; p++) scale[p] = p / 255f;
        byte[] pix = img.data();
        float[] x = new float[pix.length];
        for (int i = 0; i < pix.length; i++) x[i] = scale[pix[i] & 0xFF];
        return new Table(file.toString(), x, img.dims()[0], features, null);
    }

    /** The gzip trailer's ISIZE (decompressed size mod 2^32) of a single-member file; -1 if absent. */
    private static long gzipSizeHint(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 18) return -1;
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                if (ch.read(b, size - 4 + b.position()) < 0) return -1;
            }
            return b.getInt(0) & 0xFFFF_FFFFL;
        }
    }

    /** One pass over the (decompressed) stream, tracking the byte offset for error messages. */
    private static final class Reader {
        private final Path file;
        private final boolean gzip;
        private final InputStream in;
        private long offset;

        Reader(Path file, boolean gzip, InputStream in) {
            this.file = file;
            this.gzip = gzip;
            this.in = in;
        }

        private IdxFormatException error(long at, String what) {
            return new IdxFormatException(file, at, gzip, what);
        }

        /** Reads len bytes of header, or reports where and while doing what the stream ended. */
        private byte[] header(int len, String reading) throws IOException {
            byte[] b = new byte[len];
            int got = 0;
            while (got < len) {
                int r = read(b, got, len - got);
                if (r < 0) {
                    throw error(offset, "the file ends inside the header, while reading " + reading
                            + " (" + got + " of its " + len + " bytes present); the file is truncated or not an IDX file");
                }
                got += r;
                offset += r;
            }
            return b;
        }

        /** in.read, with a gzip decoding failure turned into an error that says where. */
        private int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (ZipException | EOFException e) {
                if (!gzip) throw e;
                throw new IdxFormatException(file, offset, true,
                        "corrupt or truncated gzip stream (" + e.getMessage() + ")", e);
            }
        }

        /** @param sizeHint raw: the file size; gzip: the trailer's ISIZE; -1: unknown */
        IdxArray read(long sizeHint) throws IOException {
            byte[] magic = header(4, "the 4-byte magic number");
            if (magic[0] != 0 || magic[1] != 0) {
                throw error(0, String.format(
                        "bad magic number 0x%02X%02X%02X%02X: an IDX file starts with two zero bytes, then a type byte and a"
                                + " dimension count (0x0000080N for unsigned bytes); this is not an IDX file",
                        magic[0], magic[1], magic[2], magic[3]));
            }
            int type = magic[2] & 0xFF;
            if (type != TYPE_UNSIGNED_BYTE) {
                throw error(2, String.format("unsupported IDX data type 0x%02X (%s); only 0x08 (unsigned byte) is supported",
                        type, typeName(type)));
            }
            int ndims = magic[3] & 0xFF;
            if (ndims < 1 || ndims > MAX_DIMENSIONS) {
                throw error(3, "dimension count " + ndims + " is out of range; expected 1.." + MAX_DIMENSIONS);
            }
            int headerBytes = 4 + 4 * ndims;
            int[] dims = new int[ndims];
            for (int i = 0; i < ndims; i++) {
                long at = offset;
                byte[] d = header(4, "dimension " + (i + 1) + " of " + ndims + " (the header is " + headerBytes + " bytes)");
                dims[i] = ByteBuffer.wrap(d).getInt(); // big-endian
                if (dims[i] < 0) {
                    throw error(at, "dimension " + (i + 1) + " of " + ndims + " is " + dims[i]
                            + " (0x" + Integer.toHexString(dims[i]).toUpperCase() + "); dimensions must be >= 0");
                }
            }
            long n = elementCount(dims, headerBytes);

            boolean confirmed = gzip
                    ? ((headerBytes + n) & 0xFFFF_FFFFL) == sizeHint
                    : headerBytes + n <= sizeHint;
            byte[] data = new byte[(int) (confirmed ? n : Math.min(n, UNCONFIRMED_CAPACITY))];
            int pos = 0;
            while (pos < n) {
                if (pos == data.length) data = Arrays.copyOf(data, (int) Math.min(n, 2L * data.length));
                int r = read(data, pos, Math.min(data.length - pos, CHUNK));
                if (r < 0) {
                    throw error(offset, "the data ends early: dimensions " + shape(dims) + " need " + n
                            + " data bytes (offsets " + headerBytes + " to " + (headerBytes + n) + "), but only "
                            + pos + " are present; the file is truncated");
                }
                pos += r;
                offset += r;
            }

            byte[] one = new byte[1];
            int r = read(one, 0, 1);
            if (r > 0) {
                long extra = 1 + skipRest();
                throw error(offset, extra + " trailing byte" + (extra == 1 ? "" : "s") + " after the data: dimensions "
                        + shape(dims) + " account for exactly " + n + " data bytes, ending at offset " + offset
                        + ", but the file goes on to offset " + (offset + extra));
            }
            return new IdxArray(dims, data);
        }

        private long skipRest() throws IOException {
            try {
                return in.transferTo(OutputStream.nullOutputStream());
            } catch (ZipException | EOFException e) {
                if (!gzip) throw e;
                throw new IdxFormatException(file, offset, true,
                        "trailing data after the IDX data, and the gzip stream is corrupt (" + e.getMessage() + ")", e);
            }
        }

        private long elementCount(int[] dims, int headerBytes) throws IdxFormatException {
            for (int d : dims) if (d == 0) return 0;
            long n = 1;
            for (int d : dims) {
                n *= d; // n <= MAX_ARRAY < 2^31 before, d < 2^31: no overflow
                if (n > MAX_ARRAY) {
                    throw error(4, "dimensions " + shape(dims) + " describe more than " + MAX_ARRAY
                            + " data bytes, the largest array a Java reader can hold; the header is corrupt"
                            + " (or the file is too large for this reader)");
                }
            }
            return n;
        }
    }

    private static String shape(int[] dims) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < dims.length; i++) s.append(i == 0 ? "" : " x ").append(dims[i]);
        return s.toString();
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x08 -> "unsigned byte";
            case 0x09 -> "signed byte";
            case 0x0B -> "int16";
            case 0x0C -> "int32";
            case 0x0D -> "float32";
            case 0x0E -> "float64";
            default -> "not an IDX type";
        };
    }
}
