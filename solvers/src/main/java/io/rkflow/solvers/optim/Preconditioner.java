package io.rkflow.solvers.optim;

/**
 * The diagonal preconditioner P of the flow dθ/dt = −P ⊙ ∇L, from an accumulator v of squared
 * gradients: P = 1 / sqrt(δ + v̂).
 * <ul>
 *   <li>{@code ADAGRAD}: v = Σ_l g_l ⊙ g_l. With δ = 1 this is the paper's modified AdaGrad,
 *       P = (1 + diag G)^(−1/2) (Dherin et al., arXiv 2505.13397).</li>
 *   <li>{@code RMSPROP}: v = β2·v + (1 − β2)·g ⊙ g (Tieleman &amp; Hinton 2012), v̂ = v.</li>
 *   <li>{@code EMA}: the same average with Adam's bias correction, v̂ = v / (1 − β2^t).</li>
 * </ul>
 * By default the accumulator takes the first stage's gradient g_1 = ∇L(θ_n) and P stays frozen
 * for every stage of the step: at step n, with AdaGrad, G_n = Σ_{l≤n} g_1^(l) ⊙ g_1^(l) (this
 * step's g_1 included) and P_i = (δ + G_n)^(−1/2) for every stage i. {@code perStage} re-evaluates
 * P at each later stage from G_n and that stage's raw gradient g_i: P_1 = (δ + G_n)^(−1/2) and
 * P_i = (δ + G_n + g_i ⊙ g_i)^(−1/2) for i ≥ 2 (g_1 ⊙ g_1 is counted once, in G_n); RMSProp and
 * EMA apply their average once more, v_n → β2·v_n + (1 − β2)·g_i ⊙ g_i. The accumulator carried to
 * the next step takes only g_1.
 */
public record Preconditioner(Kind kind, double delta, double beta2, boolean perStage) {

    public enum Kind { NONE, ADAGRAD, RMSPROP, EMA }

    public static final Preconditioner NONE = new Preconditioner(Kind.NONE, 0, 0, false);

    public Preconditioner {
        if (kind != Kind.NONE) {
            if (!(delta >= 0) || Double.isInfinite(delta)) {
                throw new IllegalArgumentException(name(kind) + ": delta = " + delta + ", must be finite and >= 0");
            }
            if (kind != Kind.ADAGRAD && !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException(name(kind) + ": beta2 = " + beta2 + ", must be in [0, 1)");
            }
        }
    }

    /** The paper's modified AdaGrad, P = (1 + G)^(−1/2), frozen per step. */
    public static Preconditioner modifiedAdaGrad() {
        return new Preconditioner(Kind.ADAGRAD, 1.0, 0, false);
    }

    public boolean enabled() {
        return kind != Kind.NONE;
    }

    /**
     * The factor that folds Adam-style bias correction into the step size at accumulator step t
     * (1-based): g / sqrt(δ + v/(1 − β2^t)) = sqrt(1 − β2^t) · g / sqrt(δ·(1 − β2^t) + v). 1 for
     * the other kinds.
     */
    public double biasScale(long t) {
        return kind == Kind.EMA ? Math.sqrt(1.0 - Math.pow(beta2, t)) : 1.0;
    }

    /** The δ the kernel sees at accumulator step t: δ·(1 − β2^t) for EMA, else δ. */
    public double kernelDelta(long t) {
        return kind == Kind.EMA ? delta * (1.0 - Math.pow(beta2, t)) : delta;
    }

    static String name(Kind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "";
            case ADAGRAD -> "adagrad(delta=" + Spec.fmt(delta) + (perStage ? ",per_stage" : "") + ")";
            case RMSPROP, EMA -> name(kind) + "(beta2=" + Spec.fmt(beta2) + ",delta=" + Spec.fmt(delta)
                    + (perStage ? ",per_stage" : "") + ")";
        };
    }
}
