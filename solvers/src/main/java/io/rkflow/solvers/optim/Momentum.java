package io.rkflow.solvers.optim;

/**
 * Momentum on the RK-estimated gradient g* = Σ b_i k_i (Dherin et al., arXiv 2505.13397):
 * heavy ball m ← β·m + g*, θ ← θ − h·m (Polyak 1964); or Nesterov, θ ← θ − h·(g* + β·m) with the
 * updated m (Sutskever et al. 2013, in PyTorch's form).
 */
public record Momentum(double beta, boolean nesterov) {

    public static final Momentum NONE = new Momentum(0, false);

    public Momentum {
        if (!(beta >= 0 && beta < 1)) {
            throw new IllegalArgumentException((nesterov ? "nesterov" : "momentum") + ": beta = " + beta
                    + ", must be in [0, 1)");
        }
    }

    public boolean enabled() {
        return beta > 0;
    }

    @Override
    public String toString() {
        return enabled() ? (nesterov ? "nesterov(" : "momentum(") + Spec.fmt(beta) + ")" : "";
    }
}
