package io.rkflow.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Deterministic reductions as two {@link KernelContext} kernels (not {@code @Reduce}, which gave
 * wrong sums on PoCL): pass 1 runs a fixed number of groups of {@value #LOCAL} work-items; each
 * item accumulates a fixed grid-stride subset in double, each group reduces its items in a fixed
 * tree into one partial; pass 2, one group, sums the partials in the same fixed way. The result
 * depends only on n, never on timing.
 */
final class ReductionKernels {

    /** Work-items per group; equals the size of every local array below. */
    static final int LOCAL = 256;
    /** Rows per group of the softmax kernel. */
    static final int ROWS_LOCAL = 64;
    /** Most groups of pass 1, and the size of the partials buffer. */
    static final int MAX_GROUPS = 256;

    static final int SUM = 0;
    static final int DOT = 1;
    static final int SQUARED_NORM = 2;
    static final int MAX_ABS = 3;
    static final int NON_FINITE = 4;
    static final int RMS = 5;
    static final int NORM2 = 6;

    private ReductionKernels() {}

    /** Groups pass 1 uses for n elements. */
    static int groups(int n) {
        return Math.max(1, Math.min(MAX_GROUPS, (n + LOCAL - 1) / LOCAL));
    }

    /** The maximum that keeps NaN: NaN if either is NaN. */
    private static double maxKeepNaN(double a, double b) {
        double r = b > a ? b : a;
        if (b != b) {
            r = b;
        }
        if (a != a) {
            r = a;
        }
        return r;
    }

    /**
     * sqrt(t) to double precision for any t. TornadoVM's OpenCL backend prints a sqrt as
     * {@code native_sqrt} (its default {@code tornado.enable.nativeFunctions}), which PoCL evaluates
     * in float even for a double: a sum of squares above ~3.4e38 came back ∞, one below ~1.2e-38
     * came back 0. So t is first moved by an even power of two into [2^-100, 2^100], where a float
     * root cannot over- or underflow, and that root is refined by two Newton steps in double (each
     * about squares the relative error: a float root's 1e-7, or even 1e-4, ends below double
     * rounding), then scaled back. 0, ∞ and NaN pass through the root unrefined.
     */
    private static double sqrtInDouble(double t) {
        double scaled = t;
        double back = 1.0;
        if (t > 0x1p100) {
            scaled = t * 0x1p-200;
            back = 0x1p100;
        } else if (t < 0x1p-100) {
            scaled = t * 0x1p200;
            back = 0x1p-100;
        }
        double r = TornadoMath.sqrt(scaled);
        if (scaled > 0.0 && scaled - scaled == 0.0) { // positive and finite: ∞ − ∞ is NaN
            r = 0.5 * (r + scaled / r);
            r = 0.5 * (r + scaled / r);
        }
        return r * back;
    }

    /**
     * Pass 1. {@code kind} selects the term: x (SUM), x·y (DOT), x² (SQUARED_NORM and NORM2), |x|
     * (MAX_ABS), 1 if x is not finite (NON_FINITE), (x / (atol + rtol·max(|y|, |z|)))² (RMS,
     * tol = [atol, rtol]). Operands a kind does not use are passed as x and never read. Terms and
     * partials are doubles: a float's square never leaves the double range, so NORM2's sum of
     * squares needs no rescaling.
     */
    static void partials(KernelContext ctx, FloatArray x, int xo, FloatArray y, int yo, FloatArray z, int zo,
            FloatArray tol, int to, int kind, int n, DoubleArray part) {
        int lid = ctx.localIdx;
        double[] loc = ctx.allocateDoubleLocalArray(LOCAL);
        boolean max = kind == MAX_ABS || kind == NON_FINITE;
        double acc = 0.0;
        for (int i = ctx.globalIdx; i < n; i += ctx.globalGroupSizeX) {
            double v = x.get(xo + i);
            double term;
            if (kind == SUM) {
                term = v;
            } else if (kind == DOT) {
                term = v * y.get(yo + i);
            } else if (kind == SQUARED_NORM || kind == NORM2) {
                term = v * v;
            } else if (kind == MAX_ABS) {
                term = TornadoMath.abs(v);
            } else if (kind == NON_FINITE) {
                double d = v - v;
                term = d != 0.0 ? 1.0 : 0.0; // NaN − NaN and ∞ − ∞ are NaN, which compares unequal
            } else {
                double scale = tol.get(to) + tol.get(to + 1)
                        * TornadoMath.max(TornadoMath.abs((double) y.get(yo + i)), TornadoMath.abs((double) z.get(zo + i)));
                double q = v / scale;
                term = q * q;
            }
            acc = max ? maxKeepNaN(acc, term) : acc + term;
        }
        loc[lid] = acc;
        for (int s = LOCAL / 2; s > 0; s /= 2) {
            ctx.localBarrier();
            if (lid < s) {
                loc[lid] = max ? maxKeepNaN(loc[lid], loc[lid + s]) : loc[lid] + loc[lid + s];
            }
        }
        if (lid == 0) {
            part.set(ctx.groupIdx, loc[0]);
        }
    }

    /**
     * Pass 2, one group: combines {@code groups} partials and writes out[oo] (RMS: sqrt(total / n);
     * NORM2: sqrt(total); both roots taken in double, {@link #sqrtInDouble}, before the narrowing
     * to float).
     */
    static void finish(KernelContext ctx, DoubleArray part, int kind, int groups, int n, FloatArray out, int oo) {
        int lid = ctx.localIdx;
        double[] loc = ctx.allocateDoubleLocalArray(LOCAL);
        boolean max = kind == MAX_ABS || kind == NON_FINITE;
        double acc = 0.0;
        for (int i = lid; i < groups; i += LOCAL) {
            acc = max ? maxKeepNaN(acc, part.get(i)) : acc + part.get(i);
        }
        loc[lid] = acc;
        for (int s = LOCAL / 2; s > 0; s /= 2) {
            ctx.localBarrier();
            if (lid < s) {
                loc[lid] = max ? maxKeepNaN(loc[lid], loc[lid + s]) : loc[lid] + loc[lid + s];
            }
        }
        if (lid == 0) {
            double total = loc[0];
            double result = total;
            if (kind == RMS) {
                result = n == 0 ? 0.0 : sqrtInDouble(total / n);
            } else if (kind == NORM2) {
                result = sqrtInDouble(total);
            }
            if (oo >= 0) {
                out.set(oo, (float) result);
            }
        }
    }

    /**
     * Softmax cross-entropy, pass 1: one work-item per row writes the row's gradient
     * (softmax − onehot)/rows, its loss (log-sum-exp − z_label, in double) and whether its first
     * maximum is the label. A label outside [0, classes) makes the row's loss NaN. A KernelContext
     * kernel with an explicit group size ({@value #ROWS_LOCAL}): TornadoVM's default launch for a
     * {@code @Parallel} loop of a thousand rows asked for more registers than an H200 has per block
     * (PTX backend, CUDA error 701).
     */
    static void softmaxRows(KernelContext ctx, FloatArray z, int zo, IntArray labels, int lo, int rows, int classes,
            DoubleArray rowLoss, DoubleArray rowHit, FloatArray dz, int dzo) {
        int r = ctx.globalIdx;
        if (r < rows) {
            int row = zo + r * classes;
            int label = labels.get(lo + r);
            float max = z.get(row);
            int argmax = 0;
            for (int j = 1; j < classes; j++) {
                float v = z.get(row + j);
                if (v > max) {
                    max = v;
                    argmax = j;
                }
            }
            double sum = 0.0;
            for (int j = 0; j < classes; j++) {
                sum += TornadoMath.exp((double) z.get(row + j) - max);
            }
            double lse = max + TornadoMath.log(sum);
            boolean valid = label >= 0 && label < classes;
            int safe = valid ? label : 0;
            double loss = lse - z.get(row + safe);
            double zero = loss - loss; // NaN as 0/0: OpenCL C has no NaN literal for TornadoVM to print
            rowLoss.set(r, valid ? loss : zero / zero);
            rowHit.set(r, argmax == label ? 1.0 : 0.0);
            int drow = dzo + r * classes;
            for (int j = 0; j < classes; j++) {
                double p = TornadoMath.exp(z.get(row + j) - lse);
                double d = (j == label ? p - 1.0 : p) / rows;
                if (dzo >= 0) {
                    dz.set(drow + j, (float) d);
                }
            }
        }
    }

    /**
     * Softmax cross-entropy, pass 2, one group: loss = mean row loss, correct = number of hits
     * ({@code correctInLoss == 1}: correct is a slice of loss's buffer, written through {@code loss}).
     */
    static void softmaxFinish(KernelContext ctx, DoubleArray rowLoss, DoubleArray rowHit, int rows, FloatArray loss,
            int lo, FloatArray correct, int co, int correctInLoss) {
        int lid = ctx.localIdx;
        double[] sumLoss = ctx.allocateDoubleLocalArray(LOCAL);
        double[] sumHit = ctx.allocateDoubleLocalArray(LOCAL);
        double l = 0.0;
        double h = 0.0;
        for (int r = lid; r < rows; r += LOCAL) {
            l += rowLoss.get(r);
            h += rowHit.get(r);
        }
        sumLoss[lid] = l;
        sumHit[lid] = h;
        for (int s = LOCAL / 2; s > 0; s /= 2) {
            ctx.localBarrier();
            if (lid < s) {
                sumLoss[lid] = sumLoss[lid] + sumLoss[lid + s];
                sumHit[lid] = sumHit[lid] + sumHit[lid + s];
            }
        }
        if (lid == 0) {
            if (lo >= 0) {
                loss.set(lo, rows == 0 ? 0f : (float) (sumLoss[0] / rows));
                if (correctInLoss == 1) {
                    loss.set(co, (float) sumHit[0]);
                } else {
                    correct.set(co, (float) sumHit[0]);
                }
            }
        }
    }
}
