package io.rkflow.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * C (+)= op(A)·op(B), row major, as a {@link KernelContext} kernel over {@value #TILE}×{@value #TILE}
 * tiles of C: each group stages a tile of op(A) and of op(B) in local memory per step of k, each
 * work-item owns one element of C. Loads and the store are guarded, so no dimension needs to be a
 * multiple of the tile. {@code form}: 0 NN (A m×k, B k×n), 1 NT (B n×k), 2 TN (A k×m).
 *
 * <p>An epilogue (an int, so it folds away) does what the fused kernels add to the product, on the
 * element just computed: {@link #BIAS} adds bias[col] and, for an activation {@code kind} ≥ 0, writes
 * y = f(C); {@link #BACKWARD} writes y = C·f'(x) (an activation's backward); {@link #BIAS_GRAD}
 * runs one more row of work-items, row m, whose item col writes y[col] (+)= Σ_p B[p][col], summed in
 * double from the staged tiles of B as they pass (the bias gradient beside Xᵀ·dZ). Each is the arithmetic of the separate kernels. {@code yInC == 1}:
 * y lies in C's array and is written through {@code c} (y is then a placeholder).
 */
final class GemmKernels {

    static final int TILE = 16;

    static final int NN = 0;
    static final int NT = 1;
    static final int TN = 2;

    static final int NONE = 0;
    static final int BIAS = 1;
    static final int BACKWARD = 2;
    static final int BIAS_GRAD = 3;

    private GemmKernels() {}

    /**
     * Packs the kernel's switches into one int (TornadoVM takes at most 20 task arguments; as an
     * int argument it is compiled in and its decoding folds away): form, accumulate (0/1), the
     * epilogue, the activation kind (−1 none), yAccumulate (0/1: the bias gradient adds to y), yInC.
     */
    static int mode(int form, int accumulate, int epilogue, int kind, int yAccumulate, int yInC) {
        return form | accumulate << 2 | epilogue << 3 | (kind + 1) << 5 | yAccumulate << 7 | yInC << 8;
    }

    static void gemm(KernelContext ctx, FloatArray a, int ao, FloatArray b, int bo, FloatArray bias, int bio,
            FloatArray x, int xo, int m, int n, int k, int mode, FloatArray c, int co, FloatArray y, int yo) {
        int form = mode & 3;
        int epilogue = (mode >> 3) & 3;
        int yAccumulate = (mode >> 7) & 1;
        int yInC = (mode >> 8) & 1;
        int tx = ctx.localIdx;   // column within the tile
        int ty = ctx.localIdy;   // row within the tile
        int col = ctx.groupIdx * TILE + tx;
        int row = ctx.groupIdy * TILE + ty;
        float[] tileA = ctx.allocateFloatLocalArray(TILE * TILE);
        float[] tileB = ctx.allocateFloatLocalArray(TILE * TILE);
        float acc = 0f;
        double columnSum = 0.0; // row m of the bias-gradient epilogue: Σ_p B[p][col], p ascending
        int steps = (k + TILE - 1) / TILE;
        for (int t = 0; t < steps; t++) {
            int ka = t * TILE + tx; // A's column (the k index) this item loads
            int kb = t * TILE + ty; // B's row (the k index) this item loads
            float va = 0f;
            if (row < m && ka < k) {
                va = form == TN ? a.get(ao + ka * m + row) : a.get(ao + row * k + ka);
            }
            float vb = 0f;
            if (col < n && kb < k) {
                vb = form == NT ? b.get(bo + col * k + kb) : b.get(bo + kb * n + col);
            }
            tileA[ty * TILE + tx] = va;
            tileB[ty * TILE + tx] = vb;
            ctx.localBarrier();
            for (int p = 0; p < TILE; p++) {
                acc += tileA[ty * TILE + p] * tileB[p * TILE + tx];
            }
            if (epilogue == BIAS_GRAD && row == m) { // a fixed-length loop over the staged tile, not over k
                for (int p = 0; p < TILE; p++) {
                    columnSum += tileB[p * TILE + tx];
                }
            }
            ctx.localBarrier();
        }
        if (row < m && col < n) {
            finish(acc, row, col, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        } else if (epilogue == BIAS_GRAD && row == m && col < n) {
            int yi = yo + col;
            float old = yAccumulate == 1 ? (yInC == 1 ? c.get(yi) : y.get(yi)) : 0f;
            float w = yAccumulate == 1 ? (float) (old + columnSum) : (float) columnSum;
            if (yInC == 1) {
                c.set(yi, w);
            } else {
                y.set(yi, w);
            }
        }
    }

    /** The register-tiled kernel: a {@value #RT_TILE}² tile of C per group of 16 × 16 items. */
    static final int RT_TILE = 64;
    /** Depth of the slabs of op(A) and op(B) staged in local memory per step. */
    static final int RT_DEPTH = 16;
    /** Items per group in each dimension; each computes 4 × 4 elements of C. */
    static final int RT_ITEMS = 16;

    /**
     * C (+)= op(A)·op(B) with a 64 × 64 tile of C per work-group of 16 × 16 items, each item
     * accumulating a 4 × 4 micro-tile in registers: rows ty + 16i and columns tx + 16j of the tile
     * (strided, so that the items of a row store consecutive elements of C and read consecutive
     * words of local memory). Per step, the group stages a 64 × 16 slab of op(A) and a 16 × 64
     * slab of op(B) in local memory, k-major, each item loading 4 elements of each, along the
     * array's contiguous dimension; every item then does 16 × 16 multiply-adds from 8 loads of
     * local memory per k, against 2 per multiply-add in {@link #gemm}. Loads and stores are
     * guarded. Each element of C is summed over k in ascending order, as in {@link #gemm}. The
     * epilogues {@link #NONE}, {@link #BIAS} and {@link #BACKWARD} are those of {@link #gemm}
     * (the bias gradient's extra row of items has no place in this layout: that fused kernel uses
     * {@link #gemm}).
     */
    static void gemmRegister(KernelContext ctx, FloatArray a, int ao, FloatArray b, int bo, FloatArray bias, int bio,
            FloatArray x, int xo, int m, int n, int k, int mode, FloatArray c, int co, FloatArray y, int yo) {
        int form = mode & 3;
        int tx = ctx.localIdx;
        int ty = ctx.localIdy;
        int rowBase = ctx.groupIdy * RT_TILE;
        int colBase = ctx.groupIdx * RT_TILE;
        int lid = ty * RT_ITEMS + tx;
        float[] slabA = ctx.allocateFloatLocalArray(RT_DEPTH * RT_TILE); // [p][r]
        float[] slabB = ctx.allocateFloatLocalArray(RT_DEPTH * RT_TILE); // [p][col]
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        int steps = (k + RT_DEPTH - 1) / RT_DEPTH;
        for (int t = 0; t < steps; t++) {
            int kBase = t * RT_DEPTH;
            for (int e = 0; e < 4; e++) {
                int idx = lid + e * RT_ITEMS * RT_ITEMS;
                // op(A): A[r][p] (NN, NT: along k) or A[p][r] (TN: along m)
                int ar = form == TN ? idx % RT_TILE : idx / RT_DEPTH;
                int ap = form == TN ? idx / RT_TILE : idx % RT_DEPTH;
                int row = rowBase + ar;
                int kk = kBase + ap;
                float va = 0f;
                if (row < m && kk < k) {
                    va = form == TN ? a.get(ao + kk * m + row) : a.get(ao + row * k + kk);
                }
                slabA[ap * RT_TILE + ar] = va;
                // op(B): B[p][col] (NN, TN: along n) or B[col][p] (NT: along k)
                int bc = form == NT ? idx / RT_DEPTH : idx % RT_TILE;
                int bp = form == NT ? idx % RT_DEPTH : idx / RT_TILE;
                int col = colBase + bc;
                int kb = kBase + bp;
                float vb = 0f;
                if (col < n && kb < k) {
                    vb = form == NT ? b.get(bo + col * k + kb) : b.get(bo + kb * n + col);
                }
                slabB[bp * RT_TILE + bc] = vb;
            }
            ctx.localBarrier();
            for (int p = 0; p < RT_DEPTH; p++) {
                int ra = p * RT_TILE + ty;
                int rb = p * RT_TILE + tx;
                float a0 = slabA[ra];
                float a1 = slabA[ra + 16];
                float a2 = slabA[ra + 32];
                float a3 = slabA[ra + 48];
                float b0 = slabB[rb];
                float b1 = slabB[rb + 16];
                float b2 = slabB[rb + 32];
                float b3 = slabB[rb + 48];
                c00 += a0 * b0;
                c01 += a0 * b1;
                c02 += a0 * b2;
                c03 += a0 * b3;
                c10 += a1 * b0;
                c11 += a1 * b1;
                c12 += a1 * b2;
                c13 += a1 * b3;
                c20 += a2 * b0;
                c21 += a2 * b1;
                c22 += a2 * b2;
                c23 += a2 * b3;
                c30 += a3 * b0;
                c31 += a3 * b1;
                c32 += a3 * b2;
                c33 += a3 * b3;
            }
            ctx.localBarrier();
        }
        int r0 = rowBase + ty;
        int q0 = colBase + tx;
        finish(c00, r0, q0, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        finish(c01, r0, q0 + 16, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        finish(c02, r0, q0 + 32, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        finish(c03, r0, q0 + 48, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        finish(c10, r0 + 16, q0, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        finish(c11, r0 + 16, q0 + 16, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        finish(c12, r0 + 16, q0 + 32, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        finish(c13, r0 + 16, q0 + 48, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        finish(c20, r0 + 32, q0, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        finish(c21, r0 + 32, q0 + 16, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        finish(c22, r0 + 32, q0 + 32, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        finish(c23, r0 + 32, q0 + 48, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        finish(c30, r0 + 48, q0, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        finish(c31, r0 + 48, q0 + 16, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        finish(c32, r0 + 48, q0 + 32, m, n, mode, bias, bio, x, xo, c, co, y, yo);
        finish(c33, r0 + 48, q0 + 48, m, n, mode, bias, bio, x, xo, c, co, y, yo);
    }

    /**
     * Element (row, col) of C from its sum over k, with the epilogue of {@code mode} (not the bias
     * gradient's, whose row m {@link #gemm} writes itself); both kernels end with it.
     */
    private static void finish(float acc, int row, int col, int m, int n, int mode, FloatArray bias, int bio,
            FloatArray x, int xo, FloatArray c, int co, FloatArray y, int yo) {
        if (row < m && col < n) {
            int accumulate = (mode >> 2) & 1;
            int epilogue = (mode >> 3) & 3;
            int kind = ((mode >> 5) & 3) - 1;
            int yInC = (mode >> 8) & 1;
            int at = co + row * n + col;
            float v = accumulate == 1 ? c.get(at) + acc : acc;
            if (epilogue == BIAS) {
                v = v + bias.get(bio + col);
            }
            c.set(at, v);
            if (epilogue == BIAS && kind >= 0 || epilogue == BACKWARD) {
                int yi = yo + row * n + col;
                float w = epilogue == BIAS ? ElementwiseKernels.activate(kind, v)
                        : ElementwiseKernels.backward(kind, v, x.get(xo + row * n + col));
                if (yInC == 1) {
                    c.set(yi, w);
                } else {
                    y.set(yi, w);
                }
            }
        }
    }
}
