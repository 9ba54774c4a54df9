package io.rkflow.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * C (+)= op(A)·op(B), row major, as a {@link KernelContext} kernel over {@value #TILE}×{@value #TILE}
 * tiles of C: each group stages a tile of op(A) and of op(B) in local memory per step of k, each
 * work-item owns one element of C. Loads and the store are guarded, so no dimension needs to be a
 * multiple of the tile. {@code form}: 0 NN (A m×k, B k×n), 1 NT (B n×k), 2 TN (A k×m).
 */
final class GemmKernels {

    static final int TILE = 16;

    static final int NN = 0;
    static final int NT = 1;
    static final int TN = 2;

    private GemmKernels() {}

    static void gemm(KernelContext ctx, FloatArray a, int ao, FloatArray b, int bo, int m, int n, int k, int form,
            int accumulate, FloatArray c, int co) {
        int tx = ctx.localIdx;   // column within the tile
        int ty = ctx.localIdy;   // row within the tile
        int col = ctx.groupIdx * TILE + tx;
        int row = ctx.groupIdy * TILE + ty;
        float[] tileA = ctx.allocateFloatLocalArray(TILE * TILE);
        float[] tileB = ctx.allocateFloatLocalArray(TILE * TILE);
        float acc = 0f;
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
            ctx.localBarrier();
        }
        if (row < m && col < n) {
            int at = co + row * n + col;
            float v = accumulate == 1 ? c.get(at) + acc : acc;
            c.set(at, v);
        }
    }
}
