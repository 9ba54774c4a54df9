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
 * <p>What ε means ({@code FINITE_DIFFERENCE}): the length of the probes θ ± ε·g/‖g‖, the
 * distance over which the gradient's change is measured; ξ is the curvature of the region the
 * probes stay in. In a ReLU network the Hessian that autograd's double backward computes is that
 * of θ's linear region (every pre-activation's sign fixed); a probe that crosses a kink (a sign
 * change) adds the gradient's jump there, which does not shrink with ε, so its difference over ε
 * overstates ξ by jump/ε. Kinks are crossed less often as ε shrinks, until fp32 cannot resolve
 * the probe. Measured along training runs of Fashion-MNIST MLPs (784-64-10 and 784-256-256-10,
 * batches 32, 128 and 1024; 475 states) against PyTorch's double backward
 * (bench/peer/dal_probe_peer.py): a forward difference over 1e-3, the old default, found 1.0 to
 * 6.0 times ξ at a run's median state and up to 84 times; over 1e-5, ξ to 1% at the median but a
 * crossed kink at up to half the states of a run (up to 390 times ξ); the smaller of the forward
 * and backward differences over 1e-5, the default, ξ to 1.2% at 469 of the 475 states. The other
 * six were at batch 1024, whose many pre-activations (65,536 and 524,288) put kinks within 1e-5 on
 * both sides (2 of 123 states of 784-64-10, 4 of 22 of 784-256-256-10, up to 22 times ξ): for a
 * wide network at a large batch, {@code eps=1e-2}, which averages over many kinks (within 5% at
 * every state of one such run, 1.74 times ξ at worst in the other), or {@code hg=stages}.
 *
 * @param c the cap, the step size on flat ground
 * @param p the power
 * @param hessian how ‖Hg‖ is estimated
 * @param epsilon the length of the finite-difference probes θ ± ε·g/‖g‖ (default 1e-5), raised
 *     where fp32 could not measure over it: to 2^-22·‖θ‖ (‖θ‖ &gt; 42 at ε = 1e-5) and to
 *     2^-14·‖g‖/ξ, so that the gradients' difference stands above their rounding
 */
public record DalStepSize(double c, double p, HessianEstimate hessian, double epsilon) {

    /** How ‖Hg‖/‖g‖ is measured. */
    public enum HessianEstimate {
        /**
         * Two extra gradients per step, at θ ± δ·g, g = ∇L(θ) unpreconditioned, δ = ε/‖g‖ with the
         * previous probe's ‖g‖ (the first probe: δ = ε): ‖Hg‖ ≈ min(‖∇L(θ + δg) − g‖,
         * ‖g − ∇L(θ − δg)‖)/δ, the smaller because a ReLU kink crossed by one probe lengthens its
         * difference.
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
