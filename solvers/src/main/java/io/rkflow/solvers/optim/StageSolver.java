package io.rkflow.solvers.optim;

/**
 * How an implicit Runge–Kutta method solves its stage equations K = F(θ − h (A ⊗ I) K) each step.
 * <ul>
 *   <li>{@code FIXED_POINT}: K ← F(θ − h (A ⊗ I) K) from K = F(θ) in every stage, until the
 *       relative change ‖ΔK‖/‖K‖ is at most {@code tol}; converges while h·Lip(F)·‖A‖ &lt; 1, so not
 *       for stiff problems at large h.</li>
 *   <li>{@code NEWTON_KRYLOV}: Newton's method on G(K) = K − F(θ − h (A ⊗ I) K) = 0, each linear
 *       system solved by restarted GMRES (Saad &amp; Schultz 1986) with finite-difference
 *       Jacobian–vector products J·v ≈ (G(K + εv) − G(K))/ε, until ‖G(K)‖/‖K‖ ≤ {@code tol} or
 *       the Newton step ‖δ‖/‖K‖ ≤ {@code tol} (in fp32 the residual of a stiff problem stalls near
 *       h·λ·1e-7 while the step keeps shrinking quadratically);
 *       converges on stiff problems (Knoll &amp; Keyes, J. Comput. Phys. 193 (2004) 357–397).</li>
 * </ul>
 * Failing to converge within {@code maxIterations} stops the step with an error that reports
 * the residual reached. The default tol is 1e-4: in fp32 the residual of a problem with curvature
 * λ stalls near h·λ·1e-7, so much tighter tolerances are met only on gentle problems.
 *
 * @param krylov the GMRES restart length (Newton–Krylov only)
 * @param epsilon the relative finite-difference step of the Jacobian–vector products
 */
public record StageSolver(Kind kind, double tol, int maxIterations, int krylov, double epsilon) {

    public enum Kind { FIXED_POINT, NEWTON_KRYLOV }

    public StageSolver {
        String name = kind == Kind.FIXED_POINT ? "fixed_point" : "newton";
        if (!(tol > 0) || Double.isInfinite(tol)) {
            throw new IllegalArgumentException(name + ": tol = " + tol + ", must be a positive number");
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException(name + ": max_iter = " + maxIterations + ", must be >= 1");
        }
        if (kind == Kind.NEWTON_KRYLOV && (krylov < 1 || krylov > 200)) {
            throw new IllegalArgumentException(name + ": krylov = " + krylov + ", must be in [1, 200]");
        }
        if (kind == Kind.NEWTON_KRYLOV && (!(epsilon > 0) || Double.isInfinite(epsilon))) {
            throw new IllegalArgumentException(name + ": eps = " + epsilon + ", must be a positive number");
        }
    }

    public static StageSolver fixedPoint() {
        return new StageSolver(Kind.FIXED_POINT, 1e-4, 50, 0, 0);
    }

    public static StageSolver newtonKrylov() {
        return new StageSolver(Kind.NEWTON_KRYLOV, 1e-4, 20, 20, 1e-3);
    }

    @Override
    public String toString() {
        return kind == Kind.FIXED_POINT
                ? "fixed_point(tol=" + Spec.fmt(tol) + ",max_iter=" + maxIterations + ")"
                : "newton(tol=" + Spec.fmt(tol) + ",max_iter=" + maxIterations + ",krylov=" + krylov + ",eps="
                        + Spec.fmt(epsilon) + ")";
    }
}
