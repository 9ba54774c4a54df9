package io.rkflow.kernels.jvm;

import io.rkflow.kernels.GemmForm;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Single-precision GEMM on the JVM device: C = op(A)·op(B), or C += op(A)·op(B) when
 * {@code accumulate}, with all matrices row major and C m × n (see {@link GemmForm}), so that
 * c_ij = (c_ij or 0) + Σ_p a_ip·b_pj with the sum taken over p = 0, 1, …, k-1. One algorithm
 * (this class, the blocked path) with a micro-tile chosen per machine, after BLIS, and a thin
 * path ({@link ThinGemm}) for products with few columns; {@link #create} picks one by the
 * {@link GemmKernel} choice and the shape.
 *
 * <p><b>Blocking.</b> The inner loop is one MR × NR register-blocked micro-kernel of the
 * {@link GemmKernel} tile (MR rows × NR = vectors·VL columns, MR·vectors accumulators in
 * locals, see {@link MicroKernels}): per k step it loads one row of a packed B panel, broadcasts
 * each of the MR elements of a packed A column and fused-multiply-adds. Operands are packed so
 * that the kernel reads both sequentially: op(A) into row panels (element (r, p) at p·MR + r),
 * op(B) into column panels (element (p, q) at p·NR + q), both cut into k-blocks of equal depth
 * (k split evenly into blocks of at most the tile's kc); packing also resolves the transposed
 * layouts (Aᵀ of TN, Bᵀ of NT), so the same kernel serves every form. C is cut into fixed chunks
 * of mc rows × NC columns (mc depends on the shape only); a chunk walks its k-blocks, then its
 * row panels (an MR × kc panel of A stays in L1), then its column panels (the kc × NC block of B
 * stays in L2). An operand block used by several chunks (A when there are several column
 * strips, B when there are several row blocks) is packed once per run in a first parallel phase;
 * otherwise each chunk packs it per k-block into its worker's scratch, where it is used at once.
 *
 * <p><b>Determinism.</b> What a product computes depends on its shape (form, m, n, k,
 * accumulate), the {@link GemmKernel} choice and the vector length VL of the machine, never on
 * the thread count, the timing or the run:
 * <ul>
 *   <li>Blocked path (every tile) and the thin path's COLUMNS variant (TN): every element of C is
 *       one chain of float fused multiply-adds over p in ascending order, c ← fma(a_ip, b_pj, c),
 *       started from 0 (or from the old c_ij when accumulating). Vector lanes of {@code fma} round
 *       exactly like {@link Math#fma}; between k-blocks the running value is stored in C as a
 *       float and reloaded unchanged; edge tiles run the same micro-kernel on a zero-padded copy,
 *       and padding rows or columns of packed operands only feed lanes that are never stored. So
 *       these give the same bits for every tile, every k-blocking, and on every machine.</li>
 *   <li>Thin path's DOT variant (NN, NT): VL interleaved fma chains per element, their lanes added
 *       pairwise, then the last k mod VL terms (see {@link ThinGemm}): the same bits for a given
 *       VL, rounded differently from the chain above.</li>
 *   <li>{@link GemmKernel#AUTO} takes {@link NarrowGemm}'s split-k path for a first convolution's
 *       weight gradient (TN with small m·n and k ≥ 4096: fixed k-segments summed in order), else
 *       the thin path when n ≤ {@link #THIN_COLUMNS} (48) and, for NN and NT, k &gt; 16, the
 *       machine's tile otherwise: so under AUTO an NN or NT product with few columns and k &gt; 16
 *       rounds like DOT, a split TN like its segments, every other like the single chain.</li>
 * </ul>
 * Chunk boundaries, which the {@link Epilogue} sees, depend on the shape, the choice and VL only.
 */
final class JvmGemm implements Step {

    /**
     * Work on a finished region of C, rows [i0, i1) × columns [j0, j1): run by the thread that
     * computed the region, right after its last k-block, while it is still in cache (a fused
     * bias and activation, an activation's backward). Every path calls it exactly once per chunk
     * of C, and the chunks cover C without overlap, so every element is passed exactly once,
     * after its final value is stored (when k = 0, once over all of C, after it is zeroed or
     * left as it is). Regions are the fixed chunks of C, so what an epilogue computes does not
     * depend on the thread count either.
     */
    @FunctionalInterface
    interface Epilogue {
        void apply(int i0, int i1, int j0, int j1);
    }

    private static final int VL = FloatVector.SPECIES_PREFERRED.length();
    /** Multiply-adds per chunk below which a run is not split further. */
    static final long MIN_CHUNK_WORK = 1 << 17;
    /** Chunks a run aims for when it is large enough. */
    static final int MAX_CHUNKS = 8;
    /** Elements of A or B packed per chunk below which packing is not split further. */
    static final int MIN_PACK_WORK = 1 << 12;
    /**
     * Floats of a chunk's block of packed B, kb × nc, which stays in L2: 128 KB; nc is the largest
     * power-of-two number of column panels that fits (128 columns for k-blocks of 256).
     */
    private static final int B_BLOCK = 1 << 15;
    /**
     * Floats of a worker's block of packed A, sub × kb, when a chunk packs its own rows: 128 KB,
     * so that it is consumed from L2 right after it is packed (a chunk of a convolution's 25088 ×
     * 288 im2col matrix is 3136 rows, 3.2 MB per k-block packed whole).
     */
    private static final int A_BLOCK = 1 << 15;
    /** Columns of C up to which a product reads op(A) from A unpacked (see {@link #directA}). */
    static final int DIRECT_COLUMNS = 64;
    /** Columns of C up to which {@link GemmKernel#AUTO} takes the thin path (see {@link #thin}). */
    static final int THIN_COLUMNS = 48;
    /** The largest inner dimension for which NN and NT never take the thin path (see {@link #thin}). */
    static final int SMALL_K = 16;
    /** Rows of a transposed operand copied per block. */
    private static final int TRANSPOSE_ROWS = 16;

    private final WorkerPool pool;
    private final GemmKernel kernel;
    /**
     * The micro-tile MR × NR = rows × vectors·VL, the k-block depth (k split evenly into blocks of
     * at most the tile's kc) and the chunk width NC (a multiple of NR).
     */
    private final int mr, nr, kb, nc;
    private final GemmForm form;
    private final int m, n, k;
    private final boolean accumulate;
    private final float[] c, a, b;
    private final int cOff, aOff, bOff;
    private final int mPad, nPad;
    /** C is cut into rowBlocks × strips chunks of mc × nc; a chunk packs its rows of A sub at a time. */
    private final int rowBlocks, mc, strips, sub;
    /**
     * At most {@link #DIRECT_COLUMNS} columns: the micro-kernel reads op(A)'s full row panels from
     * A itself instead of a packed copy; TN: mr consecutive floats per k step, rows of A m apart;
     * NN and NT (tiles with a {@code Rows} kernel): mr rows of A, k apart. With so few column
     * panels per row panel, packing A cost as much as the arithmetic (a convolution's weight
     * gradient 288 × 64 × 25088 and forward 25088 × 64 × 288: about 10 ms each packed, 5 and 4.3 ms
     * with the copies left out). A partial panel at the bottom edge is still packed.
     */
    private final boolean directA;
    /**
     * Whether op(A) (used by every strip) and op(B) (used by every row block) are packed once, in
     * a first phase, or per k-block by the chunk that uses them (in the memory of its worker).
     */
    private final boolean sharedA, sharedB;
    /** First-phase packing: of A in chunks of aRows rows, of B in chunks of bCols columns (whole panels). */
    private final int aChunks, aRows, bChunks, bCols;
    // Working arrays, fetched from the device's shared scratch at the start of every run (see Scratch).
    private final Scratch scratch;
    /** Packed op(A) when sharedA: k-block p0 at p0·mPad, its panel of rows at i at p0·mPad + i·kc. */
    private float[] aPack;
    /** Packed op(B) when sharedB: k-block p0 at p0·nPad, its panel of columns at j at p0·nPad + j·kc. */
    private float[] bPack;
    /** Per worker, one k-block of a chunk's rows of packed A (panel at i at (i - i0)·kc), when not sharedA. */
    private final float[][] aLocal;
    /** Per worker, one k-block of a chunk's strip of packed B (panel at j at (j - j0)·kc), when not sharedB. */
    private final float[][] bLocal;
    /** Per worker, an mr × nr tile for the edges of C. */
    private final float[][] edge;
    /** Scratch slots: A, B, then per worker A-local, B-local and edge. */
    private static final int SLOT_A = 0;
    private static final int SLOT_B = 1;
    private final Epilogue epilogue;
    private final WorkerPool.Body packBody = this::pack;
    private final WorkerPool.Body tileBody = this::tile;

    /**
     * The GEMM C (+)= op(A)·op(B) by {@code kernel}'s path, whose chunks of C each end with
     * {@code epilogue} (null: none).
     */
    static Step create(WorkerPool pool, Scratch scratch, GemmKernel kernel, GemmForm form, int m, int n, int k,
                       boolean accumulate, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                       Epilogue epilogue) {
        if (m == 0 || n == 0) {
            return () -> { };
        }
        if (k == 0) {
            return () -> {
                if (!accumulate) {
                    Arrays.fill(c, cOff, cOff + m * n, 0f);
                }
                if (epilogue != null) {
                    epilogue.apply(0, m, 0, n);
                }
            };
        }
        if (kernel == GemmKernel.AUTO) {
            Step narrow = NarrowGemm.create(pool, scratch, form, m, n, k, accumulate, c, cOff, a, aOff, b, bOff,
                    epilogue);
            if (narrow != null) {
                return narrow;
            }
        }
        if (kernel == GemmKernel.THIN || kernel == GemmKernel.AUTO && thin(form, n, k)) {
            return new ThinGemm(pool, scratch, form, m, n, k, accumulate, c, cOff, a, aOff, b, bOff, epilogue);
        }
        return new JvmGemm(pool, scratch, kernel.tile(), form, m, n, k, accumulate, c, cOff, a, aOff, b, bOff,
                epilogue);
    }

    /**
     * Whether {@link GemmKernel#AUTO} takes the thin path: when n ≤ {@link #THIN_COLUMNS}. Packing
     * op(A) costs m·k copies against m·n·k/VL vector fused multiply-adds, VL/n of the arithmetic,
     * and a tile of NR columns idles lanes when n is not a multiple of NR. Measured on Zen 4, the
     * thin path is faster with 512-bit vectors up to n = 48 and slower from n = 64; with 256-bit
     * vectors ({@code -XX:UseAVX=2}) it is still faster at n = 64. Not for NN and NT with k ≤
     * {@link #SMALL_K}: their DOT kernel vectorizes along k, which so few terms leave mostly idle
     * (a first convolution's 9-element patch). A row-by-row path for those, measured against the
     * blocked tile on Zen 4, was slower at every such shape (100352 × 32 × 9: 0.96 against 0.76
     * ms; the classifier's NT 128 × 1024 × 10: 82 against 22 µs).
     */
    static boolean thin(GemmForm form, int n, int k) {
        return n <= THIN_COLUMNS && (form == GemmForm.TN || k > SMALL_K);
    }

    private JvmGemm(WorkerPool pool, Scratch scratch, GemmKernel kernel, GemmForm form, int m, int n, int k,
                    boolean accumulate, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                    Epilogue epilogue) {
        this.epilogue = epilogue;
        this.pool = pool;
        this.kernel = kernel;
        this.mr = kernel.rows;
        this.nr = kernel.vectors * VL;
        this.kb = ceilDiv(k, ceilDiv(k, kernel.kc));
        this.nc = nr * Integer.highestOneBit(Math.max(1, B_BLOCK / (kb * nr)));
        this.scratch = scratch;
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
        this.mPad = roundUp(m, mr);
        this.nPad = roundUp(n, nr);
        int panels = Math.max(1, mPad / mr);
        this.strips = Math.max(1, ceilDiv(n, nc));
        int target = Math.clamp((long) m * n * k / MIN_CHUNK_WORK, 1, MAX_CHUNKS);
        int blocks = Math.min(panels, ceilDiv(target, strips));
        this.mc = Math.max(mr, roundUp(ceilDiv(m, blocks), mr));
        this.rowBlocks = Math.max(1, ceilDiv(m, mc));
        this.sub = Math.min(Math.min(mc, mPad), Math.max(mr, A_BLOCK / kb / mr * mr));
        this.directA = n <= DIRECT_COLUMNS && strips == 1
                && (form == GemmForm.TN || kernel == GemmKernel.K8X2 || kernel == GemmKernel.K5X2);
        this.sharedA = strips > 1;
        this.sharedB = rowBlocks > 1;
        int packChunks = Math.clamp((long) m * k / MIN_PACK_WORK, 1, Math.min(MAX_CHUNKS, panels));
        this.aRows = Math.max(mr, roundUp(ceilDiv(m, packChunks), mr));
        this.aChunks = sharedA ? ceilDiv(m, aRows) : 0;
        packChunks = Math.clamp((long) n * k / MIN_PACK_WORK, 1, Math.min(MAX_CHUNKS, nPad / nr));
        this.bCols = roundUp(ceilDiv(n, packChunks), nr);
        this.bChunks = sharedB ? ceilDiv(n, bCols) : 0;
        int kc = Math.min(kb, k);
        int threads = pool.threads();
        scratch.reserve(SLOT_A, sharedA ? Math.multiplyExact(mPad, k) : 0);
        scratch.reserve(SLOT_B, sharedB ? Math.multiplyExact(nPad, k) : 0);
        for (int w = 0; w < threads; w++) {
            scratch.reserve(2 + w, !sharedA ? sub * kc : 0);
            scratch.reserve(2 + threads + w, !sharedB ? Math.min(nc, nPad) * kc : 0);
            scratch.reserve(2 + 2 * threads + w, mr * nr);
        }
        this.aLocal = new float[threads][];
        this.bLocal = new float[threads][];
        this.edge = new float[threads][];
    }

    /** Takes this run's working arrays from the shared scratch (no allocation). */
    private void fetchScratch() {
        int threads = aLocal.length;
        aPack = scratch.get(SLOT_A);
        bPack = scratch.get(SLOT_B);
        for (int w = 0; w < threads; w++) {
            aLocal[w] = scratch.get(2 + w);
            bLocal[w] = scratch.get(2 + threads + w);
            edge[w] = scratch.get(2 + 2 * threads + w);
        }
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    static int roundUp(int x, int unit) {
        return ceilDiv(x, unit) * unit;
    }

    @Override
    public void run() {
        fetchScratch();
        pool.run(aChunks + bChunks, packBody);
        pool.run(rowBlocks * strips, tileBody);
    }

    /** First phase: packs rows of A (chunk &lt; aChunks) or columns of B. */
    private void pack(int chunk, int worker) {
        if (chunk < aChunks) {
            int i0 = chunk * aRows;
            int i1 = Math.min(m, i0 + aRows);
            for (int p0 = 0; p0 < k; p0 += kb) {
                int kc = Math.min(kb, k - p0);
                for (int i = i0; i < i1; i += mr) {
                    packA(p0, kc, i, Math.min(mr, m - i), aPack, p0 * mPad + i * kc);
                }
            }
        } else {
            int j0 = (chunk - aChunks) * bCols;
            int j1 = Math.min(n, j0 + bCols);
            for (int p0 = 0; p0 < k; p0 += kb) {
                int kc = Math.min(kb, k - p0);
                for (int j = j0; j < j1; j += nr) {
                    packB(p0, kc, j, Math.min(nr, n - j), bPack, p0 * nPad + j * kc);
                }
            }
        }
    }

    /** dst[at + p·mr + r] = op(A)[i + r][p0 + p] for r &lt; rows; padding rows are left as they are. */
    private void packA(int p0, int kc, int i, int rows, float[] dst, int at) {
        if (form == GemmForm.TN) {
            if (rows == mr) {
                for (int p = 0, src = aOff + p0 * m + i, d = at; p < kc; p++, src += m, d += mr) {
                    for (int r = 0; r < mr; r++) {
                        dst[d + r] = a[src + r];
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(a, aOff + (p0 + p) * m + i, dst, at + p * mr, rows);
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                int src = aOff + (i + r) * k + p0;
                for (int p = 0; p < kc; p++) {
                    dst[at + p * mr + r] = a[src + p];
                }
            }
        }
    }

    /** dst[at + p·nr + q] = op(B)[p0 + p][j + q] for q &lt; cols; padding columns are left as they are. */
    private void packB(int p0, int kc, int j, int cols, float[] dst, int at) {
        if (form == GemmForm.NT) {
            for (int pb = 0; pb < kc; pb += TRANSPOSE_ROWS) { // a few rows of the panel at a time stay in L1
                int pe = Math.min(kc, pb + TRANSPOSE_ROWS);
                for (int q = 0; q < cols; q++) {
                    int src = bOff + (j + q) * k + p0;
                    for (int p = pb; p < pe; p++) {
                        dst[at + p * nr + q] = b[src + p];
                    }
                }
            }
        } else {
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, bOff + (p0 + p) * n + j, dst, at + p * nr, cols);
            }
        }
    }

    /** Computes C tile {@code chunk}: row block chunk / strips, column strip chunk % strips. */
    private void tile(int chunk, int worker) {
        int i0 = chunk / strips * mc;
        int i1 = Math.min(m, i0 + mc);
        int j0 = chunk % strips * nc;
        int j1 = Math.min(n, j0 + nc);
        float[] t = edge[worker];
        for (int p0 = 0; p0 < k; p0 += kb) {
            int kc = Math.min(kb, k - p0);
            boolean load = accumulate || p0 > 0;
            // the panel of columns at j is at bp[b0 + (j - j0)·kc]
            float[] bp = sharedB ? bPack : bLocal[worker];
            int b0 = sharedB ? p0 * nPad + j0 * kc : 0;
            if (!sharedB) {
                for (int j = j0; j < j1; j += nr) {
                    packB(p0, kc, j, Math.min(nr, j1 - j), bp, (j - j0) * kc);
                }
            }
            // rows s0..s1 of the chunk at a time: the panel of rows at i is at ap[a0 + (i - s0)·kc]
            for (int s0 = i0; s0 < i1; s0 += sub) {
                int s1 = Math.min(i1, s0 + sub);
                float[] packed = sharedA ? aPack : aLocal[worker];
                int a0 = sharedA ? p0 * mPad + s0 * kc : 0;
                if (!sharedA) {
                    for (int i = s0; i < s1; i += mr) {
                        if (!directA || s1 - i < mr) { // a direct panel is read from A, a partial one packed
                            packA(p0, kc, i, Math.min(mr, s1 - i), packed, (i - s0) * kc);
                        }
                    }
                }
                for (int i = s0; i < s1; i += mr) {
                    int rows = Math.min(mr, s1 - i);
                    boolean direct = directA && rows == mr;
                    boolean rowsOfA = direct && form != GemmForm.TN;
                    float[] ap = direct ? a : packed;
                    int ai = !direct ? a0 + (i - s0) * kc : rowsOfA ? aOff + i * k + p0 : aOff + p0 * m + i;
                    int rs = direct ? m : mr;
                    for (int j = j0; j < j1; j += nr) {
                        int cols = Math.min(nr, j1 - j);
                        int bi = b0 + (j - j0) * kc;
                        int ci = cOff + i * n + j;
                        if (rows == mr && cols == nr) {
                            micro(rowsOfA, ap, ai, rs, bp, bi, kc, c, ci, n, load);
                        } else {
                            edgeTile(t, rowsOfA, ap, ai, rs, bp, bi, kc, ci, rows, cols, load);
                        }
                    }
                }
            }
        }
        if (epilogue != null) {
            epilogue.apply(i0, i1, j0, j1);
        }
    }

    /** Runs the micro-kernel on a zero-padded copy of a partial tile and copies the result back. */
    private void edgeTile(float[] t, boolean rowsOfA, float[] ap, int ai, int rs, float[] bp, int bi, int kc, int ci,
                          int rows, int cols, boolean load) {
        Arrays.fill(t, 0f);
        if (load) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(c, ci + r * n, t, r * nr, cols);
            }
        }
        micro(rowsOfA, ap, ai, rs, bp, bi, kc, t, 0, nr, true);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(t, r * nr, c, ci + r * n, cols);
        }
    }

    /**
     * This GEMM's micro-kernel on one tile (see {@link MicroKernels}): op(A)'s panel at ap[ai],
     * row stride rs, or ({@code rowsOfA}: NN, NT read in place) mr rows of A from a[ai], k apart.
     */
    private void micro(boolean rowsOfA, float[] ap, int ai, int rs, float[] bp, int bi, int kc, float[] c, int ci,
            int ldc, boolean load) {
        if (rowsOfA) {
            if (kernel == GemmKernel.K8X2) {
                MicroKernels.kernel8x2Rows(a, ai, k, bp, bi, kc, c, ci, ldc, load);
            } else {
                MicroKernels.kernel5x2Rows(a, ai, k, bp, bi, kc, c, ci, ldc, load);
            }
            return;
        }
        switch (kernel) {
            case K5X2 -> MicroKernels.kernel5x2(ap, ai, rs, bp, bi, kc, c, ci, ldc, load);
            case K6X2 -> MicroKernels.kernel6x2(ap, ai, rs, bp, bi, kc, c, ci, ldc, load);
            case K8X2 -> MicroKernels.kernel8x2(ap, ai, rs, bp, bi, kc, c, ci, ldc, load);
            case K12X2 -> MicroKernels.kernel12x2(ap, ai, rs, bp, bi, kc, c, ci, ldc, load);
        }
    }
}
