package io.rkflow.kernels.conformance;

/**
 * Per-kernel error bounds of the conformance kit (DESIGN.md §3). A result element passes when
 * {@code |got − ref| ≤ tolerance · scale + ABSOLUTE_FLOOR}, where {@code ref} is the
 * double-precision reference on the same float inputs and {@code scale} is the condition-aware
 * magnitude the {@link Reference} kernel reports for that element: Σ|terms| of the formula in the
 * kernel's Javadoc (so a sum that cancels is judged against the size of what was summed, not its
 * tiny result), times the error amplification of an inner argument where a transcendental
 * function makes float rounding of that argument dominate (documented at each reference).
 */
final class Tolerance {

    /** Bit-exact: copy, fill, maxAbs, nonFinite, ReLU forward/backward and the correct count. */
    static final double EXACT = 0;

    /**
     * Elementwise kernels (combine, scale, axpby, preconditioner, momentum, Adam, bias add,
     * activations, softmax gradient): 1e-6 ≈ 16 float ulps relative to the element's scale. A
     * float evaluation of the kernels' formulas rounds at most 7 + 1 times (combine with 7 stages),
     * 8 · 2^-24 ≈ 4.8e-7, so every correct fp32 implementation fits.
     */
    static final double ELEMENTWISE = 1e-6;

    /**
     * Reductions (sum, dot, squared norm, RMS error norm, bias gradient, the softmax loss): 1e-5
     * relative to Σ|terms|. Met by double accumulation (then only the final float rounding counts)
     * and by float partial sums of a few thousand terms.
     */
    static final double REDUCTION = 1e-5;

    /**
     * GEMM with a short inner dimension (k ≤ {@value #GEMM_SHORT_K}): 1e-5 relative to
     * Σ_p |a_ip·b_pj|; a float dot product of k terms errs by at most k · 2^-24 ≤ 9.6e-6 of that.
     */
    static final double GEMM_SHORT = 1e-5;

    /** The largest k held to {@link #GEMM_SHORT}. */
    static final int GEMM_SHORT_K = 160;

    /** GEMM with a long inner dimension (DESIGN.md §3 states the bound for k ≥ 1000): 1e-4. */
    static final double GEMM_LONG = 1e-4;

    /**
     * Added to every bound: results below the smallest normal float may be flushed to zero (GPU
     * devices run with flush-to-zero; OpenCL's default), and subnormals carry no relative
     * precision. Only the softmax gradient of widely spread logits and the saturated tails of
     * tanh and GELU get that small.
     */
    static final double ABSOLUTE_FLOOR = Float.MIN_NORMAL;

    private Tolerance() {}

    /** The GEMM bound for inner dimension {@code k}. */
    static double gemm(int k) {
        return k <= GEMM_SHORT_K ? GEMM_SHORT : GEMM_LONG;
    }
}
