package io.rkflow.kernels.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernels of {@link JvmGemm}, one method per {@link GemmKernel} tile,
 * each with its accumulators in locals (the Vector API keeps a vector in a register only when it
 * is a local of fixed count and the species is a constant, hence one body per tile).
 *
 * <p>{@code kernelRxN} computes an R × N·VL tile of C at {@code c[ci + r·ldc + q]} from a row
 * panel of op(A), element (r, p) at {@code ap[ai + p·rs + r]} (packed: rs = R; or A itself for TN,
 * rs = m, where op(A)'s R rows at step p are R consecutive floats), and a packed column panel of
 * op(B), element (p, q) at {@code bp[bi + p·N·VL + q]}: per k step it loads the N vectors of a B
 * row, broadcasts each of the R elements of an A column and fused-multiply-adds, so that
 * c_rq ← fma(a_rp, b_pq, c_rq) for p = 0, 1, …, kc-1 in order, starting from C ({@code load}) or
 * from 0.
 */
final class MicroKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int VL = F.length();

    private MicroKernels() {}

    /** The 5 × 2·VL micro-kernel (10 accumulators); see {@link MicroKernels}. */
    static void kernel5x2(float[] ap, int ai, int rs, float[] bp, int bi, int kc, float[] c, int ci, int ldc,
                          boolean load) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41;
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
        } else {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z;
            c10 = z; c11 = z;
            c20 = z; c21 = z;
            c30 = z; c31 = z;
            c40 = z; c41 = z;
        }
        for (int p = 0; p < kc; p++) {
            int x = ai + p * rs;
            int y = bi + p * 2 * VL;
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
    }

    /** The 6 × 2·VL micro-kernel (12 accumulators); see {@link MicroKernels}. */
    static void kernel6x2(float[] ap, int ai, int rs, float[] bp, int bi, int kc, float[] c, int ci, int ldc,
                          boolean load) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
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
        } else {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z;
            c10 = z; c11 = z;
            c20 = z; c21 = z;
            c30 = z; c31 = z;
            c40 = z; c41 = z;
            c50 = z; c51 = z;
        }
        for (int p = 0; p < kc; p++) {
            int x = ai + p * rs;
            int y = bi + p * 2 * VL;
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
    }

    /** The 8 × 2·VL micro-kernel (16 accumulators); see {@link MicroKernels}. */
    static void kernel8x2(float[] ap, int ai, int rs, float[] bp, int bi, int kc, float[] c, int ci, int ldc,
                          boolean load) {
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
            c00 = z; c01 = z;
            c10 = z; c11 = z;
            c20 = z; c21 = z;
            c30 = z; c31 = z;
            c40 = z; c41 = z;
            c50 = z; c51 = z;
            c60 = z; c61 = z;
            c70 = z; c71 = z;
        }
        for (int p = 0; p < kc; p++) {
            int x = ai + p * rs;
            int y = bi + p * 2 * VL;
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

    /** The 12 × 2·VL micro-kernel (24 accumulators); see {@link MicroKernels}. */
    static void kernel12x2(float[] ap, int ai, int rs, float[] bp, int bi, int kc, float[] c, int ci, int ldc,
                           boolean load) {
        FloatVector c000, c001, c010, c011, c020, c021, c030, c031, c040, c041, c050, c051, c060, c061, c070, c071, c080, c081, c090, c091, c100, c101, c110, c111;
        if (load) {
            c000 = FloatVector.fromArray(F, c, ci);
            c001 = FloatVector.fromArray(F, c, ci + VL);
            c010 = FloatVector.fromArray(F, c, ci + ldc);
            c011 = FloatVector.fromArray(F, c, ci + ldc + VL);
            c020 = FloatVector.fromArray(F, c, ci + 2 * ldc);
            c021 = FloatVector.fromArray(F, c, ci + 2 * ldc + VL);
            c030 = FloatVector.fromArray(F, c, ci + 3 * ldc);
            c031 = FloatVector.fromArray(F, c, ci + 3 * ldc + VL);
            c040 = FloatVector.fromArray(F, c, ci + 4 * ldc);
            c041 = FloatVector.fromArray(F, c, ci + 4 * ldc + VL);
            c050 = FloatVector.fromArray(F, c, ci + 5 * ldc);
            c051 = FloatVector.fromArray(F, c, ci + 5 * ldc + VL);
            c060 = FloatVector.fromArray(F, c, ci + 6 * ldc);
            c061 = FloatVector.fromArray(F, c, ci + 6 * ldc + VL);
            c070 = FloatVector.fromArray(F, c, ci + 7 * ldc);
            c071 = FloatVector.fromArray(F, c, ci + 7 * ldc + VL);
            c080 = FloatVector.fromArray(F, c, ci + 8 * ldc);
            c081 = FloatVector.fromArray(F, c, ci + 8 * ldc + VL);
            c090 = FloatVector.fromArray(F, c, ci + 9 * ldc);
            c091 = FloatVector.fromArray(F, c, ci + 9 * ldc + VL);
            c100 = FloatVector.fromArray(F, c, ci + 10 * ldc);
            c101 = FloatVector.fromArray(F, c, ci + 10 * ldc + VL);
            c110 = FloatVector.fromArray(F, c, ci + 11 * ldc);
            c111 = FloatVector.fromArray(F, c, ci + 11 * ldc + VL);
        } else {
            FloatVector z = FloatVector.zero(F);
            c000 = z; c001 = z;
            c010 = z; c011 = z;
            c020 = z; c021 = z;
            c030 = z; c031 = z;
            c040 = z; c041 = z;
            c050 = z; c051 = z;
            c060 = z; c061 = z;
            c070 = z; c071 = z;
            c080 = z; c081 = z;
            c090 = z; c091 = z;
            c100 = z; c101 = z;
            c110 = z; c111 = z;
        }
        for (int p = 0; p < kc; p++) {
            int x = ai + p * rs;
            int y = bi + p * 2 * VL;
            FloatVector b0 = FloatVector.fromArray(F, bp, y);
            FloatVector b1 = FloatVector.fromArray(F, bp, y + VL);
            FloatVector s = FloatVector.broadcast(F, ap[x]);
            c000 = s.fma(b0, c000);
            c001 = s.fma(b1, c001);
            s = FloatVector.broadcast(F, ap[x + 1]);
            c010 = s.fma(b0, c010);
            c011 = s.fma(b1, c011);
            s = FloatVector.broadcast(F, ap[x + 2]);
            c020 = s.fma(b0, c020);
            c021 = s.fma(b1, c021);
            s = FloatVector.broadcast(F, ap[x + 3]);
            c030 = s.fma(b0, c030);
            c031 = s.fma(b1, c031);
            s = FloatVector.broadcast(F, ap[x + 4]);
            c040 = s.fma(b0, c040);
            c041 = s.fma(b1, c041);
            s = FloatVector.broadcast(F, ap[x + 5]);
            c050 = s.fma(b0, c050);
            c051 = s.fma(b1, c051);
            s = FloatVector.broadcast(F, ap[x + 6]);
            c060 = s.fma(b0, c060);
            c061 = s.fma(b1, c061);
            s = FloatVector.broadcast(F, ap[x + 7]);
            c070 = s.fma(b0, c070);
            c071 = s.fma(b1, c071);
            s = FloatVector.broadcast(F, ap[x + 8]);
            c080 = s.fma(b0, c080);
            c081 = s.fma(b1, c081);
            s = FloatVector.broadcast(F, ap[x + 9]);
            c090 = s.fma(b0, c090);
            c091 = s.fma(b1, c091);
            s = FloatVector.broadcast(F, ap[x + 10]);
            c100 = s.fma(b0, c100);
            c101 = s.fma(b1, c101);
            s = FloatVector.broadcast(F, ap[x + 11]);
            c110 = s.fma(b0, c110);
            c111 = s.fma(b1, c111);
        }
        c000.intoArray(c, ci);
        c001.intoArray(c, ci + VL);
        c010.intoArray(c, ci + ldc);
        c011.intoArray(c, ci + ldc + VL);
        c020.intoArray(c, ci + 2 * ldc);
        c021.intoArray(c, ci + 2 * ldc + VL);
        c030.intoArray(c, ci + 3 * ldc);
        c031.intoArray(c, ci + 3 * ldc + VL);
        c040.intoArray(c, ci + 4 * ldc);
        c041.intoArray(c, ci + 4 * ldc + VL);
        c050.intoArray(c, ci + 5 * ldc);
        c051.intoArray(c, ci + 5 * ldc + VL);
        c060.intoArray(c, ci + 6 * ldc);
        c061.intoArray(c, ci + 6 * ldc + VL);
        c070.intoArray(c, ci + 7 * ldc);
        c071.intoArray(c, ci + 7 * ldc + VL);
        c080.intoArray(c, ci + 8 * ldc);
        c081.intoArray(c, ci + 8 * ldc + VL);
        c090.intoArray(c, ci + 9 * ldc);
        c091.intoArray(c, ci + 9 * ldc + VL);
        c100.intoArray(c, ci + 10 * ldc);
        c101.intoArray(c, ci + 10 * ldc + VL);
        c110.intoArray(c, ci + 11 * ldc);
        c111.intoArray(c, ci + 11 * ldc + VL);
    }

    /**
     * The 5 × 2·VL micro-kernel reading op(A) from a row-major A, element (r, p) at
     * {@code a[ai + r·lda + p]}: the same fma chain as {@link #kernel5x2}.
     */
    static void kernel5x2Rows(float[] a, int ai, int lda, float[] bp, int bi, int kc, float[] c, int ci,
                              int ldc, boolean load) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41;
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
        } else {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z;
            c10 = z; c11 = z;
            c20 = z; c21 = z;
            c30 = z; c31 = z;
            c40 = z; c41 = z;
        }
        int a0 = ai, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda;
        for (int p = 0; p < kc; p++) {
            int y = bi + p * 2 * VL;
            FloatVector b0 = FloatVector.fromArray(F, bp, y);
            FloatVector b1 = FloatVector.fromArray(F, bp, y + VL);
            FloatVector s = FloatVector.broadcast(F, a[a0 + p]);
            c00 = s.fma(b0, c00);
            c01 = s.fma(b1, c01);
            s = FloatVector.broadcast(F, a[a1 + p]);
            c10 = s.fma(b0, c10);
            c11 = s.fma(b1, c11);
            s = FloatVector.broadcast(F, a[a2 + p]);
            c20 = s.fma(b0, c20);
            c21 = s.fma(b1, c21);
            s = FloatVector.broadcast(F, a[a3 + p]);
            c30 = s.fma(b0, c30);
            c31 = s.fma(b1, c31);
            s = FloatVector.broadcast(F, a[a4 + p]);
            c40 = s.fma(b0, c40);
            c41 = s.fma(b1, c41);
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
    }

    /**
     * The 8 × 2·VL micro-kernel reading op(A) from a row-major A, element (r, p) at
     * {@code a[ai + r·lda + p]}: the same fma chain as {@link #kernel8x2}.
     */
    static void kernel8x2Rows(float[] a, int ai, int lda, float[] bp, int bi, int kc, float[] c, int ci,
                              int ldc, boolean load) {
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
            c00 = z; c01 = z;
            c10 = z; c11 = z;
            c20 = z; c21 = z;
            c30 = z; c31 = z;
            c40 = z; c41 = z;
            c50 = z; c51 = z;
            c60 = z; c61 = z;
            c70 = z; c71 = z;
        }
        int a0 = ai, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        int a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda, a7 = a6 + lda;
        for (int p = 0; p < kc; p++) {
            int y = bi + p * 2 * VL;
            FloatVector b0 = FloatVector.fromArray(F, bp, y);
            FloatVector b1 = FloatVector.fromArray(F, bp, y + VL);
            FloatVector s = FloatVector.broadcast(F, a[a0 + p]);
            c00 = s.fma(b0, c00);
            c01 = s.fma(b1, c01);
            s = FloatVector.broadcast(F, a[a1 + p]);
            c10 = s.fma(b0, c10);
            c11 = s.fma(b1, c11);
            s = FloatVector.broadcast(F, a[a2 + p]);
            c20 = s.fma(b0, c20);
            c21 = s.fma(b1, c21);
            s = FloatVector.broadcast(F, a[a3 + p]);
            c30 = s.fma(b0, c30);
            c31 = s.fma(b1, c31);
            s = FloatVector.broadcast(F, a[a4 + p]);
            c40 = s.fma(b0, c40);
            c41 = s.fma(b1, c41);
            s = FloatVector.broadcast(F, a[a5 + p]);
            c50 = s.fma(b0, c50);
            c51 = s.fma(b1, c51);
            s = FloatVector.broadcast(F, a[a6 + p]);
            c60 = s.fma(b0, c60);
            c61 = s.fma(b1, c61);
            s = FloatVector.broadcast(F, a[a7 + p]);
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
}
