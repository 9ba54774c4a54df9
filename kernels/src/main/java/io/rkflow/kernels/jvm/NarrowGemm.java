package io.rkflow.kernels.jvm;

import io.rkflow.kernels.GemmForm;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The path of {@link JvmGemm} for a first convolution's weight gradient, a 9 × 32 result summed
 * over 10⁵ positions, where the blocked path has too little parallelism (one tile) and the thin
 * path packs a huge op(A): {@link SplitK} (TN with m·n ≤ {@link #SPLIT_MN} and k ≥
 * {@link #SPLIT_K}). k is cut into segments fixed by the shape (at most
 * {@value JvmGemm#MAX_CHUNKS}); each segment's partial product is one fma chain per element over
 * its p in order from 0, computed in parallel; the partials are then added to 0 (or the old C) in
 * segment order. So the rounding depends on the shape only, never on the thread count. (The
 * other shape of a first convolution, its forward over a 9-element patch, takes the blocked path:
 * see {@link JvmGemm#thin}.)
 */
final class NarrowGemm {

    /** The largest m·n of the {@link SplitK} path. */
    static final int SPLIT_MN = 4096;
    /** The smallest k of the {@link SplitK} path, and the least length of its segments. */
    static final int SPLIT_K = 4096;

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int VL = F.length();

    private NarrowGemm() {}

    /** The split-k path where {@link GemmKernel#AUTO} takes it for the shape, else null. */
    static Step create(WorkerPool pool, Scratch scratch, GemmForm form, int m, int n, int k, boolean accumulate,
            float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, JvmGemm.Epilogue epilogue) {
        if (form == GemmForm.TN && (long) m * n <= SPLIT_MN && k >= SPLIT_K) {
            return new SplitK(pool, scratch, m, n, k, accumulate, c, cOff, a, aOff, b, bOff, epilogue);
        }
        return null;
    }

    /** k cut into fixed segments, their partial products summed in order; see the class documentation. */
    static final class SplitK implements Step, WorkerPool.Body {
        private static final int SLOT_PARTIALS = 0;
        /** Rows of C per register tile (times two vectors: 8 accumulators). */
        private static final int TILE_ROWS = 4;
        private final WorkerPool pool;
        private final Scratch scratch;
        private final int m, n, k, segments, length;
        private final boolean accumulate;
        private final float[] c, a, b;
        private final int cOff, aOff, bOff;
        private final JvmGemm.Epilogue epilogue;
        private float[] partials;

        SplitK(WorkerPool pool, Scratch scratch, int m, int n, int k, boolean accumulate, float[] c, int cOff,
                float[] a, int aOff, float[] b, int bOff, JvmGemm.Epilogue epilogue) {
            this.pool = pool;
            this.scratch = scratch;
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
            this.segments = Math.clamp(k / SPLIT_K, 1, JvmGemm.MAX_CHUNKS);
            this.length = JvmGemm.ceilDiv(k, segments);
            scratch.reserve(SLOT_PARTIALS, Math.multiplyExact(segments, m * n));
        }

        @Override
        public void run() {
            partials = scratch.get(SLOT_PARTIALS);
            pool.run(segments, this);
            int mn = m * n;
            for (int e = 0; e < mn; e++) {
                float s = accumulate ? c[cOff + e] : 0f;
                for (int g = 0; g < segments; g++) {
                    s += partials[g * mn + e];
                }
                c[cOff + e] = s;
            }
            if (epilogue != null) {
                epilogue.apply(0, m, 0, n);
            }
        }

        /** Segment g: P_g[i, j] = Σ_{p in g} A[p, i]·B[p, j], A k × m and B k × n row major. */
        @Override
        public void run(int g, int worker) {
            int p0 = g * length, p1 = Math.min(k, p0 + length);
            int base = g * m * n;
            for (int i = 0; i < m; i += TILE_ROWS) {
                // rows past m repeat the last row and are not stored
                int i1 = Math.min(i + 1, m - 1), i2 = Math.min(i + 2, m - 1), i3 = Math.min(i + 3, m - 1);
                for (int j = 0; j < n; j += 2 * VL) {
                    VectorMask<Float> in0 = F.indexInRange(j, n), in1 = F.indexInRange(j + VL, n);
                    FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                            c30 = c00, c31 = c00;
                    for (int p = p0; p < p1; p++) {
                        int bp = bOff + p * n + j, ap = aOff + p * m;
                        FloatVector b0 = FloatVector.fromArray(F, b, bp, in0);
                        FloatVector b1 = FloatVector.fromArray(F, b, bp + VL, in1);
                        FloatVector x0 = FloatVector.broadcast(F, a[ap + i]);
                        FloatVector x1 = FloatVector.broadcast(F, a[ap + i1]);
                        FloatVector x2 = FloatVector.broadcast(F, a[ap + i2]);
                        FloatVector x3 = FloatVector.broadcast(F, a[ap + i3]);
                        c00 = b0.fma(x0, c00);
                        c01 = b1.fma(x0, c01);
                        c10 = b0.fma(x1, c10);
                        c11 = b1.fma(x1, c11);
                        c20 = b0.fma(x2, c20);
                        c21 = b1.fma(x2, c21);
                        c30 = b0.fma(x3, c30);
                        c31 = b1.fma(x3, c31);
                    }
                    int row = base + i * n + j;
                    c00.intoArray(partials, row, in0);
                    c01.intoArray(partials, row + VL, in1);
                    if (i + 1 < m) {
                        c10.intoArray(partials, row + n, in0);
                        c11.intoArray(partials, row + n + VL, in1);
                    }
                    if (i + 2 < m) {
                        c20.intoArray(partials, row + 2 * n, in0);
                        c21.intoArray(partials, row + 2 * n + VL, in1);
                    }
                    if (i + 3 < m) {
                        c30.intoArray(partials, row + 3 * n, in0);
                        c31.intoArray(partials, row + 3 * n + VL, in1);
                    }
                }
            }
        }
    }
}
