package io.rkflow.models.data;

import java.util.SplittableRandom;

/**
 * The mini-batch order of training: epoch {@code e} visits the rows in a permutation drawn by a
 * Fisher-Yates shuffle from a {@link SplittableRandom} seeded by {@code seed} mixed with {@code e},
 * so a run is reproducible on every machine and JDK from its seed alone.
 *
 * <p>An epoch has {@code rows / batchSize} batches: <b>the last partial batch is dropped</b>
 * (every step sees exactly {@code batchSize} rows, so every step has the same gradient noise
 * scale and the device graphs one shape). Which rows are dropped changes from epoch to epoch.
 *
 * <p>Not thread-safe: {@link #fill} caches the current epoch's permutation.
 */
public final class Batches {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final int rows;
    private final int batchSize;
    private final long seed;
    private final int[] cached;
    private int cachedEpoch = -1;

    /**
     * @param rows      rows of the data set, >= 1
     * @param batchSize rows per batch, 1..rows
     * @param seed      any value; the same seed gives the same order
     */
    public Batches(int rows, int batchSize, long seed) {
        if (rows < 1) throw new IllegalArgumentException("rows is " + rows + "; expected >= 1");
        if (batchSize < 1 || batchSize > rows) {
            throw new IllegalArgumentException("batch size " + batchSize + " for " + rows
                    + " rows; expected 1.." + rows + " (a larger batch would leave no full batch)");
        }
        this.rows = rows;
        this.batchSize = batchSize;
        this.seed = seed;
        this.cached = new int[rows];
    }

    public int rows() {
        return rows;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Full batches per epoch, {@code rows / batchSize}; the remaining rows are dropped. */
    public int batchesPerEpoch() {
        return rows / batchSize;
    }

    /** The row order of {@code epoch} (>= 0), a new array holding a permutation of 0..rows-1. */
    public int[] order(int epoch) {
        int[] p = new int[rows];
        permute(p, epoch);
        return p;
    }

    /**
     * Copies batch {@code batch} of {@code epoch} (rows {@code order(epoch)[batch*B .. batch*B+B)})
     * into {@code xOut} (B x features) and {@code yOut} (B), allocating nothing once the epoch's
     * permutation is cached.
     */
    public void fill(Dataset d, int epoch, int batch, float[] xOut, int[] yOut) {
        if (d.rows() != rows) {
            throw new IllegalArgumentException(d.name() + " has " + d.rows() + " rows; these batches are for " + rows);
        }
        if (batch < 0 || batch >= batchesPerEpoch()) {
            throw new IndexOutOfBoundsException("batch " + batch + "; expected 0.." + (batchesPerEpoch() - 1));
        }
        int f = d.features();
        if (xOut.length != batchSize * f || yOut.length != batchSize) {
            throw new IllegalArgumentException("output arrays of " + xOut.length + " and " + yOut.length
                    + " elements; a batch of " + batchSize + " rows of " + d.name() + " needs " + batchSize * f
                    + " and " + batchSize);
        }
        if (epoch != cachedEpoch) {
            permute(cached, epoch);
            cachedEpoch = epoch;
        }
        float[] x = d.x();
        int[] labels = d.labels();
        int base = batch * batchSize;
        for (int i = 0; i < batchSize; i++) {
            int r = cached[base + i];
            System.arraycopy(x, r * f, xOut, i * f, f);
            yOut[i] = labels[r];
        }
    }

    private void permute(int[] p, int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("epoch " + epoch + "; expected >= 0");
        for (int i = 0; i < p.length; i++) p[i] = i;
        // SplittableRandom's constructor mixes its seed (SplitMix64), so seed + epoch * gamma gives
        // unrelated streams for neighbouring epochs.
        shuffle(p, new SplittableRandom(seed + (epoch + 1L) * GOLDEN_GAMMA));
    }

    /** 0..n-1. */
    static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    /** Fisher-Yates, in place. */
    static void shuffle(int[] p, SplittableRandom r) {
        for (int i = p.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
    }
}
