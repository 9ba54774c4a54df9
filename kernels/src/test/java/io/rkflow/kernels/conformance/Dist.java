package io.rkflow.kernels.conformance;

import java.util.SplittableRandom;

/** A distribution of random test floats. */
@FunctionalInterface
interface Dist {

    float next(SplittableRandom random);

    /** Uniform in [lo, hi). */
    static Dist uniform(double lo, double hi) {
        return r -> (float) r.nextDouble(lo, hi);
    }

    /** ±e^U(−4, 4): both signs, magnitudes over three and a half decades, never zero. */
    static Dist wide() {
        return wide(1);
    }

    /** {@code scale}·(±e^U(−4, 4)): {@link #wide()} moved to another decade (1e-30, 1e30). */
    static Dist wide(double scale) {
        return r -> (float) (scale * (r.nextBoolean() ? 1 : -1) * Math.exp(r.nextDouble(-4, 4)));
    }

    /** Both signs, uniform over the subnormal bit patterns: magnitudes 2^-149 to 2^-126, never zero. */
    static Dist subnormal() {
        return r -> (r.nextBoolean() ? 1 : -1) * Float.intBitsToFloat(1 + r.nextInt(0x7FFFFF));
    }
}
