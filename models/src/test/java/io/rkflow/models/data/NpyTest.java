package io.rkflow.models.data;

import static io.rkflow.models.data.DataFiles.f4;
import static io.rkflow.models.data.DataFiles.f8;
import static io.rkflow.models.data.DataFiles.i4;
import static io.rkflow.models.data.DataFiles.i8;
import static io.rkflow.models.data.DataFiles.npy;
import static io.rkflow.models.data.DataFiles.npyWithHeader;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.io.BadFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    private static final long[] SHAPE_2x3 = {2, 3};
    private static final float[] SIX = {1.5f, -2f, 3f, 4f, 0.25f, 6f};

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), () -> "message lacks '" + p + "': " + message);
        }
    }

    private String featuresFail(byte[] bytes) throws IOException {
        Path f = write("bad.npy", bytes);
        String m = assertThrows(BadFileException.class, () -> Npy.features(f)).getMessage();
        assertTrue(m.startsWith(f.toString()), m);
        return m;
    }

    private String labelsFail(byte[] labels, Table.ClassLimit limit) throws IOException {
        Path x = write("x.npy", npy(1, "<f4", false, new long[] {3, 1}, f4(new float[] {1, 2, 3})));
        Path y = write("y.npy", labels);
        return assertThrows(BadFileException.class, () -> Npy.read(x, y, limit)).getMessage();
    }

    @Test
    void versionsOneTwoAndThreeAndEveryNumericDtypeRead() throws IOException {
        for (int major = 1; major <= 3; major++) {
            Table t = Npy.features(write("v" + major + ".npy", npy(major, "<f4", false, SHAPE_2x3, f4(SIX))));
            assertArrayEquals(SIX, t.x(), "version " + major);
            assertEquals(2, t.rows());
            assertEquals(3, t.features());
            assertNull(t.labels());
        }
        double[] d = {1.5, -2, 3, 4, 0.25, 6};
        assertArrayEquals(SIX, Npy.features(write("f8.npy", npy(1, "<f8", false, SHAPE_2x3, f8(d)))).x());
        assertArrayEquals(SIX, Npy.features(write("be.npy", npy(1, ">f4", false, SHAPE_2x3,
                f4(SIX, ByteOrder.BIG_ENDIAN)))).x(), "big-endian");
        byte[] u1 = {0, 1, 127, (byte) 128, (byte) 200, (byte) 255};
        assertArrayEquals(new float[] {0, 1, 127, 128, 200, 255},
                Npy.features(write("u1.npy", npy(1, "|u1", false, SHAPE_2x3, u1))).x(), "uint8 pixels keep 0..255");
        assertArrayEquals(new float[] {0, 1, 127, -128, -56, -1},
                Npy.features(write("i1.npy", npy(1, "|i1", false, SHAPE_2x3, u1))).x());
        assertArrayEquals(new float[] {-7, 0, 1 << 20, 5, 6, 7}, Npy.features(write("i4.npy", npy(1, "<i4", false,
                SHAPE_2x3, i4(new int[] {-7, 0, 1 << 20, 5, 6, 7})))).x());
        assertArrayEquals(new float[] {-7, 0, 1, 5, 6, 7}, Npy.features(write("i8.npy", npy(1, "<i8", false,
                SHAPE_2x3, i8(new int[] {-7, 0, 1, 5, 6, 7})))).x());
        ByteBuffer half = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : SIX) half.putShort(Float.floatToFloat16(f));
        assertArrayEquals(SIX, Npy.features(write("f2.npy", npy(1, "<f2", false, SHAPE_2x3, half.array()))).x());
        ByteBuffer u8 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(3);
        assertArrayEquals(new float[] {1.8446744e19f, 3}, Npy.features(write("u8.npy", npy(1, "<u8", false,
                new long[] {1, 2}, u8.array()))).x(), "uint64 beyond 2^63 is taken as unsigned");
    }

    @Test
    void fortranOrderIsReorderedToRowsInCOrder() throws IOException {
        // the 2 x 3 matrix [[1.5, -2, 3], [4, 0.25, 6]] in column-major order
        float[] columns = {1.5f, 4f, -2f, 0.25f, 3f, 6f};
        assertArrayEquals(SIX, Npy.features(write("f.npy", npy(1, "<f4", true, SHAPE_2x3, f4(columns)))).x());
        // a (2, 2, 3) array: element [i, j, k] = 100 i + 10 j + k, row i flattened as [j, k] in C order
        float[] c = new float[12];
        float[] f = new float[12];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                for (int k = 0; k < 3; k++) {
                    c[(i * 2 + j) * 3 + k] = 100 * i + 10 * j + k;
                    f[i + 2 * (j + 2 * k)] = 100 * i + 10 * j + k;
                }
            }
        }
        Table t = Npy.features(write("f3.npy", npy(2, "<f4", true, new long[] {2, 2, 3}, f4(f))));
        assertArrayEquals(c, t.x());
        assertEquals(6, t.features());
    }

    @Test
    void labelsMayBeAColumnOrIntegralFloats() throws IOException {
        Path x = write("x.npy", npy(1, "<f4", false, new long[] {3, 1}, f4(new float[] {1, 2, 3})));
        Path column = write("y.npy", npy(1, "<i4", false, new long[] {3, 1}, i4(new int[] {2, 0, 1})));
        assertArrayEquals(new int[] {2, 0, 1}, Npy.read(x, column, Table.ClassLimit.ANY).labels());
        Path floats = write("yf.npy", npy(1, "<f8", false, new long[] {3}, f8(new double[] {2, 0, 1})));
        assertArrayEquals(new int[] {2, 0, 1}, Npy.read(x, floats, Table.ClassLimit.ANY).labels());
        Path bytes = write("yb.npy", npy(1, "|u1", false, new long[] {3}, new byte[] {9, 0, 1}));
        assertEquals(10, Npy.read(x, bytes, Table.ClassLimit.ANY).classes());
    }

    @Test
    void aTruncatedFileIsNamedWithTheOffsetWhereItEnds() throws IOException {
        byte[] full = npy(1, "<f4", false, SHAPE_2x3, f4(SIX));
        assertContains(featuresFail(Arrays.copyOf(full, full.length - 5)), ": at byte offset " + (full.length - 5)
                + ": the data ends early: shape (2, 3) of <f4 needs 24 bytes (offsets 128 to 152), but only 19 are"
                + " present; the file is truncated");
        assertContains(featuresFail(Arrays.copyOf(full, 40)), ": at byte offset 40: the file ends inside the header,"
                + " which is 118 bytes from offset 10");
        assertContains(featuresFail(Arrays.copyOf(full, 7)), ": at byte offset 7: the file ends before the format"
                + " version");
        assertContains(featuresFail(new byte[0]), ": at byte offset 0: the file ends inside the magic string");
    }

    @Test
    void aHeaderThatLiesAboutTheShapeIsCaught() throws IOException {
        // 6 floats under a header that says (2, 2): 8 bytes too many
        assertContains(featuresFail(npy(1, "<f4", false, new long[] {2, 2}, f4(SIX))), ": at byte offset 144: 8 bytes"
                + " after the data: shape (2, 2) of <f4 accounts for exactly 16 bytes, ending at offset 144, but the"
                + " file goes on to offset 152; the header's shape is wrong");
        // and one that says (2, 4): 8 bytes too few
        assertContains(featuresFail(npy(1, "<f4", false, new long[] {2, 4}, f4(SIX))), "the data ends early: shape"
                + " (2, 4) of <f4 needs 32 bytes");
        assertContains(featuresFail(npy(1, "<f4", false, new long[] {1L << 40, 1L << 40}, new byte[0])),
                ": at byte offset 10: shape (1099511627776, 1099511627776) has more than 2147483639 elements");
    }

    @Test
    void badMagicVersionAndHeadersAreNamed() throws IOException {
        byte[] ok = npy(1, "<f4", false, SHAPE_2x3, f4(SIX));
        byte[] magic = ok.clone();
        magic[1] = 'X';
        assertContains(featuresFail(magic), ": at byte offset 1: bad magic: an .npy file starts with \\x93NUMPY");
        byte[] version = ok.clone();
        version[6] = 4;
        assertContains(featuresFail(version), ": at byte offset 6: .npy format version 4.0 is not supported; this"
                + " reader reads versions 1.0, 2.0 and 3.0");
        assertContains(featuresFail(npyWithHeader(1, "{'descr': '<f4', 'fortran_order': False}", f4(SIX))),
                "the header has no 'shape'");
        assertContains(featuresFail(npyWithHeader(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3),"
                + " 'extra': 1}", f4(SIX))), "the header has a key 'extra'");
        assertContains(featuresFail(npyWithHeader(1, "{'descr': '<f4' 'fortran_order': False}", f4(SIX))),
                ": at byte offset 26: the header is not a Python dict literal as numpy writes it: expected ',' or '}'");
        assertContains(featuresFail(npyWithHeader(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}",
                f4(SIX))), "a negative dimension -3");
    }

    @Test
    void dtypesThatAreNotNumbersAreRefused() throws IOException {
        assertContains(featuresFail(npy(1, "<c8", false, new long[] {1, 3}, new byte[24])), ": at byte offset 10:"
                + " dtype '<c8' is not supported; this reader takes float16/32/64, int8/16/32/64, uint8/16/32/64 and"
                + " bool");
        assertContains(featuresFail(npy(1, "|O", false, SHAPE_2x3, new byte[48])), "dtype '|O' is not supported");
        assertContains(featuresFail(npyWithHeader(1, "{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False,"
                + " 'shape': (2,), }", new byte[16])), "is structured (a record array)");
        assertContains(featuresFail(npy(1, "|f4", false, SHAPE_2x3, f4(SIX))), "dtype '|f4' has no byte order");
    }

    @Test
    void nonFiniteFeaturesAreNamedByOffsetAndIndex() throws IOException {
        float[] v = SIX.clone();
        v[4] = Float.NaN;
        assertContains(featuresFail(npy(1, "<f4", false, SHAPE_2x3, f4(v))), ": at byte offset 144: element [1, 1] is"
                + " NaN; features must be finite floats");
        assertContains(featuresFail(npy(1, "<f8", false, SHAPE_2x3, f8(new double[] {1, 2, 3, 4, 5, 1e300}))),
                ": at byte offset 168: element [1, 2] is 1.0E300, beyond the float range");
        // in Fortran order the element's index is still its place in the array
        float[] columns = {1.5f, 4f, -2f, Float.POSITIVE_INFINITY, 3f, 6f};
        assertContains(featuresFail(npy(1, "<f4", true, SHAPE_2x3, f4(columns))), ": at byte offset 140: element"
                + " [1, 1] is infinite");
    }

    @Test
    void shapesThatAreNotFeaturesOrLabelsAreNamed() throws IOException {
        assertContains(featuresFail(npy(1, "<f4", false, new long[] {6}, f4(SIX))), "an array of shape (6,) is not"
                + " features: they need 2 or more dimensions, (rows, features) or (rows, d1, d2, ...); is it a labels"
                + " file?");
        assertContains(featuresFail(npy(1, "<f4", false, new long[] {0, 3}, new byte[0])), "an array of shape (0, 3)"
                + " holds no rows");
        assertContains(labelsFail(npy(1, "<f4", false, new long[] {3, 2}, f4(SIX)), Table.ClassLimit.ANY),
                "y.npy: an array of shape (3, 2) is not labels: they need shape (rows,) or (rows, 1); is it a features"
                + " file?");
    }

    @Test
    void featuresAndLabelsOfOtherRowCountsAreNamedWithBothShapes() throws IOException {
        String m = labelsFail(npy(1, "<i8", false, new long[] {4}, i8(new int[] {0, 1, 2, 3})), Table.ClassLimit.ANY);
        assertContains(m, "features and labels disagree: " + dir.resolve("x.npy") + " has 3 rows (shape (3, 1)"
                + " flattened) but " + dir.resolve("y.npy") + " has 4 labels (shape (4,))");
    }

    @Test
    void badLabelsAreNamedByOffsetAndIndex() throws IOException {
        Table.ClassLimit two = new Table.ClassLimit(2, "the model 1-2:relu has 2 outputs");
        assertContains(labelsFail(npy(1, "<i8", false, new long[] {3}, i8(new int[] {0, 2, 1})), two),
                "y.npy: at byte offset 136: label [1]: label 2 is out of range: expected a class 0..1 (the model"
                        + " 1-2:relu has 2 outputs)");
        assertContains(labelsFail(npy(1, "<i4", false, new long[] {3}, i4(new int[] {0, 1, -1})), two),
                "y.npy: at byte offset 136: label [2]: label -1 is out of range");
        assertContains(labelsFail(npy(1, "<f4", false, new long[] {3}, f4(new float[] {0, 0.5f, 1})), two),
                "y.npy: at byte offset 132: label [1] is 0.5, not an integer");
    }
}
