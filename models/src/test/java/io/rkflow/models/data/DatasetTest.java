package io.rkflow.models.data;

import static io.rkflow.models.data.IdxFiles.gzip;
import static io.rkflow.models.data.IdxFiles.ubyte;
import static io.rkflow.models.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
    @TempDir
    Path dir;

    private Dataset small(int n) throws IOException {
        IdxFiles.writeImagesAndLabels(dir, "img" + n, "lab" + n, n, 2, 3);
        return Dataset.fromIdx("small", dir.resolve("img" + n), dir.resolve("lab" + n));
    }

    @Test
    void pixelsAreScaledToUnitInterval() throws IOException {
        byte[] pix = {0, (byte) 255, (byte) 128, 1, 51, (byte) 204};
        Path img = write(dir, "img", ubyte(new int[] {1, 2, 3}, pix));
        Path lab = write(dir, "lab", gzip(ubyte(new int[] {1}, new byte[] {9})));
        Dataset d = Dataset.fromIdx("one", img, lab);
        assertEquals(1, d.rows());
        assertEquals(6, d.features());
        assertEquals(10, d.classes());
        assertArrayEquals(new float[] {0f, 1f, 128 / 255f, 1 / 255f, 0.2f, 0.8f}, d.x());
        assertArrayEquals(new int[] {9}, d.labels());
    }

    @Test
    void countMismatchNamesBothFilesAndCounts() throws IOException {
        Path img = write(dir, "images.idx", ubyte(new int[] {4, 2, 2}, new byte[16]));
        Path lab = write(dir, "labels.idx", ubyte(new int[] {3}, new byte[3]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Dataset.fromIdx("x", img, lab));
        String m = e.getMessage();
        assertTrue(m.contains(img + " has 4 images") && m.contains(lab + " has 3 labels"), m);
    }

    @Test
    void labelOutOfRangeNamesFileIndexAndValue() throws IOException {
        Path img = write(dir, "images.idx", ubyte(new int[] {4, 1, 1}, new byte[4]));
        Path lab = write(dir, "labels.idx", ubyte(new int[] {4}, new byte[] {1, 2, (byte) 200, 3}));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Dataset.fromIdx("x", img, lab));
        String m = e.getMessage();
        assertTrue(m.contains(lab.toString()) && m.contains("label 2 ") && m.contains("is 200")
                && m.contains("0..9"), m);
    }

    @Test
    void wrongShapesAreNamed() throws IOException {
        Path flat = write(dir, "flat", ubyte(new int[] {4}, new byte[4]));
        Path img = write(dir, "img", ubyte(new int[] {4, 1, 1}, new byte[4]));
        String m = assertThrows(IdxFormatException.class, () -> Dataset.fromIdx("x", flat, flat)).getMessage();
        assertTrue(m.contains(flat + ": an image file must have 3 dimensions") && m.contains("[4]"), m);
        m = assertThrows(IdxFormatException.class, () -> Dataset.fromIdx("x", img, img)).getMessage();
        assertTrue(m.contains(img + ": a label file must have 1 dimension"), m);
    }

    @Test
    void standardizationGivesZeroMeanUnitStd() throws IOException {
        Dataset d = small(500);
        float mean = d.mean();
        float std = d.std();
        assertTrue(mean > 0.3f && mean < 0.7f && std > 0.1f, mean + " " + std);
        Dataset z = d.standardized(mean, std);
        assertEquals(0f, z.mean(), 1e-5f);
        assertEquals(1f, z.std(), 1e-5f);
        assertEquals(d.rows(), z.rows());
        assertArrayEquals(d.labels(), z.labels());
        assertEquals((d.x()[7] - mean) / std, z.x()[7], 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> d.standardized(0f, 0f));
        assertThrows(IllegalArgumentException.class, () -> d.standardized(Float.NaN, 1f));
    }

    @Test
    void meanAndStdOfKnownValues() {
        Dataset d = new Dataset("k", new float[] {1, 2, 3, 4}, new int[] {0, 1}, 2, 2, 2);
        assertEquals(2.5f, d.mean());
        assertEquals((float) Math.sqrt(1.25), d.std());
    }

    @Test
    void sliceCopiesRows() throws IOException {
        Dataset d = small(12);
        Dataset s = d.slice(3, 7);
        assertEquals(4, s.rows());
        assertArrayEquals(Arrays.copyOfRange(d.x(), 18, 42), s.x());
        assertArrayEquals(new int[] {3, 4, 5, 6}, s.labels());
        assertEquals(0, d.slice(5, 5).rows());
        assertThrows(IndexOutOfBoundsException.class, () -> d.slice(8, 13));
        assertThrows(IndexOutOfBoundsException.class, () -> d.slice(4, 3));
    }

    @Test
    void splitIsDeterministicDisjointAndCovering() throws IOException {
        // One distinct pixel value per row identifies the row in each part.
        int n = 200;
        float[] x = new float[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = i % 10;
        }
        Dataset d = new Dataset("ids", x, y, n, 1, 10);
        Dataset[] a = d.split(50, 7);
        Dataset[] b = d.split(50, 7);
        Dataset[] c = d.split(50, 8);
        assertEquals(150, a[0].rows());
        assertEquals(50, a[1].rows());
        assertArrayEquals(a[0].x(), b[0].x());
        assertArrayEquals(a[1].x(), b[1].x());
        assertFalse(Arrays.equals(a[1].x(), c[1].x()), "another seed, another split");
        Set<Float> seen = new HashSet<>();
        for (Dataset part : a) {
            for (int i = 0; i < part.rows(); i++) {
                assertTrue(seen.add(part.x()[i]), "row in both parts");
                assertEquals(((int) part.x()[i]) % 10, part.labels()[i], "label travels with its row");
            }
        }
        assertEquals(n, seen.size());
        // A random split, not the first or last 50 rows.
        assertNotEquals(150f, a[1].x()[0]);
        assertNotEquals(0f, a[1].x()[0] + a[1].x()[49] - 49f);
        assertEquals(0, d.split(0, 1)[1].rows());
        assertEquals(n, d.split(n, 1)[1].rows());
        assertThrows(IllegalArgumentException.class, () -> d.split(n + 1, 1));
    }

    @Test
    void constructorRejectsInconsistentArrays() {
        assertThrows(IllegalArgumentException.class, () -> new Dataset("a", new float[5], new int[2], 2, 2, 10));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("a", new float[4], new int[3], 2, 2, 10));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("a", new float[4], new int[] {0, 10}, 2, 2, 10));
    }
}
