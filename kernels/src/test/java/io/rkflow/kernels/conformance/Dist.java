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
        return r -> (float) ((r.nextBoolean() ? 1 : -1) * Math.exp(r.nextDouble(-4, 4)));
    }
}
