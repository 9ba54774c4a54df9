package io.rkflow.kernels.jvm;

import static io.rkflow.kernels.jvm.JvmDevice.array;

import io.rkflow.kernels.Activation;
import io.rkflow.kernels.Task;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Activation kernels. ReLU is exact in float; tanh and GELU are evaluated in double precision and
 * rounded once to float, which keeps them within the elementwise bound (1e-6 relative) where a
 * float evaluation of exp/tanh would not.
 */
final class Activations {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats per double vector: the float half-width species that widens exactly into D. */
    private static final VectorSpecies<Float> FH =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));

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
                        int i = lo;
                        for (int end = lo + FH.loopBound(hi - lo); i < end; i += FH.length()) {
                            DoubleVector xd = widen(x, xo + i);
                            narrow(kind == Activation.TANH ? xd.lanewise(VectorOperators.TANH) : gelu(xd), y, yo + i);
                        }
                        for (; i < hi; i++) {
                            double xi = x[xo + i];
                            y[yo + i] = (float) (kind == Activation.TANH ? Math.tanh(xi) : gelu(xi));
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
                        int i = lo;
                        for (int end = lo + FH.loopBound(hi - lo); i < end; i += FH.length()) {
                            DoubleVector xd = widen(x, xo + i);
                            DoubleVector slope = kind == Activation.TANH ? tanhSlope(xd) : geluSlope(xd);
                            narrow(widen(dy, dyo + i).mul(slope), dx, dxo + i);
                        }
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

    private static DoubleVector widen(float[] a, int index) {
        return (DoubleVector) FloatVector.fromArray(FH, a, index).convertShape(VectorOperators.F2D, D, 0);
    }

    private static void narrow(DoubleVector v, float[] a, int index) {
        ((FloatVector) v.convertShape(VectorOperators.D2F, FH, 0)).intoArray(a, index);
    }

    /** GELU(x) = x·σ(2u) = x / (1 + e^(−2u)), u = √(2/π)(x + 0.044715x³): no cancellation for x &lt; 0. */
    static double gelu(double x) {
        double u = GELU_K0 * (x + GELU_K1 * x * x * x);
        return x / (1.0 + Math.exp(-2.0 * u));
    }

    private static DoubleVector gelu(DoubleVector x) {
        DoubleVector u = x.mul(x).mul(x).mul(GELU_K1).add(x).mul(GELU_K0);
        return x.div(u.mul(-2.0).lanewise(VectorOperators.EXP).add(1.0));
    }

    /** GELU'(x) = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²). */
    static double geluSlope(double x) {
        double x2 = x * x;
        double t = Math.tanh(GELU_K0 * (x + GELU_K1 * x2 * x));
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_K0 * (1.0 + 3.0 * GELU_K1 * x2);
    }

    private static DoubleVector geluSlope(DoubleVector x) {
        DoubleVector x2 = x.mul(x);
        DoubleVector t = x2.mul(x).mul(GELU_K1).add(x).mul(GELU_K0).lanewise(VectorOperators.TANH);
        DoubleVector du = x2.mul(3.0 * GELU_K1).add(1.0).mul(GELU_K0);
        return t.add(1.0).mul(0.5).add(x.mul(0.5).mul(t.mul(t).neg().add(1.0)).mul(du));
    }

    /** tanh'(x) = 1 − tanh²(x). */
    static double tanhSlope(double x) {
        double t = Math.tanh(x);
        return 1.0 - t * t;
    }

    private static DoubleVector tanhSlope(DoubleVector x) {
        DoubleVector t = x.lanewise(VectorOperators.TANH);
        return t.mul(t).neg().add(1.0);
    }
}
