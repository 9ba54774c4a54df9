package io.rkflow.kernels.jvm;

import io.rkflow.kernels.GemmForm;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The thin path of {@link JvmGemm}, for products with few columns (a classifier's output layer,
 * n = 10): nothing is packed but Bᵀ for NN (n·k floats), there are no k-blocks, and every
 * vector lane does useful work however small n is. C is cut into fixed chunks of whole rows (the
 * row count depends on the shape only), each ending with the epilogue.
 * <ul>
 *   <li>{@link Path#DOT} (NN, NT): c_ij is the dot product of row i of A with row j of op(B)ᵀ
 *       (B itself for NT; Bᵀ, transposed once per run, for NN), vectorized along k. Lane l
 *       accumulates the terms p ≡ l (mod VL) of p &lt; ⌊k/VL⌋·VL by fused multiply-adds in
 *       order from 0; the lanes are then added pairwise, lane l to lane l + VL/2, then l to
 *       l + VL/4, and so on (see {@link #dot2x5}); the remaining terms p ≥ ⌊k/VL⌋·VL are fma'd onto
 *       that sum in order, and the result is stored, or added to c_ij. Tiles are 2 rows × 5
 *       columns (10 accumulators).</li>
 *   <li>{@link Path#COLUMNS} (TN): vectors along m. Row p of A is column p of op(A), so the
 *       kernel loads {@code COLUMN_VECTORS} vectors of it, broadcasts 5 elements b_pj and
 *       fma's: c_ij ← fma(a_pi, b_pj, c_ij) over p in order from c_ij (or 0), the arithmetic of
 *       the blocked path. Tiles are 4 vectors × 5 columns with 32 vector registers (20
 *       accumulators), else 2 vectors × 5; C goes in and out of a tile through a per-worker
 *       array, transposed.</li>
 * </ul>
 * At the edges of C the missing rows and columns of a tile repeat the last valid one (rows of
 * A, columns of B) or read a zero-padded copy (the last rows of A in COLUMNS), and only valid
 * elements are stored.
 */
final class ThinGemm implements Step {

    /** How the products are vectorized. */
    enum Path { DOT, COLUMNS }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int VL = F.length();
    /** Columns of C per kernel call. */
    private static final int TILE_COLS = 5;
    /** Rows of C per kernel call: 2 for DOT; COLUMN_VECTORS vectors for COLUMNS. */
    private static final int DOT_ROWS = 2;
    /** Vectors of a COLUMNS tile: 4 (20 accumulators) with 32 vector registers, else 2 (10). */
    private static final int COLUMN_VECTORS = GemmKernel.vectorRegisters() >= 32 ? 4 : 2;
    private static final int COLUMN_ROWS = COLUMN_VECTORS * VL;
    /** Floats of a tile array: the accumulator vectors of a kernel. */
    private static final int TILE = Math.max(DOT_ROWS, COLUMN_VECTORS) * TILE_COLS * VL;
    private static final int SLOT_BT = 0;
    /** Elements of Bᵀ per chunk of its transposition. */
    private static final int TRANSPOSE_WORK = 1 << 10;
    /**
     * Levels of the fold in {@link #dot2x5}: log2(VL) (VL ≥ 2), at most 4, when one vector of 16 lanes holds
     * all 10 sums; the sums then fill the first LIVE vectors of a tile.
     */
    private static final int LEVELS = Math.min(4, Integer.numberOfTrailingZeros(VL));
    private static final int LIVE = JvmGemm.ceilDiv(DOT_ROWS * TILE_COLS, 1 << LEVELS);
    // per level (null beyond LEVELS); fields, not arrays, so that the JIT sees constants
    private static final VectorMask<Float> ODD0 = oddGroups(0), ODD1 = oddGroups(1), ODD2 = oddGroups(2),
            ODD3 = oddGroups(3);
    private static final VectorShuffle<Float> SWAP0 = swapGroups(0), SWAP1 = swapGroups(1),
            SWAP2 = swapGroups(2), SWAP3 = swapGroups(3);
    private static final int[][] SUM_LANES = sumLanes();

    private final WorkerPool pool;
    private final Scratch scratch;
    private final Path path;
    private final GemmForm form;
    private final int m, n, k;
    private final boolean accumulate;
    private final float[] c, a, b;
    private final int cOff, aOff, bOff;
    private final JvmGemm.Epilogue epilogue;
    /** Rows of C per chunk (a multiple of the tile's rows) and the chunk count. */
    private final int rowsPerChunk, chunks;
    /** Chunks of the transposition of B (NN only), and the gather offsets of a column of B: l·n. */
    private final int transposeChunks, transposeCols;
    private final int[] columnStride;
    /** Per worker: a tile of accumulators, and (COLUMNS) a zero-padded k × COLUMN_ROWS copy of the last rows of op(A). */
    private final float[][] tile, panel;
    /** Bᵀ, n × k (DOT with NN): fetched from the scratch every run. */
    private float[] bt;
    private final WorkerPool.Body transposeBody = this::transpose;
    private final WorkerPool.Body chunkBody = this::chunk;

    ThinGemm(WorkerPool pool, Scratch scratch, GemmForm form, int m, int n, int k, boolean accumulate,
             float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, JvmGemm.Epilogue epilogue) {
        this.pool = pool;
        this.scratch = scratch;
        this.path = form == GemmForm.TN ? Path.COLUMNS : Path.DOT;
        this.form = form;
        this.m = m;
        this.n = n;
        this.k = k;
        this.accumulate = accumulate;
        this.c = c;
        this.cOff = cOff;
        this.a = a;
        this.aOff = aOff;
        this.b = b;
        this.bOff = bOff;
        this.epilogue = epilogue;
        int unit = path == Path.DOT ? DOT_ROWS : COLUMN_ROWS;
        int target = Math.clamp((long) m * n * k / JvmGemm.MIN_CHUNK_WORK, 1, JvmGemm.MAX_CHUNKS);
        this.rowsPerChunk = JvmGemm.roundUp(JvmGemm.ceilDiv(Math.max(m, 1), target), unit);
        this.chunks = JvmGemm.ceilDiv(m, rowsPerChunk);
        boolean transposed = path == Path.DOT && form == GemmForm.NN;
        int tChunks = Math.clamp((long) n * k / TRANSPOSE_WORK, 1, n);
        this.transposeCols = Math.max(1, JvmGemm.ceilDiv(n, tChunks));
        this.columnStride = new int[VL];
        for (int l = 0; l < VL; l++) {
            columnStride[l] = l * n;
        }
        this.transposeChunks = transposed ? JvmGemm.ceilDiv(n, transposeCols) : 0;
        int threads = pool.threads();
        scratch.reserve(SLOT_BT, transposed ? Math.multiplyExact(n, k) : 0);
        boolean ragged = path == Path.COLUMNS && m % COLUMN_ROWS != 0;
        for (int w = 0; w < threads; w++) {
            scratch.reserve(1 + w, TILE);
            scratch.reserve(1 + threads + w, ragged ? Math.multiplyExact(k, COLUMN_ROWS) : 0);
        }
        this.tile = new float[threads][];
        this.panel = new float[threads][];
    }

    @Override
    public void run() {
        int threads = tile.length;
        bt = scratch.get(SLOT_BT);
        for (int w = 0; w < threads; w++) {
            tile[w] = scratch.get(1 + w);
            panel[w] = scratch.get(1 + threads + w);
        }
        pool.run(transposeChunks, transposeBody);
        pool.run(chunks, chunkBody);
    }

    /** bt[j·k + p] = b[p·n + j] for the columns j of chunk {@code chunk}, VL rows of B per gather. */
    private void transpose(int chunk, int worker) {
        int j0 = chunk * transposeCols;
        int j1 = Math.min(n, j0 + transposeCols);
        int kv = F.loopBound(k);
        for (int j = j0; j < j1; j++) {
            int p = 0;
            for (; p < kv; p += VL) {
                FloatVector.fromArray(F, b, bOff + p * n + j, columnStride, 0).intoArray(bt, j * k + p);
            }
            for (; p < k; p++) {
                bt[j * k + p] = b[bOff + p * n + j];
            }
        }
    }

    private void chunk(int chunk, int worker) {
        int i0 = chunk * rowsPerChunk;
        int i1 = Math.min(m, i0 + rowsPerChunk);
        if (path == Path.DOT) {
            dotRows(i0, i1, tile[worker]);
        } else {
            columnRows(i0, i1, tile[worker], panel[worker]);
        }
        if (epilogue != null) {
            epilogue.apply(i0, i1, 0, n);
        }
    }

    private void dotRows(int i0, int i1, float[] t) {
        float[] bRows = form == GemmForm.NN ? bt : b;
        int bBase = form == GemmForm.NN ? 0 : bOff;
        int kv = F.loopBound(k);
        int last = bBase + (n - 1) * k;
        for (int j = 0; j < n; j += TILE_COLS) {
            int b0 = bBase + j * k;
            for (int i = i0; i < i1; i += DOT_ROWS) {
                int a0 = aOff + i * k;
                int a1 = aOff + Math.min(i + 1, m - 1) * k;
                dot2x5(a, a0, a1, bRows, b0, Math.min(b0 + k, last), Math.min(b0 + 2 * k, last),
                        Math.min(b0 + 3 * k, last), Math.min(b0 + 4 * k, last), kv, t);
                for (int r = 0; r < DOT_ROWS && i + r < i1; r++) {
                    int ar = r == 0 ? a0 : a1;
                    for (int q = 0; q < TILE_COLS && j + q < n; q++) {
                        int[] lanes = SUM_LANES[r * TILE_COLS + q];
                        float s = t[lanes[0]];
                        for (int l = 1; l < lanes.length; l++) {
                            s += t[lanes[l]];
                        }
                        for (int p = kv, bq = b0 + q * k; p < k; p++) {
                            s = Math.fma(a[ar + p], bRows[bq + p], s);
                        }
                        int ci = cOff + (i + r) * n + j + q;
                        c[ci] = accumulate ? c[ci] + s : s;
                    }
                }
            }
        }
    }

    private void columnRows(int i0, int i1, float[] t, float[] pad) {
        for (int i = i0; i < i1; i += COLUMN_ROWS) {
            int rows = Math.min(COLUMN_ROWS, i1 - i);
            float[] src = a;
            int ai = aOff + i;
            int lda = m;
            if (rows < COLUMN_ROWS) {
                Arrays.fill(pad, 0f);
                for (int p = 0; p < k; p++) {
                    System.arraycopy(a, aOff + p * m + i, pad, p * COLUMN_ROWS, rows);
                }
                src = pad;
                ai = 0;
                lda = COLUMN_ROWS;
            }
            for (int j = 0; j < n; j += TILE_COLS) {
                int cols = Math.min(TILE_COLS, n - j);
                if (accumulate) {
                    for (int q = 0; q < cols; q++) {
                        for (int r = 0, ci = cOff + i * n + j + q; r < rows; r++, ci += n) {
                            t[(r / VL * TILE_COLS + q) * VL + r % VL] = c[ci];
                        }
                    }
                }
                int b0 = bOff + j;
                int last = bOff + n - 1;
                int b1 = Math.min(b0 + 1, last), b2 = Math.min(b0 + 2, last);
                int b3 = Math.min(b0 + 3, last), b4 = Math.min(b0 + 4, last);
                if (COLUMN_VECTORS == 4) {
                    columns4x5(src, ai, lda, b, b0, b1, b2, b3, b4, n, k, t, accumulate);
                } else {
                    columns2x5(src, ai, lda, b, b0, b1, b2, b3, b4, n, k, t, accumulate);
                }
                for (int q = 0; q < cols; q++) {
                    for (int r = 0, ci = cOff + i * n + j + q; r < rows; r++, ci += n) {
                        c[ci] = t[(r / VL * TILE_COLS + q) * VL + r % VL];
                    }
                }
            }
        }
    }

    /**
     * Dot products of rows a0, a1 of A with rows b0..b4 of op(B)ᵀ over p &lt; kv (a multiple of
     * VL): lane l of accumulator (r, q) fma's a_rp·b_qp for p ≡ l in order from 0, then the lanes
     * are folded pairwise into t, the sum of (r, q) in lanes {@code SUM_LANES[r·5 + q]}. Level L
     * of the fold pairs lane l with lane l + VL/2^(L+1) in every group of VL/2^L lanes, packing
     * the sums of two vectors into one: with g = VL/2^(L+1), in every group of 2g lanes the
     * first g lanes of the result hold c_l + c_(l+g) and the last g hold d_(l-g) + d_l. The fold
     * is written out at each use, not a method: C2 stops inlining a large compilation's callees
     * once it is past its node budget (NodeCountInliningCutoff, seen here), and a vector passed to
     * a call that is not inlined is boxed on the heap.
     */
    private static void dot2x5(float[] a, int a0, int a1, float[] bt, int b0, int b1, int b2, int b3, int b4,
                               int kv, float[] t) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c04 = z, c10 = z, c11 = z, c12 = z, c13 = z, c14 = z;
        for (int p = 0; p < kv; p += VL) {
            FloatVector x0 = FloatVector.fromArray(F, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(F, a, a1 + p);
            FloatVector y = FloatVector.fromArray(F, bt, b0 + p);
            c00 = x0.fma(y, c00);
            c10 = x1.fma(y, c10);
            y = FloatVector.fromArray(F, bt, b1 + p);
            c01 = x0.fma(y, c01);
            c11 = x1.fma(y, c11);
            y = FloatVector.fromArray(F, bt, b2 + p);
            c02 = x0.fma(y, c02);
            c12 = x1.fma(y, c12);
            y = FloatVector.fromArray(F, bt, b3 + p);
            c03 = x0.fma(y, c03);
            c13 = x1.fma(y, c13);
            y = FloatVector.fromArray(F, bt, b4 + p);
            c04 = x0.fma(y, c04);
            c14 = x1.fma(y, c14);
        }
        c00 = c00.blend(c01, ODD0).add(c01.blend(c00, ODD0).rearrange(SWAP0));
        c01 = c02.blend(c03, ODD0).add(c03.blend(c02, ODD0).rearrange(SWAP0));
        c02 = c04.blend(c10, ODD0).add(c10.blend(c04, ODD0).rearrange(SWAP0));
        c03 = c11.blend(c12, ODD0).add(c12.blend(c11, ODD0).rearrange(SWAP0));
        c04 = c13.blend(c14, ODD0).add(c14.blend(c13, ODD0).rearrange(SWAP0));
        if (LEVELS >= 2) {
            c00 = c00.blend(c01, ODD1).add(c01.blend(c00, ODD1).rearrange(SWAP1));
            c01 = c02.blend(c03, ODD1).add(c03.blend(c02, ODD1).rearrange(SWAP1));
            c02 = c04.blend(z, ODD1).add(z.blend(c04, ODD1).rearrange(SWAP1));
        }
        if (LEVELS >= 3) {
            c00 = c00.blend(c01, ODD2).add(c01.blend(c00, ODD2).rearrange(SWAP2));
            c01 = c02.blend(z, ODD2).add(z.blend(c02, ODD2).rearrange(SWAP2));
        }
        if (LEVELS >= 4) {
            c00 = c00.blend(c01, ODD3).add(c01.blend(c00, ODD3).rearrange(SWAP3));
        }
        c00.intoArray(t, 0);
        c01.intoArray(t, VL);
        c02.intoArray(t, 2 * VL);
        c03.intoArray(t, 3 * VL);
        c04.intoArray(t, 4 * VL);
    }

    /** Per level L: the lanes l with ⌊l/g⌋ odd, and the permutation l ↦ l xor g (g = VL/2^(L+1)). */
    private static VectorMask<Float> oddGroups(int level) {
        if (level >= LEVELS) {
            return null;
        }
        int g = VL >> (level + 1);
        boolean[] bits = new boolean[VL];
        for (int l = 0; l < VL; l++) {
            bits[l] = (l / g) % 2 == 1;
        }
        return VectorMask.fromArray(F, bits, 0);
    }

    private static VectorShuffle<Float> swapGroups(int level) {
        if (level >= LEVELS) {
            return null;
        }
        int g = VL >> (level + 1);
        return VectorShuffle.fromOp(F, l -> l ^ g);
    }

    /**
     * Where {@link #dot2x5} leaves the sum of each of its 10 products: found by running it on one
     * vector step of constant rows, a_r = 32^r and b_q = q + 1, whose products a_r·b_q are
     * distinct, each of the VL/2^LEVELS lanes of a sum then holding a_r·b_q·2^LEVELS.
     */
    private static int[][] sumLanes() {
        float[] a = new float[DOT_ROWS * VL];
        float[] bt = new float[TILE_COLS * VL];
        for (int l = 0; l < VL; l++) {
            a[VL + l] = 32;
            a[l] = 1;
            for (int q = 0; q < TILE_COLS; q++) {
                bt[q * VL + l] = q + 1;
            }
        }
        float[] t = new float[TILE];
        dot2x5(a, 0, VL, bt, 0, VL, 2 * VL, 3 * VL, 4 * VL, VL, t);
        int[][] lanes = new int[DOT_ROWS * TILE_COLS][];
        for (int r = 0; r < DOT_ROWS; r++) {
            for (int q = 0; q < TILE_COLS; q++) {
                float tag = a[r * VL] * (q + 1) * (1 << LEVELS);
                int[] at = java.util.stream.IntStream.range(0, LIVE * VL).filter(l -> t[l] == tag).toArray();
                if (at.length != VL >> LEVELS) {
                    throw new IllegalStateException("dot2x5 folds product " + r + "," + q + " into lanes "
                            + Arrays.toString(at) + " of " + VL);
                }
                lanes[r * TILE_COLS + q] = at;
            }
        }
        return lanes;
    }

    /**
     * A 2·VL × 5 tile of C by columns: t[(v·5 + q)·VL + l] ← fma(a[ai + p·lda + v·VL + l],
     * b[bq + p·ldb], ·) over p &lt; k in order, from t ({@code load}) or 0.
     */
    private static void columns2x5(float[] a, int ai, int lda, float[] b, int b0, int b1, int b2, int b3, int b4,
                                   int ldb, int k, float[] t, boolean load) {
        FloatVector c00, c01, c02, c03, c04, c10, c11, c12, c13, c14;
        if (load) {
            c00 = FloatVector.fromArray(F, t, 0);
            c01 = FloatVector.fromArray(F, t, VL);
            c02 = FloatVector.fromArray(F, t, 2 * VL);
            c03 = FloatVector.fromArray(F, t, 3 * VL);
            c04 = FloatVector.fromArray(F, t, 4 * VL);
            c10 = FloatVector.fromArray(F, t, 5 * VL);
            c11 = FloatVector.fromArray(F, t, 6 * VL);
            c12 = FloatVector.fromArray(F, t, 7 * VL);
            c13 = FloatVector.fromArray(F, t, 8 * VL);
            c14 = FloatVector.fromArray(F, t, 9 * VL);
        } else {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z; c02 = z; c03 = z; c04 = z;
            c10 = z; c11 = z; c12 = z; c13 = z; c14 = z;
        }
        for (int p = 0; p < k; p++) {
            int x = ai + p * lda;
            int y = p * ldb;
            FloatVector x0 = FloatVector.fromArray(F, a, x);
            FloatVector x1 = FloatVector.fromArray(F, a, x + VL);
            FloatVector s = FloatVector.broadcast(F, b[b0 + y]);
            c00 = x0.fma(s, c00);
            c10 = x1.fma(s, c10);
            s = FloatVector.broadcast(F, b[b1 + y]);
            c01 = x0.fma(s, c01);
            c11 = x1.fma(s, c11);
            s = FloatVector.broadcast(F, b[b2 + y]);
            c02 = x0.fma(s, c02);
            c12 = x1.fma(s, c12);
            s = FloatVector.broadcast(F, b[b3 + y]);
            c03 = x0.fma(s, c03);
            c13 = x1.fma(s, c13);
            s = FloatVector.broadcast(F, b[b4 + y]);
            c04 = x0.fma(s, c04);
            c14 = x1.fma(s, c14);
        }
        c00.intoArray(t, 0);
        c01.intoArray(t, VL);
        c02.intoArray(t, 2 * VL);
        c03.intoArray(t, 3 * VL);
        c04.intoArray(t, 4 * VL);
        c10.intoArray(t, 5 * VL);
        c11.intoArray(t, 6 * VL);
        c12.intoArray(t, 7 * VL);
        c13.intoArray(t, 8 * VL);
        c14.intoArray(t, 9 * VL);
    }

    /** 4·VL × 5 columns; see {@link #columns2x5}. */
    private static void columns4x5(float[] a, int ai, int lda, float[] b, int b0, int b1, int b2, int b3, int b4,
                                   int ldb, int k, float[] t, boolean load) {
        FloatVector c00, c01, c02, c03, c04, c10, c11, c12, c13, c14, c20, c21, c22, c23, c24, c30, c31, c32, c33, c34;
        if (load) {
            c00 = FloatVector.fromArray(F, t, 0);
            c01 = FloatVector.fromArray(F, t, VL);
            c02 = FloatVector.fromArray(F, t, 2 * VL);
            c03 = FloatVector.fromArray(F, t, 3 * VL);
            c04 = FloatVector.fromArray(F, t, 4 * VL);
            c10 = FloatVector.fromArray(F, t, 5 * VL);
            c11 = FloatVector.fromArray(F, t, 6 * VL);
            c12 = FloatVector.fromArray(F, t, 7 * VL);
            c13 = FloatVector.fromArray(F, t, 8 * VL);
            c14 = FloatVector.fromArray(F, t, 9 * VL);
            c20 = FloatVector.fromArray(F, t, 10 * VL);
            c21 = FloatVector.fromArray(F, t, 11 * VL);
            c22 = FloatVector.fromArray(F, t, 12 * VL);
            c23 = FloatVector.fromArray(F, t, 13 * VL);
            c24 = FloatVector.fromArray(F, t, 14 * VL);
            c30 = FloatVector.fromArray(F, t, 15 * VL);
            c31 = FloatVector.fromArray(F, t, 16 * VL);
            c32 = FloatVector.fromArray(F, t, 17 * VL);
            c33 = FloatVector.fromArray(F, t, 18 * VL);
            c34 = FloatVector.fromArray(F, t, 19 * VL);
        } else {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z; c02 = z; c03 = z; c04 = z;
            c10 = z; c11 = z; c12 = z; c13 = z; c14 = z;
            c20 = z; c21 = z; c22 = z; c23 = z; c24 = z;
            c30 = z; c31 = z; c32 = z; c33 = z; c34 = z;
        }
        for (int p = 0; p < k; p++) {
            int x = ai + p * lda;
            int y = p * ldb;
            FloatVector x0 = FloatVector.fromArray(F, a, x);
            FloatVector x1 = FloatVector.fromArray(F, a, x + VL);
            FloatVector x2 = FloatVector.fromArray(F, a, x + 2 * VL);
            FloatVector x3 = FloatVector.fromArray(F, a, x + 3 * VL);
            FloatVector s = FloatVector.broadcast(F, b[b0 + y]);
            c00 = x0.fma(s, c00);
            c10 = x1.fma(s, c10);
            c20 = x2.fma(s, c20);
            c30 = x3.fma(s, c30);
            s = FloatVector.broadcast(F, b[b1 + y]);
            c01 = x0.fma(s, c01);
            c11 = x1.fma(s, c11);
            c21 = x2.fma(s, c21);
            c31 = x3.fma(s, c31);
            s = FloatVector.broadcast(F, b[b2 + y]);
            c02 = x0.fma(s, c02);
            c12 = x1.fma(s, c12);
            c22 = x2.fma(s, c22);
            c32 = x3.fma(s, c32);
            s = FloatVector.broadcast(F, b[b3 + y]);
            c03 = x0.fma(s, c03);
            c13 = x1.fma(s, c13);
            c23 = x2.fma(s, c23);
            c33 = x3.fma(s, c33);
            s = FloatVector.broadcast(F, b[b4 + y]);
            c04 = x0.fma(s, c04);
            c14 = x1.fma(s, c14);
            c24 = x2.fma(s, c24);
            c34 = x3.fma(s, c34);
        }
        c00.intoArray(t, 0);
        c01.intoArray(t, VL);
        c02.intoArray(t, 2 * VL);
        c03.intoArray(t, 3 * VL);
        c04.intoArray(t, 4 * VL);
        c10.intoArray(t, 5 * VL);
        c11.intoArray(t, 6 * VL);
        c12.intoArray(t, 7 * VL);
        c13.intoArray(t, 8 * VL);
        c14.intoArray(t, 9 * VL);
        c20.intoArray(t, 10 * VL);
        c21.intoArray(t, 11 * VL);
        c22.intoArray(t, 12 * VL);
        c23.intoArray(t, 13 * VL);
        c24.intoArray(t, 14 * VL);
        c30.intoArray(t, 15 * VL);
        c31.intoArray(t, 16 * VL);
        c32.intoArray(t, 17 * VL);
        c33.intoArray(t, 18 * VL);
        c34.intoArray(t, 19 * VL);
    }
}
