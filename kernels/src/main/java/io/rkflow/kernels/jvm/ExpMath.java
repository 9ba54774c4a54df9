package io.rkflow.kernels.jvm;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;

/**
 * e^x in double precision from additions, multiplications and fmas only, in a vector and a
 * scalar form that compute bit for bit the same thing.
 *
 * <p>Why not {@code Math.exp} or the Vector API's {@code EXP}/{@code TANH}: the Vector API's
 * transcendental operations give results that differ by an ulp between interpreted and
 * JIT-compiled code, so the same plan would give different floats from one execution to the next.
 * Basic IEEE operations are exactly specified, so this function is the same everywhere.
 *
 * <p>Method: clamp x to [−700, 700], x = k·ln2 + r with |r| ≤ ln2/2 (k by the 1.5·2^52 rounding
 * trick, r by two fmas against a two-part ln2), e^r by its Taylor polynomial of degree 12
 * (truncation below 2e-16 relative), scaled by 2^k built in the exponent bits. Relative error a
 * few ulps of double, far below the float results it feeds.
 */
final class ExpMath {

    private static final double LOG2E = 1.4426950408889634;
    private static final double LN2 = 0.6931471805599453;
    /** ln 2 − LN2, the part of ln 2 that LN2 misses. */
    private static final double LN2_LO = 2.3190468138462996e-17;
    /** 1.5·2^52: adding it rounds a double of magnitude below 2^51 to an integer in the low bits. */
    private static final double ROUNDER = 6755399441055744.0;
    private static final long ROUNDER_BITS = Double.doubleToRawLongBits(ROUNDER);
    static final double LIMIT = 700.0;
    /** 1/i! for i = 12 down to 0. */
    private static final double[] TAYLOR = new double[13];

    static {
        double factorial = 1.0;
        for (int i = 0; i <= 12; i++) {
            factorial *= Math.max(i, 1);
            TAYLOR[12 - i] = 1.0 / factorial;
        }
    }

    private ExpMath() {}

    static double exp(double x) {
        x = Math.min(Math.max(x, -LIMIT), LIMIT);
        double t = Math.fma(x, LOG2E, ROUNDER);
        double k = t - ROUNDER;
        double r = Math.fma(-k, LN2, x);
        r = Math.fma(-k, LN2_LO, r);
        double p = TAYLOR[0];
        for (int i = 1; i < TAYLOR.length; i++) {
            p = Math.fma(p, r, TAYLOR[i]);
        }
        long kBits = Double.doubleToRawLongBits(t) - ROUNDER_BITS;
        return p * Double.longBitsToDouble((kBits + 1023) << 52);
    }

    static DoubleVector exp(DoubleVector x) {
        x = x.max(-LIMIT).min(LIMIT);
        DoubleVector t = x.fma(LOG2E, ROUNDER);
        DoubleVector k = t.sub(ROUNDER);
        DoubleVector minusK = k.neg();
        DoubleVector r = minusK.fma(DoubleVector.broadcast(x.species(), LN2), x);
        r = minusK.fma(DoubleVector.broadcast(x.species(), LN2_LO), r);
        DoubleVector p = DoubleVector.broadcast(x.species(), TAYLOR[0]);
        for (int i = 1; i < TAYLOR.length; i++) {
            p = p.fma(r, DoubleVector.broadcast(x.species(), TAYLOR[i]));
        }
        LongVector kBits = ((LongVector) t.viewAsIntegralLanes()).sub(ROUNDER_BITS);
        DoubleVector scale = (DoubleVector) kBits.add(1023).lanewise(VectorOperators.LSHL, 52).viewAsFloatingLanes();
        return p.mul(scale);
    }
}
