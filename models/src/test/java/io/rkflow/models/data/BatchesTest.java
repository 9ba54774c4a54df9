package io.rkflow.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchesTest {
    private static boolean isPermutation(int[] p) {
        int[] s = p.clone();
        Arrays.sort(s);
        for (int i = 0; i < s.length; i++) if (s[i] != i) return false;
        return true;
    }

    @Test
    void sameSeedAndEpochSameOrderOtherEpochsDiffer() {
        Batches a = new Batches(1000, 32, 42);
        Batches b = new Batches(1000, 32, 42);
        for (int e = 0; e < 5; e++) {
            assertArrayEquals(a.order(e), b.order(e));
            assertArrayEquals(a.order(e), a.order(e));
            assertEquals(true, isPermutation(a.order(e)));
        }
        assertFalse(Arrays.equals(a.order(0), a.order(1)));
        assertFalse(Arrays.equals(a.order(1), a.order(2)));
        assertFalse(Arrays.equals(a.order(0), new Batches(1000, 32, 43).order(0)));
        int[] identity = Batches.identity(1000);
        assertFalse(Arrays.equals(identity, a.order(0)));
    }

    @Test
    void orderIsPinned() {
        // The order is part of a run's reproducibility: it must not change between machines or JDKs.
        // If SplittableRandom or the seeding ever changes, these values change with it, and so do runs.
        Batches b = new Batches(10, 2, 42);
        assertArrayEquals(new int[] {4, 3, 7, 9, 1, 5, 2, 8, 0, 6}, b.order(0));
        assertArrayEquals(new int[] {5, 7, 0, 6, 4, 2, 9, 8, 3, 1}, b.order(1));
    }

    @Test
    void batchesPerEpochDropsThePartialBatch() {
        assertEquals(3, new Batches(100, 32, 1).batchesPerEpoch());
        assertEquals(4, new Batches(128, 32, 1).batchesPerEpoch());
        assertEquals(1, new Batches(5, 5, 1).batchesPerEpoch());
        assertThrows(IllegalArgumentException.class, () -> new Batches(5, 6, 1));
        assertThrows(IllegalArgumentException.class, () -> new Batches(5, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Batches(1, 1, 1).order(-1));
    }

    @Test
    void fillCopiesTheRowsOfTheOrder() {
        int rows = 23;
        int f = 3;
        float[] x = new float[rows * f];
        int[] y = new int[rows];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < f; k++) x[r * f + k] = r * 10 + k;
            y[r] = r % 7;
        }
        Dataset d = new Dataset("rows", x, y, rows, f, 7);
        Batches b = new Batches(rows, 5, 99);
        assertEquals(4, b.batchesPerEpoch());
        float[] xb = new float[5 * f];
        int[] yb = new int[5];
        for (int epoch : new int[] {0, 1, 0}) {
            int[] order = b.order(epoch);
            for (int batch = 0; batch < 4; batch++) {
                b.fill(d, epoch, batch, xb, yb);
                for (int i = 0; i < 5; i++) {
                    int r = order[batch * 5 + i];
                    assertEquals(y[r], yb[i]);
                    for (int k = 0; k < f; k++) assertEquals(x[r * f + k], xb[i * f + k]);
                }
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> b.fill(d, 0, 4, xb, yb));
        assertThrows(IllegalArgumentException.class, () -> b.fill(d, 0, 0, new float[4], yb));
        assertThrows(IllegalArgumentException.class, () -> b.fill(d.slice(0, 20), 0, 0, xb, yb));
    }
}
