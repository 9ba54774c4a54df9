package io.rkflow.solvers.stepsize;

/**
 * Rescaled DAL-p, the adaptive learning rate of Dherin et al. (arXiv 2505.13397):
 * h = c / (1 + (c/2)·ξ^p) with ξ = ‖H g‖ / ‖g‖, the curvature of the loss along the gradient. As
 * ξ → 0, h → c (the cap); for large ξ, h ≈ 2/ξ^p, at p = 1 the edge of Euler's stability on a
 * quadratic with curvature ξ.
 *
 * <p>With a preconditioner P the two estimates measure different curvatures: {@code STAGES} that
 * of the preconditioned flow, ‖P H P g‖ / ‖P g‖, {@code FINITE_DIFFERENCE} the loss's own,
 * ‖H g‖ / ‖g‖ (see io.rkflow.solvers.optim.RungeKuttaOptimizer for the exact formulas).
 *
 * @param c the cap, the step size on flat ground
 * @param p the power
 * @param hessian how ‖Hg‖ is estimated
 * @param epsilon the length of the finite-difference probe θ + ε·g/‖g‖, raised to 2^-14·‖θ‖
 *     where θ is so large that fp32 could not resolve ε (‖θ‖ &gt; 16 at ε = 1e-3)
 */
public record DalStepSize(double c, double p, HessianEstimate hessian, double epsilon) {

    /** How ‖Hg‖/‖g‖ is measured. */
    public enum HessianEstimate {
        /**
         * One extra gradient per step at θ + δ·g, g = ∇L(θ) unpreconditioned, δ = ε/‖g‖ with the
         * previous probe's ‖g‖ (the first probe: δ = ε): Hg ≈ (∇L(θ + δg) − ∇L(θ))/δ.
         */
        FINITE_DIFFERENCE,
        /**
         * For free, from the previous step's first two stages: Jk_1 ≈ (k_1 − k_2)/(a_21·h), J the
         * Jacobian of the preconditioned field P ⊙ ∇L.
         */
        STAGES
    }

    public DalStepSize {
        if (!(c > 0) || Double.isInfinite(c)) {
            throw new IllegalArgumentException("dal: c = " + c + ", must be a positive number");
        }
        if (!(p > 0) || Double.isInfinite(p)) {
            throw new IllegalArgumentException("dal: p = " + p + ", must be a positive number");
        }
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("dal: eps = " + epsilon + ", must be a positive number");
        }
    }

    /** h for curvature ξ = ‖Hg‖/‖g‖ (ξ = 0 or unknown gives the cap c). */
    public double stepSize(double xi) {
        if (!(xi > 0)) {
            return c;
        }
        return c / (1.0 + 0.5 * c * Math.pow(xi, p));
    }
}
