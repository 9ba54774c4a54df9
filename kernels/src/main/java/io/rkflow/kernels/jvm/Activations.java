package io.rkflow.kernels.jvm;

import static io.rkflow.kernels.jvm.JvmDevice.array;
import static io.rkflow.kernels.jvm.Widening.D;
import static io.rkflow.kernels.jvm.Widening.FH;
import static io.rkflow.kernels.jvm.Widening.narrow;
import static io.rkflow.kernels.jvm.Widening.widen;

import io.rkflow.kernels.Activation;
import io.rkflow.kernels.Fused;
import io.rkflow.kernels.Task;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Activation kernels. ReLU is exact in float; tanh and GELU are evaluated in double precision and
 * rounded once to float, which keeps them within the elementwise bound (1e-6 relative) where a
 * float evaluation of exp/tanh would not.
 */
final class Activations {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** √(2/π) and the cubic coefficient of the tanh form of GELU. */
    static final double GELU_K0 = Math.sqrt(2.0 / Math.PI);
    static final double GELU_K1 = 0.044715;

    private Activations() {}

    static Step forward(WorkerPool pool, Task.ActivationForward t) {
        float[] y = array(t.y().buffer());
        float[] x = array(t.x().buffer());
        int yo = t.y().offset(), xo = t.x().offset();
        Activation kind = t.kind();
        return new Chunked(pool, t.y().length()) {
            @Override
            void apply(int chunk, int lo, int hi) {
                switch (kind) {
                    case RELU -> reluForward(y, yo, x, xo, lo, hi);
                    case TANH, GELU -> {
                        int i = kind == Activation.TANH ? tanhForward(y, yo, x, xo, lo, hi)
                                : geluForward(y, yo, x, xo, lo, hi);
                        for (; i < hi; i++) {
                            double xi = x[xo + i];
                            y[yo + i] = (float) (kind == Activation.TANH ? tanh(xi) : gelu(xi));
                        }
                    }
                }
            }
        };
    }

    static Step backward(WorkerPool pool, Task.ActivationBackward t) {
        float[] dx = array(t.dx().buffer());
        float[] dy = array(t.dy().buffer());
        float[] x = array(t.x().buffer());
        int dxo = t.dx().offset(), dyo = t.dy().offset(), xo = t.x().offset();
        Activation kind = t.kind();
        return new Chunked(pool, t.dx().length()) {
            @Override
            void apply(int chunk, int lo, int hi) {
                switch (kind) {
                    case RELU -> reluBackward(dx, dxo, dy, dyo, x, xo, lo, hi);
                    case TANH, GELU -> {
                        int i = kind == Activation.TANH ? tanhBackward(dx, dxo, dy, dyo, x, xo, lo, hi)
                                : geluBackward(dx, dxo, dy, dyo, x, xo, lo, hi);
                        for (; i < hi; i++) {
                            double xi = x[xo + i];
                            double slope = kind == Activation.TANH ? tanhSlope(xi) : geluSlope(xi);
                            dx[dxo + i] = (float) (dy[dyo + i] * slope);
                        }
                    }
                }
            }
        };
    }

    /** The epilogue of an input gradient fused with the activation's backward: dx = C ⊙ f'(x), row segment by segment. */
    static JvmGemm.Epilogue backwardEpilogue(WorkerPool pool, Fused.GemmActivationBackward f) {
        Chunked backward = (Chunked) backward(pool, f.activation());
        int cols = f.gemm().n();
        return (i0, i1, j0, j1) -> {
            if (j0 == 0 && j1 == cols) {
                backward.apply(0, i0 * cols, i1 * cols);
                return;
            }
            for (int r = i0; r < i1; r++) {
                backward.apply(0, r * cols + j0, r * cols + j1);
            }
        };
    }

