package io.rkflow.kernels.jvm;

import static io.rkflow.kernels.jvm.JvmDevice.array;
import static io.rkflow.kernels.jvm.Widening.D;
import static io.rkflow.kernels.jvm.Widening.FH;
import static io.rkflow.kernels.jvm.Widening.widen;

import io.rkflow.kernels.Reduction;
import io.rkflow.kernels.Task;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reductions to one float. Each chunk of {@link Chunked#GRAIN} elements is reduced in double
 * precision (floats widened before they are multiplied or added), and the chunk partials are
 * added in chunk order on the calling thread: the result is the same for any thread count.
 * Products of two widened floats are exact in double (24 + 24 significant bits), so the sum of
 * squares behind {@code norm} needs no rescaling: every float's square is a normal double.
 */
final class Reductions {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private Reductions() {}

    static Step reduce(WorkerPool pool, Task.Reduce t) {
        float[] out = array(t.out().buffer());
        float[] x = array(t.x().buffer());
        float[] y = t.y() == null ? null : array(t.y().buffer());
        int oo = t.out().offset(), xo = t.x().offset(), yo = t.y() == null ? 0 : t.y().offset();
        Reduction kind = t.kind();
        int n = t.x().length();
        return new Chunked(pool, n) {
            private final double[] partial = new double[chunks];

            @Override
            void apply(int chunk, int lo, int hi) {
                partial[chunk] = switch (kind) {
                    case SUM -> sum(x, xo, lo, hi);
                    case DOT -> dot(x, xo, y, yo, lo, hi);
                    case SQUARED_NORM, NORM2 -> dot(x, xo, x, xo, lo, hi);
                    case MAX_ABS -> maxAbs(x, xo, lo, hi);
                    case NON_FINITE -> nonFinite(x, xo, lo, hi) ? 1.0 : 0.0;
                };
            }

            @Override
            void finish() {
                double r = 0.0;
                for (double p : partial) {
                    r = switch (kind) {
                        case MAX_ABS, NON_FINITE -> Math.max(r, p); // Math.max propagates NaN
                        default -> r + p;
                    };
                }
                // NORM2: the root of the double sum, so that only the norm itself is rounded to float.
                out[oo] = (float) (kind == Reduction.NORM2 ? Math.sqrt(r) : r);
            }
        };
    }

    /** sqrt(mean((e / (atol + rtol·max(|a|, |b|)))²)), accumulated in double. */
    static Step rmsErrorNorm(WorkerPool pool, Task.RmsErrorNorm t) {
        float[] out = array(t.out().buffer());
        float[] e = array(t.e().buffer());
        float[] a = array(t.a().buffer());
        float[] b = array(t.b().buffer());
        float[] tol = array(t.tol().buffer());
        int oo = t.out().offset(), eo = t.e().offset(), ao = t.a().offset(), bo = t.b().offset();
        int to = t.tol().offset();
        int n = t.e().length();
        return new Chunked(pool, n) {
            private final double[] partial = new double[chunks];
            private double atol;
            private double rtol;

            @Override
            void prepare() {
                atol = tol[to + Task.RmsErrorNorm.ATOL];
                rtol = tol[to + Task.RmsErrorNorm.RTOL];
            }

            @Override
            void apply(int chunk, int lo, int hi) {
                double atol = this.atol, rtol = this.rtol;
                DoubleVector acc = DoubleVector.zero(D);
                int i = lo;
                for (int end = lo + FH.loopBound(hi - lo); i < end; i += FH.length()) {
                    DoubleVector scale = widen(a, ao + i).abs().max(widen(b, bo + i).abs()).mul(rtol).add(atol);
                    DoubleVector q = widen(e, eo + i).div(scale);
                    acc = q.fma(q, acc);
                }
                double s = acc.reduceLanes(VectorOperators.ADD);
                for (; i < hi; i++) {
                    double q = e[eo + i] / (atol + rtol * Math.max(Math.abs((double) a[ao + i]), Math.abs((double) b[bo + i])));
                    s = Math.fma(q, q, s);
                }
                partial[chunk] = s;
            }

            @Override
            void finish() {
                double s = 0.0;
                for (double p : partial) {
                    s += p;
                }
                out[oo] = n == 0 ? 0f : (float) Math.sqrt(s / n);
            }
        };
    }


    private static double sum(float[] x, int xo, int lo, int hi) {
        DoubleVector acc = DoubleVector.zero(D);
        int i = lo;
        for (int end = lo + FH.loopBound(hi - lo); i < end; i += FH.length()) {
            acc = acc.add(widen(x, xo + i));
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < hi; i++) {
            s += x[xo + i];
        }
        return s;
    }

    private static double dot(float[] x, int xo, float[] y, int yo, int lo, int hi) {
        DoubleVector acc = DoubleVector.zero(D);
        int i = lo;
        for (int end = lo + FH.loopBound(hi - lo); i < end; i += FH.length()) {
            acc = widen(x, xo + i).fma(widen(y, yo + i), acc);
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < hi; i++) {
            s = Math.fma((double) x[xo + i], (double) y[yo + i], s);
        }
        return s;
    }

    /** max |x| over the chunk; NaN if any element is NaN. */
    private static double maxAbs(float[] x, int xo, int lo, int hi) {
        FloatVector acc = FloatVector.zero(F);
        boolean nan = false;
        int i = lo;
        for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            nan |= v.test(VectorOperators.IS_NAN).anyTrue();
            acc = acc.max(v.abs());
        }
        float m = acc.reduceLanes(VectorOperators.MAX);
        for (; i < hi; i++) {
            float v = x[xo + i];
            nan |= v != v;
            m = Math.max(m, Math.abs(v));
        }
        return nan ? Double.NaN : m;
    }

    private static boolean nonFinite(float[] x, int xo, int lo, int hi) {
        VectorMask<Float> any = F.maskAll(false);
        int i = lo;
        for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
            any = any.or(FloatVector.fromArray(F, x, xo + i).test(VectorOperators.IS_FINITE).not());
        }
        boolean found = any.anyTrue();
        for (; i < hi && !found; i++) {
            found = !Float.isFinite(x[xo + i]);
        }
        return found;
    }
}
