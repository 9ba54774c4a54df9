package io.rkflow.kernels;

/** Pointwise activations of dense layers, forward f(x) and backward dy·f'(x). */
public enum Activation {
    /** max(0, x); f'(x) = 1 for x &gt; 0, else 0. */
    RELU,
    /** tanh(x); f'(x) = 1 − tanh²(x). */
    TANH,
    /**
     * GELU in the tanh form of Hendrycks &amp; Gimpel (arXiv 1606.08415), as GPT-2 uses it:
     * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), evaluated as x·σ(2u) to avoid cancellation.
     */
    GELU
}
