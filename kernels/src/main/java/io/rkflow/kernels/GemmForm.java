package io.rkflow.kernels;

/**
 * The operand layouts of {@link Graph#gemm}. All matrices are row major; C is m × n.
 * <ul>
 *   <li>{@code NN}: C = A·B with A m × k, B k × n (forward of a dense layer, X·W);</li>
 *   <li>{@code NT}: C = A·Bᵀ with A m × k, B n × k (input gradient, dY·Wᵀ when W is stored k × n
 *       as n × k, or any product against a transposed operand);</li>
 *   <li>{@code TN}: C = Aᵀ·B with A k × m, B k × n (weight gradient, Xᵀ·dY).</li>
 * </ul>
 */
public enum GemmForm {
    NN, NT, TN;

    /** Elements A must have: m·k in every form. */
    long aLength(int m, int k) {
        return (long) m * k;
    }

    /** Elements B must have: k·n in every form. */
    long bLength(int n, int k) {
        return (long) n * k;
    }
}
