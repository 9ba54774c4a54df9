package io.rkflow.models.data;

import static io.rkflow.models.data.IdxFiles.gzip;
import static io.rkflow.models.data.IdxFiles.idx;
import static io.rkflow.models.data.IdxFiles.ubyte;
import static io.rkflow.models.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 7 + 200); // covers values >= 128
        return b;
    }

    private static void assertMessage(IdxFormatException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "message lacks '" + p + "': " + e.getMessage());
        }
    }

    private IdxFormatException fails(String name, byte[] content) {
        Path f = write(dir, name, content);
        return assertThrows(IdxFormatException.class, () -> Idx.read(f));
    }

    private Path write(Path d, String name, byte[] content) {
        try {
            return IdxFiles.write(d, name, content);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void roundTripsRawAndGzipOneAndThreeDimensions() throws IOException {
        int[][] shapes = {{5}, {0}, {3, 4, 5}, {2, 0, 7}, {2, 3, 4, 5}};
        for (int[] dims : shapes) {
            int n = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
            byte[] data = bytes(n);
            byte[] raw = ubyte(dims, data);
            for (boolean gz : new boolean[] {false, true}) {
                Path f = write(dir, "a" + Arrays.toString(dims) + gz, gz ? gzip(raw) : raw);
                Idx.IdxArray a = Idx.read(f);
                assertArrayEquals(dims, a.dims(), f.toString());
                assertArrayEquals(data, a.data(), f.toString());
            }
        }
    }

    @Test
    void gzipIsDetectedByContentNotName() throws IOException {
        byte[] raw = ubyte(new int[] {3}, bytes(3));
        assertArrayEquals(bytes(3), Idx.read(write(dir, "plain.gz", raw)).data());
        assertArrayEquals(bytes(3), Idx.read(write(dir, "packed", gzip(raw))).data());
    }

    @Test
    void largerThanTheInitialBufferWhenTheSizeIsNotConfirmed() throws IOException {
        // A gzip stream of two members: the trailer's ISIZE covers only the second, so the reader
        // cannot trust the header and grows its buffer; the result must still be exact.
        byte[] data = bytes(3_000_000);
        byte[] raw = ubyte(new int[] {3000, 1000}, data);
        byte[] a = gzip(Arrays.copyOfRange(raw, 0, 1000));
        byte[] b = gzip(Arrays.copyOfRange(raw, 1000, raw.length - 5));
        byte[] c = gzip(Arrays.copyOfRange(raw, raw.length - 5, raw.length));
        byte[] all = new byte[a.length + b.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        System.arraycopy(c, 0, all, a.length + b.length, c.length);
        assertArrayEquals(data, Idx.read(write(dir, "multi.gz", all)).data());
    }

    @Test
    void wrongMagicIsNotAnIdxFile() {
        IdxFormatException e = fails("png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
        assertMessage(e, dir.resolve("png").toString(), "byte offset 0", "bad magic number 0x89504E47", "not an IDX file");
    }

    @Test
    void nonZeroLeadingBytes() {
        byte[] f = ubyte(new int[] {2}, bytes(2));
        f[1] = 1;
        assertMessage(fails("lead", f), "lead", "byte offset 0", "0x00010801", "two zero bytes");
    }

    @Test
    void unsupportedTypeIsNamed() {
        IdxFormatException e = fails("float", idx(0x0D, new int[] {1}, new byte[4]));
        assertMessage(e, "float", "byte offset 2", "0x0D (float32)", "only 0x08 (unsigned byte)");
        assertMessage(fails("odd", idx(0x42, new int[] {1}, new byte[1])), "0x42 (not an IDX type)");
    }

    @Test
    void dimensionCountOutOfRange() {
        assertMessage(fails("zero", idx(0x08, new int[0], new byte[0])), "byte offset 3", "dimension count 0", "1..4");
        assertMessage(fails("five", ubyte(new int[] {1, 1, 1, 1, 1}, new byte[1])), "dimension count 5", "1..4");
    }

    @Test
    void truncatedHeader() {
        assertMessage(fails("empty", new byte[0]), "empty", "byte offset 0", "ends inside the header", "magic");
        byte[] f = Arrays.copyOf(ubyte(new int[] {60000, 28, 28}, new byte[0]), 10);
        assertMessage(fails("short", f), "short", "byte offset 10", "dimension 2 of 3", "header is 16 bytes",
                "2 of its 4 bytes");
        assertMessage(fails("short.gz", gzipQuietly(f)), "byte offset 10 of the decompressed gzip stream",
                "dimension 2 of 3");
    }

    @Test
    void truncatedDataNamesFileOffsetAndExpectedSize() {
        byte[] full = ubyte(new int[] {10, 4, 5}, bytes(200));
        byte[] cut = Arrays.copyOf(full, 16 + 150);
        IdxFormatException e = fails("cut", cut);
        assertMessage(e, dir.resolve("cut").toString(), "byte offset 166", "10 x 4 x 5", "need 200 data bytes",
                "offsets 16 to 216", "only 150 are present", "truncated");
        IdxFormatException g = fails("cut.gz", gzipQuietly(cut));
        assertMessage(g, "cut.gz", "byte offset 166 of the decompressed gzip stream", "need 200 data bytes",
                "only 150");
    }

    @Test
    void trailingBytesAreAnError() {
        byte[] full = ubyte(new int[] {3}, bytes(3));
        byte[] longer = Arrays.copyOf(full, full.length + 4);
        assertMessage(fails("long", longer), "long", "4 trailing bytes", "exactly 3 data bytes", "ending at offset 11",
                "to offset 15");
        assertMessage(fails("long.gz", gzipQuietly(longer)), "of the decompressed gzip stream", "4 trailing bytes");
    }

    @Test
    void negativeAndHugeDimensions() {
        byte[] neg = ubyte(new int[] {5, -1, 3}, new byte[0]);
        assertMessage(fails("neg", neg), "neg", "byte offset 8", "dimension 2 of 3 is -1", "0xFFFFFFFF", ">= 0");
        byte[] huge = ubyte(new int[] {100000, 100000, 100000}, new byte[0]);
        assertMessage(fails("huge", huge), "huge", "100000 x 100000 x 100000", "largest array", "header is corrupt");
        // Large but representable: must fail as truncated without allocating the claimed 2 GB up front.
        byte[] big = ubyte(new int[] {2_000_000_000}, bytes(10));
        assertMessage(fails("big", big), "need 2000000000 data bytes", "only 10 are present");
    }

    @Test
    void corruptGzipStream() {
        byte[] gz = gzipQuietly(ubyte(new int[] {1000}, bytes(1000)));
        byte[] bad = gz.clone();
        bad[10] |= 0x06; // first deflate block header: block type 11, reserved
        assertMessage(fails("bad.gz", bad), "bad.gz", "byte offset 0 of the decompressed gzip stream",
                "corrupt or truncated gzip stream", "invalid block type");

        byte[] late = gzipQuietly(ubyte(new int[] {100_000}, bytes(100_000)));
        byte[] lateBad = late.clone();
        lateBad[lateBad.length - 12] ^= (byte) 0xFF; // near the end of the deflate data
        assertMessage(fails("late.gz", lateBad), "late.gz", "decompressed gzip stream", "gzip");

        byte[] cut = Arrays.copyOf(gz, gz.length / 2); // compressed stream cut short
        assertMessage(fails("cut.gz", cut), "cut.gz", "corrupt or truncated gzip");

        byte[] crc = gz.clone();
        crc[crc.length - 6] ^= 1; // CRC32 of the trailer wrong
        assertMessage(fails("crc.gz", crc), "crc.gz", "gzip");

        assertMessage(fails("magic-only.gz", new byte[] {0x1f, (byte) 0x8b}), "magic-only.gz", "byte offset 0",
                "gzip header");
    }

    private static byte[] gzipQuietly(byte[] raw) {
        try {
            return gzip(raw);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
