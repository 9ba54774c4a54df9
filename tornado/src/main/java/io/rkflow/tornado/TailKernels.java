package io.rkflow.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The optimizer's tail (io.rkflow.kernels.Fused.OptimizerTail) in one pass over n elements:
 * <pre>
 *   v  = v + g² or β·v + (1 − β)·g²      (acc = 1 or 2; 0: no accumulator)
 *   g' = g / sqrt(δ + v)                 (pre = 1, written to gOut)
 *   out = x + Σ_j c_j K_j                (K_preStage read as g' itself when preStage ≥ 0; x as g' when xIsPre)
 * </pre>
 * with the arithmetic of the separate kernels (the helpers of {@link ElementwiseKernels}). The
 * values a part passes to the next stay in registers; nothing is read back through another
 * argument. {@link #checked} also writes per-group non-finite flags of out for
 * {@link ReductionKernels#finish}.
 *
 * <p>TornadoVM takes at most 20 task arguments, so the tail's switches and its stage count are
 * packed into one int, {@code mode} (see {@link #mode}); as every int argument, it is compiled
 * into the kernel and its decoding folds away. The preconditioning is in place (g' overwrites g),
 * δ and β are in one array, and the outputs g, v and out are distinct arrays: the lowering splits
 * any other tail into its parts.
 */
final class TailKernels {

    private TailKernels() {}

    /**
     * Packs the tail's switches: hasX (0/1), acc (0 none, 1 sum, 2 EMA), pre (0/1), xIsPre (0/1),
     * preStage (−1 none, else the stage read as g'), count (stages, below 256).
     */
    static int mode(int hasX, int acc, int pre, int xIsPre, int preStage, int count) {
        return hasX | acc << 1 | pre << 3 | xIsPre << 4 | (preStage + 1) << 5 | count << 12;
    }

    static void tail(FloatArray x, int xo, FloatArray k, int ko, int stride, FloatArray c, int co, FloatArray s,
            int deltaOff, int betaOff, int mode, int n, FloatArray g, int go, FloatArray v, int vo, FloatArray out,
            int oo) {
        int hasX = mode & 1;
        int acc = (mode >> 1) & 3;
        int pre = (mode >> 3) & 1;
        int xIsPre = (mode >> 4) & 1;
        int preStage = ((mode >> 5) & 127) - 1;
        int count = mode >> 12;
        for (@Parallel int i = 0; i < n; i++) {
            float gi = pre == 1 ? g.get(go + i) : 0f;
            float vi = pre == 1 ? accumulated(acc, v.get(vo + i), gi, s, betaOff) : 0f;
            float gp = pre == 1 ? ElementwiseKernels.preconditioned(gi, vi, s.get(deltaOff)) : 0f;
            float sum = combined(x, xo, k, ko, stride, c, co, hasX, xIsPre, preStage, count, gp, i);
            if (vo >= 0 && acc != 0) {
                v.set(vo + i, vi);
            }
            if (go >= 0 && pre == 1) {
                g.set(go + i, gp);
            }
            if (oo >= 0) {
                out.set(oo + i, sum);
            }
        }
    }

    /** {@link #tail} over a grid-stride loop, and the group's flag: 1 if any out it wrote is NaN or infinite. */
    static void checked(KernelContext ctx, FloatArray x, int xo, FloatArray k, int ko, int stride, FloatArray c,
            int co, FloatArray s, int deltaOff, int betaOff, int mode, int n, FloatArray g, int go, FloatArray v,
            int vo, FloatArray out, int oo, DoubleArray part) {
        int hasX = mode & 1;
        int acc = (mode >> 1) & 3;
        int pre = (mode >> 3) & 1;
        int xIsPre = (mode >> 4) & 1;
        int preStage = ((mode >> 5) & 127) - 1;
        int count = mode >> 12;
        int lid = ctx.localIdx;
        double[] loc = ctx.allocateDoubleLocalArray(ReductionKernels.LOCAL);
        double flag = 0.0;
        for (int i = ctx.globalIdx; i < n; i += ctx.globalGroupSizeX) {
            float gi = pre == 1 ? g.get(go + i) : 0f;
            float vi = pre == 1 ? accumulated(acc, v.get(vo + i), gi, s, betaOff) : 0f;
            float gp = pre == 1 ? ElementwiseKernels.preconditioned(gi, vi, s.get(deltaOff)) : 0f;
            float sum = combined(x, xo, k, ko, stride, c, co, hasX, xIsPre, preStage, count, gp, i);
            if (vo >= 0 && acc != 0) {
                v.set(vo + i, vi);
            }
            if (go >= 0 && pre == 1) {
                g.set(go + i, gp);
            }
            if (oo >= 0) {
                out.set(oo + i, sum);
            }
            double d = (double) sum - (double) sum;
            if (d != 0.0) { // NaN − NaN and ∞ − ∞ are NaN, which compares unequal
                flag = 1.0;
            }
        }
        loc[lid] = flag;
        for (int step = ReductionKernels.LOCAL / 2; step > 0; step /= 2) {
            ctx.localBarrier();
            if (lid < step) {
                loc[lid] = TornadoMath.max(loc[lid], loc[lid + step]);
            }
        }
        if (lid == 0) {
            part.set(ctx.groupIdx, loc[0]);
        }
    }

    /** v after the accumulator (acc 1: + g², 2: the EMA with β at betaOff), or v itself (acc 0). */
    private static float accumulated(int acc, float old, float gi, FloatArray s, int betaOff) {
        return acc == 0 ? old : ElementwiseKernels.squared(acc == 2 ? 1 : 0, old, gi, acc == 2 ? s.get(betaOff) : 1f);
    }

    /** Element i of x + Σ_j c_j K_j (or Σ_j c_j K_j), with g' standing in for stage preStage (and x if xIsPre). */
    private static float combined(FloatArray x, int xo, FloatArray k, int ko, int stride, FloatArray c, int co,
            int hasX, int xIsPre, int preStage, int count, float gp, int i) {
        float k0 = preStage == 0 ? gp : k.get(ko + i);
        float sum = hasX == 1 ? (xIsPre == 1 ? gp : x.get(xo + i)) + c.get(co) * k0 : c.get(co) * k0;
        for (int j = 1; j < count; j++) {
            float kj = preStage == j ? gp : k.get(ko + j * stride + i);
            sum += c.get(co + j) * kj;
        }
        return sum;
    }
}