    private static void reluForward(float[] y, int yo, float[] x, int xo, int lo, int hi) {
        int i = lo;
        for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
            FloatVector.fromArray(F, x, xo + i).max(0f).intoArray(y, yo + i);
        }
        for (; i < hi; i++) {
            y[yo + i] = Math.max(x[xo + i], 0f);
        }
    }

    private static void reluBackward(float[] dx, int dxo, float[] dy, int dyo, float[] x, int xo, int lo, int hi) {
        int i = lo;
        FloatVector zero = FloatVector.zero(F);
        for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
            VectorMask<Float> on = FloatVector.fromArray(F, x, xo + i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(F, dy, dyo + i), on).intoArray(dx, dxo + i);
        }
        for (; i < hi; i++) {
            dx[dxo + i] = x[xo + i] > 0f ? dy[dyo + i] : 0f;
        }
    }



    /*
     * tanh, GELU and their slopes from e = exp(−2|x|) or E = exp(−2u), arranged so that nothing
     * cancels: the slopes of saturated units are tiny numbers, not differences of nearly equal ones.
     * Every exponential is ExpMath's, so results are the same in every execution.
     */

    /** Below this |x|, tanh x = x − x³/3 + 2x⁵/15 to double precision (next term 17x⁷/315). */
    private static final double TANH_SERIES = 0.01;

    /** tanh x = sign(x)·(1 − e)/(1 + e), e = exp(−2|x|); the odd series near 0 where 1 − e cancels. */
    static double tanh(double x) {
        double ax = Math.abs(x);
        if (ax < TANH_SERIES) {
            double x2 = x * x;
            return ((x2 * (2.0 / 15) + -1.0 / 3) * x2 + 1.0) * x;
        }
        double e = ExpMath.exp(-2.0 * ax);
        return Math.copySign((1.0 - e) / (1.0 + e), x);
    }

    /*
     * The vector forms below work in blocks of BLOCK elements: one method computes the block's
     * values or slopes in double into a per-thread array, another rounds them into the float
     * output (or multiplies them by dy first). Every method passes arrays, never vectors: C2 boxes
     * a vector passed to or returned from a call it does not inline, and it stops inlining a large
     * compilation's callees once it is past its node budget (NodeCountInliningCutoff). As whole
     * loops over vectors, a tanh layer allocated 393 KB forward at 128 × 256 in some runs and a
     * GELU layer 786 KB backward (the last widen, product and narrow left as boxing calls); split
     * like this, nothing. Each vector body is the arithmetic of the scalar form beside it, lane by
     * lane, so the results are the same bits as the single loops were.
     */

    /** Elements per block of the vector forms. */
    private static final int BLOCK = 512;
    private static final ThreadLocal<double[]> BLOCKS = ThreadLocal.withInitial(() -> new double[BLOCK]);

    /** Values (or slopes) in double of {@code count} elements of x from {@code from}; count is a multiple of FH's length. */
    @FunctionalInterface
    private interface DoubleBlock {
        void compute(double[] out, float[] x, int from, int count);
    }

    /**
     * Over [lo, lo + ⌊(hi − lo)/FH⌋·FH) by blocks, returning where it stopped: out = f(x), or with
     * {@code dy}, out = dy · f(x) (f a slope).
     */
    private static int blocks(DoubleBlock f, float[] out, int oo, float[] dy, int dyo, float[] x, int xo, int lo,
            int hi) {
        double[] block = BLOCKS.get();
        int i = lo;
        for (int end = lo + FH.loopBound(hi - lo); i < end; ) {
            int count = Math.min(end - i, BLOCK);
            f.compute(block, x, xo + i, count);
            if (dy == null) {
                narrowBlock(out, oo + i, block, count);
            } else {
                scaleBlock(out, oo + i, dy, dyo + i, block, count);
            }
            i += count;
        }
        return i;
    }

    /** y[from + s] = (float) values[s], s &lt; count. */
    private static void narrowBlock(float[] y, int from, double[] values, int count) {
        for (int s = 0; s < count; s += FH.length()) {
            narrow(DoubleVector.fromArray(D, values, s), y, from + s);
        }
    }

    /** dx[dxFrom + s] = (float) (dy[dyFrom + s] · slopes[s]), s &lt; count. */
    private static void scaleBlock(float[] dx, int dxFrom, float[] dy, int dyFrom, double[] slopes, int count) {
        for (int s = 0; s < count; s += FH.length()) {
            narrow(widen(dy, dyFrom + s).mul(DoubleVector.fromArray(D, slopes, s)), dx, dxFrom + s);
        }
    }

    private static int tanhForward(float[] y, int yo, float[] x, int xo, int lo, int hi) {
        return blocks(Activations::tanhValues, y, yo, null, 0, x, xo, lo, hi);
    }

    private static int tanhBackward(float[] dx, int dxo, float[] dy, int dyo, float[] x, int xo, int lo, int hi) {
        return blocks(Activations::tanhSlopes, dx, dxo, dy, dyo, x, xo, lo, hi);
    }

    private static int geluForward(float[] y, int yo, float[] x, int xo, int lo, int hi) {
        return blocks(Activations::geluValues, y, yo, null, 0, x, xo, lo, hi);
    }

    private static int geluBackward(float[] dx, int dxo, float[] dy, int dyo, float[] x, int xo, int lo, int hi) {
        return blocks(Activations::geluSlopes, dx, dxo, dy, dyo, x, xo, lo, hi);
    }

    /** tanh x, vectorized; see {@link #tanh(double)}. */
    private static void tanhValues(double[] out, float[] x, int from, int count) {
        for (int s = 0; s < count; s += FH.length()) {
            DoubleVector xd = widen(x, from + s);
            DoubleVector x2 = xd.mul(xd);
            DoubleVector series = x2.mul(2.0 / 15).add(-1.0 / 3).mul(x2).add(1.0).mul(xd);
            DoubleVector e = ExpMath.exp(xd.abs().mul(-2.0));
            DoubleVector big = e.neg().add(1.0).div(e.add(1.0));
            big = big.blend(big.neg(), xd.compare(VectorOperators.LT, 0.0));
            big.blend(series, xd.abs().compare(VectorOperators.LT, TANH_SERIES)).intoArray(out, s);
        }
    }

    /** tanh'(x) = sech²x = 4e/(1 + e)², e = exp(−2|x|). */
    static double tanhSlope(double x) {
        double e = ExpMath.exp(-2.0 * Math.abs(x));
        double d = 1.0 + e;
        return 4.0 * e / (d * d);
    }

    /** tanh'(x), vectorized; see {@link #tanhSlope(double)}. */
    private static void tanhSlopes(double[] out, float[] x, int from, int count) {
        for (int s = 0; s < count; s += FH.length()) {
            DoubleVector e = ExpMath.exp(widen(x, from + s).abs().mul(-2.0));
            DoubleVector d = e.add(1.0);
            e.mul(4.0).div(d.mul(d)).intoArray(out, s);
        }
    }

    /** u = √(2/π)(x + 0.044715x³), the argument of the tanh in GELU. */
    private static double geluArg(double x) {
        return (x * x * x * GELU_K1 + x) * GELU_K0;
    }

    /** GELU(x) = x·σ(2u) = x / (1 + E), E = exp(−2u). */
    static double gelu(double x) {
        return x / (1.0 + ExpMath.exp(-2.0 * geluArg(x)));
    }

    /** GELU(x), vectorized; see {@link #gelu(double)}. */
    private static void geluValues(double[] out, float[] x, int from, int count) {
        for (int s = 0; s < count; s += FH.length()) {
            DoubleVector xd = widen(x, from + s);
            DoubleVector u = xd.mul(xd).mul(xd).mul(GELU_K1).add(xd).mul(GELU_K0);
            xd.div(ExpMath.exp(u.mul(-2.0)).add(1.0)).intoArray(out, s);
        }
    }

    /**
     * GELU'(x) = σ + 2x·u'·σ(1 − σ), σ = 1/(1 + E), 1 − σ = E/(1 + E) = E·σ, u' = √(2/π)(1 + 3·0.044715x²).
     */
    static double geluSlope(double x) {
        double e = ExpMath.exp(-2.0 * geluArg(x));
        double sigma = 1.0 / (1.0 + e);
        double du = (x * x * (3.0 * GELU_K1) + 1.0) * GELU_K0;
        return 2.0 * x * du * sigma * (e * sigma) + sigma;
    }

    /** GELU'(x), vectorized; see {@link #geluSlope(double)}. */
    private static void geluSlopes(double[] out, float[] x, int from, int count) {
        for (int s = 0; s < count; s += FH.length()) {
            DoubleVector xd = widen(x, from + s);
            DoubleVector u = xd.mul(xd).mul(xd).mul(GELU_K1).add(xd).mul(GELU_K0);
            DoubleVector e = ExpMath.exp(u.mul(-2.0));
            DoubleVector sigma = DoubleVector.broadcast(D, 1.0).div(e.add(1.0));
            DoubleVector du = xd.mul(xd).mul(3.0 * GELU_K1).add(1.0).mul(GELU_K0);
            xd.mul(2.0).mul(du).mul(sigma).mul(e.mul(sigma)).add(sigma).intoArray(out, s);
        }
    }
}
