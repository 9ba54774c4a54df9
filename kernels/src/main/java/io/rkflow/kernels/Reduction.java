package io.rkflow.kernels;

/**
 * Reductions of a float slice to one float, accumulated in double precision over fixed partitions
 * combined in a fixed order, so the result does not depend on the thread count.
 */
public enum Reduction {
    /** Σ x. */
    SUM(false),
    /** Σ x·y. */
    DOT(true),
    /** Σ x². */
    SQUARED_NORM(false),
    /** max |x| (0 for an empty slice; NaN if any element is NaN). */
    MAX_ABS(false),
    /** 1 if any element is NaN or infinite, else 0. */
    NON_FINITE(false);

    private final boolean binary;

    Reduction(boolean binary) {
        this.binary = binary;
    }

    /** Whether the reduction reads a second operand y. */
    public boolean binary() {
        return binary;
    }
}
