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
        int accumulate = (mode >> 2) & 1;
        int epilogue = (mode >> 3) & 3;
        int kind = ((mode >> 5) & 3) - 1;
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
}
