package io.rkflow.kernels.jvm;

import io.rkflow.kernels.GemmForm;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM on the JVM device: C = op(A)·op(B), or C += op(A)·op(B) when
 * {@code accumulate}, with all matrices row major and C m × n (see {@link GemmForm}), so that
 * c_ij = (c_ij or 0) + Σ_p a_ip·b_pj with the sum taken over p = 0, 1, …, k-1.
 *
 * <p><b>Blocking.</b> The inner loop is one MR × NR register-blocked micro-kernel ({@code MR} = 8
 * rows, {@code NR} = two vectors of columns, 16 accumulator vectors in locals): per k step it
 * loads one row of a packed B panel, broadcasts each of the MR elements of a packed A column and
 * fused-multiply-adds. Operands are packed so that the kernel reads both sequentially: op(A) into
 * row panels (element (r, p) at p·MR + r), op(B) into column panels (element (p, q) at p·NR + q),
 * both split into k-blocks of at most {@code KC}; packing also resolves the transposed layouts
 * (Aᵀ of TN, Bᵀ of NT), so the same kernel serves every form. C is cut into fixed chunks of
 * mc rows × {@code NC} columns (mc depends on the shape only); a chunk walks its k-blocks, then
 * its row panels (an MR × KC panel of A stays in L1), then its column panels (the KC × NC block
 * of B stays in L2). An operand block used by several chunks (A when there are several column
 * strips, B when there are several row blocks) is packed once per run in a first parallel phase;
 * otherwise each chunk packs it per k-block into its worker's scratch, where it is used at once.
 *
 * <p><b>Determinism.</b> Every element of C is one chain of float fused multiply-adds over p in
 * ascending order, c ← fma(a_ip, b_pj, c), started from 0 (or from the old c_ij when
 * accumulating). Vector lanes of {@code fma} round exactly like {@link Math#fma}; between
 * k-blocks the running value is stored in C as a float and reloaded unchanged; edge tiles run the
 * same micro-kernel on a zero-padded copy of the tile, and padding rows or columns of the packed
 * operands only feed lanes that are never stored. So the arithmetic of an element depends on
 * neither the tiling nor the thread that computes it, and results are bit-identical for every
 * thread count and run.
 */
final class JvmGemm implements Step {

    /**
     * Work on a finished region of C, rows [i0, i1) × columns [j0, j1): run by the thread that
     * computed the region, right after its last k-block, while it is still in cache (a fused
     * bias and activation, an activation's backward). Regions are the fixed chunks of C, so what
     * an epilogue computes does not depend on the thread count either.
     */
    @FunctionalInterface
    interface Epilogue {
        void apply(int i0, int i1, int j0, int j1);
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int VL = F.length();
    /** Rows of the micro-kernel tile. */
    private static final int MR = 8;
    /** Columns of the micro-kernel tile: two vectors. */
    private static final int NR = 2 * VL;
    /** Depth of a k-block. */
    private static final int KC = 256;
    /** Columns of a chunk (a multiple of NR): its KC × NC block of packed B stays in L2. */
    private static final int NC = 4 * NR;
    /** Multiply-adds per chunk below which a run is not split further. */
    private static final long MIN_CHUNK_WORK = 1 << 17;
    /** Chunks a run aims for when it is large enough. */
    private static final int MAX_CHUNKS = 8;
    /** Elements of A packed per chunk below which packing is not split further. */
    private static final int MIN_PACK_WORK = 1 << 14;

    private final WorkerPool pool;
    private final GemmForm form;
    private final int m, n, k;
    private final boolean accumulate;
    private final float[] c, a, b;
    private final int cOff, aOff, bOff;
    private final int mPad, nPad;
    /** C is cut into rowBlocks × strips chunks of mc × NC. */
    private final int rowBlocks, mc, strips;
    /**
     * Whether op(A) (used by every strip) and op(B) (used by every row block) are packed once, in
     * a first phase, or per k-block by the chunk that uses them (in the memory of its worker).
     */
    private final boolean sharedA, sharedB;
    /** First-phase packing of A: chunks of aRows rows. */
    private final int aChunks, aRows;
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
    /** Per worker, an MR × NR tile for the edges of C. */
    private final float[][] edge;
    /** Scratch slots: A, B, then per worker A-local, B-local and edge. */
    private static final int SLOT_A = 0;
    private static final int SLOT_B = 1;
    private final Epilogue epilogue;
    private final WorkerPool.Body packBody = this::pack;
    private final WorkerPool.Body tileBody = this::tile;

    JvmGemm(WorkerPool pool, Scratch scratch, GemmForm form, int m, int n, int k, boolean accumulate,
            float[] c, int cOff, float[] a, int aOff, float[] b, int bOff) {
        this(pool, scratch, form, m, n, k, accumulate, c, cOff, a, aOff, b, bOff, null);
    }

    /** A GEMM whose chunks of C each end with {@code epilogue} (null: none). */
    JvmGemm(WorkerPool pool, Scratch scratch, GemmForm form, int m, int n, int k, boolean accumulate,
            float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, Epilogue epilogue) {
        this.epilogue = epilogue;
        this.pool = pool;
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
        this.mPad = roundUp(m, MR);
        this.nPad = roundUp(n, NR);
        int panels = Math.max(1, mPad / MR);
        this.strips = Math.max(1, ceilDiv(n, NC));
        int target = Math.clamp((long) m * n * k / MIN_CHUNK_WORK, 1, MAX_CHUNKS);
        int blocks = Math.min(panels, ceilDiv(target, strips));
        this.mc = Math.max(MR, roundUp(ceilDiv(m, blocks), MR));
        this.rowBlocks = Math.max(1, ceilDiv(m, mc));
        this.sharedA = strips > 1;
        this.sharedB = rowBlocks > 1;
        int packChunks = Math.clamp((long) m * k / MIN_PACK_WORK, 1, Math.min(MAX_CHUNKS, panels));
        this.aRows = Math.max(MR, roundUp(ceilDiv(m, packChunks), MR));
        this.aChunks = sharedA ? ceilDiv(m, aRows) : 0;
        boolean work = m > 0 && n > 0 && k > 0;
        int kc = Math.min(KC, k);
        int threads = pool.threads();
        scratch.reserve(SLOT_A, work && sharedA ? Math.multiplyExact(mPad, k) : 0);
        scratch.reserve(SLOT_B, work && sharedB ? Math.multiplyExact(nPad, k) : 0);
        for (int w = 0; w < threads; w++) {
            scratch.reserve(2 + w, work && !sharedA ? Math.min(mc, mPad) * kc : 0);
            scratch.reserve(2 + threads + w, work && !sharedB ? Math.min(NC, nPad) * kc : 0);
            scratch.reserve(2 + 2 * threads + w, MR * NR);
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

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int unit) {
        return ceilDiv(x, unit) * unit;
    }

    @Override
    public void run() {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, cOff + i * n, cOff + i * n + n, 0f);
                }
            }
            if (epilogue != null) {
                epilogue.apply(0, m, 0, n);
            }
            return;
        }
        fetchScratch();
        pool.run(aChunks + (sharedB ? strips : 0), packBody);
        pool.run(rowBlocks * strips, tileBody);
    }

    /** First phase: packs rows of A (chunk &lt; aChunks) or one strip of B. */
    private void pack(int chunk, int worker) {
        if (chunk < aChunks) {
            int i0 = chunk * aRows;
            int i1 = Math.min(m, i0 + aRows);
            for (int p0 = 0; p0 < k; p0 += KC) {
                int kc = Math.min(KC, k - p0);
                for (int i = i0; i < i1; i += MR) {
                    packA(p0, kc, i, Math.min(MR, m - i), aPack, p0 * mPad + i * kc);
                }
            }
        } else {
            int j0 = (chunk - aChunks) * NC;
            int j1 = Math.min(n, j0 + NC);
            for (int p0 = 0; p0 < k; p0 += KC) {
                int kc = Math.min(KC, k - p0);
                for (int j = j0; j < j1; j += NR) {
                    packB(p0, kc, j, Math.min(NR, n - j), bPack, p0 * nPad + j * kc);
                }
            }
        }
    }

    /** dst[at + p·MR + r] = op(A)[i + r][p0 + p] for r &lt; rows; padding rows are left as they are. */
    private void packA(int p0, int kc, int i, int rows, float[] dst, int at) {
        if (form == GemmForm.TN) {
            if (rows == MR) {
                for (int p = 0, src = aOff + p0 * m + i, d = at; p < kc; p++, src += m, d += MR) {
                    for (int r = 0; r < MR; r++) {
                        dst[d + r] = a[src + r];
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(a, aOff + (p0 + p) * m + i, dst, at + p * MR, rows);
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                int src = aOff + (i + r) * k + p0;
                for (int p = 0; p < kc; p++) {
                    dst[at + p * MR + r] = a[src + p];
                }
            }
        }
    }

    /** dst[at + p·NR + q] = op(B)[p0 + p][j + q] for q &lt; cols; padding columns are left as they are. */
    private void packB(int p0, int kc, int j, int cols, float[] dst, int at) {
        if (form == GemmForm.NT) {
            for (int q = 0; q < cols; q++) {
                int src = bOff + (j + q) * k + p0;
                for (int p = 0; p < kc; p++) {
                    dst[at + p * NR + q] = b[src + p];
                }
            }
        } else {
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, bOff + (p0 + p) * n + j, dst, at + p * NR, cols);
            }
        }
    }

    /** Computes C tile {@code chunk}: row block chunk / strips, column strip chunk % strips. */
    private void tile(int chunk, int worker) {
        int i0 = chunk / strips * mc;
        int i1 = Math.min(m, i0 + mc);
        int j0 = chunk % strips * NC;
        int j1 = Math.min(n, j0 + NC);
        float[] t = edge[worker];
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            boolean load = accumulate || p0 > 0;
            // the panel of rows at i is at ap[a0 + (i - i0)·kc], that of columns at j at bp[b0 + (j - j0)·kc]
            float[] ap = sharedA ? aPack : aLocal[worker];
            int a0 = sharedA ? p0 * mPad + i0 * kc : 0;
            if (!sharedA) {
                for (int i = i0; i < i1; i += MR) {
                    packA(p0, kc, i, Math.min(MR, i1 - i), ap, (i - i0) * kc);
                }
            }
            float[] bp = sharedB ? bPack : bLocal[worker];
            int b0 = sharedB ? p0 * nPad + j0 * kc : 0;
            if (!sharedB) {
                for (int j = j0; j < j1; j += NR) {
                    packB(p0, kc, j, Math.min(NR, j1 - j), bp, (j - j0) * kc);
                }
            }
            for (int i = i0; i < i1; i += MR) {
                int rows = Math.min(MR, i1 - i);
                int ai = a0 + (i - i0) * kc;
                for (int j = j0; j < j1; j += NR) {
                    int cols = Math.min(NR, j1 - j);
                    int bi = b0 + (j - j0) * kc;
                    int ci = cOff + i * n + j;
                    if (rows == MR && cols == NR) {
                        kernel2(ap, ai, bp, bi, kc, c, ci, n, load);
                    } else if (rows == MR && cols == VL) {
                        kernel1(ap, ai, bp, bi, kc, c, ci, n, load);
                    } else {
                        edgeTile(t, ap, ai, bp, bi, kc, ci, rows, cols, load);
                    }
                }
            }
        }
        if (epilogue != null) {
            epilogue.apply(i0, i1, j0, j1);
        }
    }

    /** Runs the micro-kernel on a zero-padded copy of a partial tile and copies the result back. */
    private void edgeTile(float[] t, float[] ap, int ai, float[] bp, int bi, int kc, int ci, int rows, int cols,
                          boolean load) {
        Arrays.fill(t, 0f);
        if (load) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(c, ci + r * n, t, r * NR, cols);
            }
        }
        if (cols <= VL) {
            kernel1(ap, ai, bp, bi, kc, t, 0, NR, true);
        } else {
            kernel2(ap, ai, bp, bi, kc, t, 0, NR, true);
        }
        for (int r = 0; r < rows; r++) {
            System.arraycopy(t, r * NR, c, ci + r * n, cols);
        }
    }

    /**
     * The MR × 2·VL micro-kernel: C[ci + r·ldc + q] = fma-chain over p of ap[ai + p·MR + r] ·
     * bp[bi + p·NR + q], starting from C ({@code load}) or 0.
     */
    private static void kernel2(float[] ap, int ai, float[] bp, int bi, int kc,
                                float[] c, int ci, int ldc, boolean load) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (load) {
            c00 = FloatVector.fromArray(F, c, ci);
            c01 = FloatVector.fromArray(F, c, ci + VL);
            c10 = FloatVector.fromArray(F, c, ci + ldc);
            c11 = FloatVector.fromArray(F, c, ci + ldc + VL);
            c20 = FloatVector.fromArray(F, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(F, c, ci + 2 * ldc + VL);
            c30 = FloatVector.fromArray(F, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(F, c, ci + 3 * ldc + VL);
            c40 = FloatVector.fromArray(F, c, ci + 4 * ldc);
            c41 = FloatVector.fromArray(F, c, ci + 4 * ldc + VL);
            c50 = FloatVector.fromArray(F, c, ci + 5 * ldc);
            c51 = FloatVector.fromArray(F, c, ci + 5 * ldc + VL);
            c60 = FloatVector.fromArray(F, c, ci + 6 * ldc);
            c61 = FloatVector.fromArray(F, c, ci + 6 * ldc + VL);
            c70 = FloatVector.fromArray(F, c, ci + 7 * ldc);
            c71 = FloatVector.fromArray(F, c, ci + 7 * ldc + VL);
        } else {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z;
            c40 = z; c41 = z; c50 = z; c51 = z; c60 = z; c61 = z; c70 = z; c71 = z;
        }
        for (int p = 0; p < kc; p++) {
            int x = ai + p * MR;
            int y = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(F, bp, y);
            FloatVector b1 = FloatVector.fromArray(F, bp, y + VL);
            FloatVector s = FloatVector.broadcast(F, ap[x]);
            c00 = s.fma(b0, c00);
            c01 = s.fma(b1, c01);
            s = FloatVector.broadcast(F, ap[x + 1]);
            c10 = s.fma(b0, c10);
            c11 = s.fma(b1, c11);
            s = FloatVector.broadcast(F, ap[x + 2]);
            c20 = s.fma(b0, c20);
            c21 = s.fma(b1, c21);
            s = FloatVector.broadcast(F, ap[x + 3]);
            c30 = s.fma(b0, c30);
            c31 = s.fma(b1, c31);
            s = FloatVector.broadcast(F, ap[x + 4]);
            c40 = s.fma(b0, c40);
            c41 = s.fma(b1, c41);
            s = FloatVector.broadcast(F, ap[x + 5]);
            c50 = s.fma(b0, c50);
            c51 = s.fma(b1, c51);
            s = FloatVector.broadcast(F, ap[x + 6]);
            c60 = s.fma(b0, c60);
            c61 = s.fma(b1, c61);
            s = FloatVector.broadcast(F, ap[x + 7]);
            c70 = s.fma(b0, c70);
            c71 = s.fma(b1, c71);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + VL);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + VL);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + VL);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + VL);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + VL);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + VL);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + VL);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + VL);
    }

    /** The MR × VL micro-kernel: {@code kernel2} on the first vector of the B panel only. */
    private static void kernel1(float[] ap, int ai, float[] bp, int bi, int kc,
                                float[] c, int ci, int ldc, boolean load) {
        FloatVector c0, c1, c2, c3, c4, c5, c6, c7;
        if (load) {
            c0 = FloatVector.fromArray(F, c, ci);
            c1 = FloatVector.fromArray(F, c, ci + ldc);
            c2 = FloatVector.fromArray(F, c, ci + 2 * ldc);
            c3 = FloatVector.fromArray(F, c, ci + 3 * ldc);
            c4 = FloatVector.fromArray(F, c, ci + 4 * ldc);
            c5 = FloatVector.fromArray(F, c, ci + 5 * ldc);
            c6 = FloatVector.fromArray(F, c, ci + 6 * ldc);
            c7 = FloatVector.fromArray(F, c, ci + 7 * ldc);
        } else {
            FloatVector z = FloatVector.zero(F);
            c0 = z; c1 = z; c2 = z; c3 = z; c4 = z; c5 = z; c6 = z; c7 = z;
        }
        for (int p = 0; p < kc; p++) {
            int x = ai + p * MR;
            FloatVector b0 = FloatVector.fromArray(F, bp, bi + p * NR);
            c0 = FloatVector.broadcast(F, ap[x]).fma(b0, c0);
            c1 = FloatVector.broadcast(F, ap[x + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(F, ap[x + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(F, ap[x + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(F, ap[x + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(F, ap[x + 5]).fma(b0, c5);
            c6 = FloatVector.broadcast(F, ap[x + 6]).fma(b0, c6);
            c7 = FloatVector.broadcast(F, ap[x + 7]).fma(b0, c7);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + ldc);
        c2.intoArray(c, ci + 2 * ldc);
        c3.intoArray(c, ci + 3 * ldc);
        c4.intoArray(c, ci + 4 * ldc);
        c5.intoArray(c, ci + 5 * ldc);
        c6.intoArray(c, ci + 6 * ldc);
        c7.intoArray(c, ci + 7 * ldc);
    }
}
