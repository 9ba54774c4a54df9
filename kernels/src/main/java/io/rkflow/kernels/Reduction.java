package io.rkflow.kernels;

/**
 * Reductions of a float slice to one float, accumulated in double precision over fixed partitions
 * combined in a fixed order, so the result does not depend on the thread count.
 *
 * <p>A solver that needs a length ‖x‖ reads {@link #NORM2}, not the square root of
 * {@link #SQUARED_NORM}: rounded to float, the square of a norm loses precision below
 * ‖x‖ ≈ 1.1e-19 (it is subnormal), is 0 below ≈ 2.6e-23 and ∞ above ≈ 1.8e19, while the norm
 * itself is a float whenever the elements are.
 */
public enum Reduction {
    /** Σ x. */
    SUM(false),
    /** Σ x·y. */
    DOT(true),
    /** Σ x² (a normal float only while 1.1e-19 &lt; ‖x‖ &lt; 1.8e19; see {@link #NORM2}). */
    SQUARED_NORM(false),
    /**
     * ‖x‖₂ = sqrt(Σ x²), the square root taken in double before the result is rounded to float,
     * so it is exact to float rounding for any finite float input, subnormals included (the
     * square of a float, 2^-298 to 2^256, and any sum of them are normal doubles). 0 for an empty
     * slice.
     */
    NORM2(false),
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
