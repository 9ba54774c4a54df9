package io.rkflow.kernels.conformance;

import java.util.SplittableRandom;

/**
 * One test case: its name and its random source. Every run draws fresh inputs from a new base
 * seed unless {@code -Drkflow.conformance.seed=<base>} fixes it; the case's seed derives from the
 * base seed and the name, and both appear in every assertion message via {@link #toString()}.
 */
final class Case {

    static final String SEED_PROPERTY = "rkflow.conformance.seed";
    private static final long BASE_SEED = Long.getLong(SEED_PROPERTY, new SplittableRandom().nextLong());

    final String name;
    final long seed;
    final SplittableRandom random;

    Case(String name) {
        this.name = name;
        this.seed = BASE_SEED ^ (name.hashCode() * 0x9E3779B97F4A7C15L);
        this.random = new SplittableRandom(seed);
    }

    float next(Dist dist) {
        return dist.next(random);
    }

    @Override
    public String toString() {
        return name + " [case seed " + seed + "; reproduce with -D" + SEED_PROPERTY + "=" + BASE_SEED + "]";
    }
}
