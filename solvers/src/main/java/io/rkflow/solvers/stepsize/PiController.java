package io.rkflow.solvers.stepsize;

/**
 * Step-size control of an embedded Runge–Kutta pair: accept a step when its weighted RMS error
 * err = ‖e / (atol + rtol·max(|θ_n|, |θ_{n+1}|))‖_rms is at most 1, and choose the next step with
 * the PI controller of Gustafsson (1991) in the form of Hairer &amp; Wanner II, IV.2:
 * h_new = h·clamp(safety·err^(−β1)·err_prev^(β2), minFactor, maxFactor), β1 = 0.7/k, β2 = 0.4/k,
 * k = min(p, p̂) + 1. After a rejection h shrinks by max(minFactor, safety·err^(−1/k)) and may not
 * grow on the next step. A step below {@code hMin}, or more than {@code maxRejections} rejections
 * in a row, stops the run with an error instead of looping.
 */
public record PiController(double atol, double rtol, double safety, double minFactor, double maxFactor,
        double hMin, int maxRejections) {

    public PiController {
        positive("atol", atol, true);
        positive("rtol", rtol, true);
        if (atol == 0 && rtol == 0) {
            throw new IllegalArgumentException("tol: atol and rtol are both 0; at least one must be positive");
        }
        if (!(safety > 0 && safety <= 1)) {
            throw new IllegalArgumentException("tol: safety = " + safety + ", must be in (0, 1]");
        }
        if (!(minFactor > 0 && minFactor < 1)) {
            throw new IllegalArgumentException("tol: min_factor = " + minFactor + ", must be in (0, 1)");
        }
        if (!(maxFactor > 1) || Double.isInfinite(maxFactor)) {
            throw new IllegalArgumentException("tol: max_factor = " + maxFactor + ", must be > 1");
        }
        positive("h_min", hMin, true);
        if (maxRejections < 1) {
            throw new IllegalArgumentException("tol: max_rejections = " + maxRejections + ", must be >= 1");
        }
    }

    /** Defaults: safety 0.9, factors in [0.2, 10], h_min 1e-10, 20 rejections in a row. */
    public static PiController of(double atol, double rtol) {
        return new PiController(atol, rtol, 0.9, 0.2, 10.0, 1e-10, 20);
    }

    /** The controller's decision for one step. */
    public record Decision(boolean accept, double nextH) {}

    /**
     * Decides on a step of size h with error err (NaN or infinite: reject hard).
     *
     * @param previousError the error of the last accepted step (1 when there is none)
     * @param afterRejection whether the previous attempt was rejected (then h may not grow)
     * @param k min(order, embedded order) + 1
     */
    public Decision decide(double h, double err, double previousError, boolean afterRejection, int k) {
        if (!Double.isFinite(err)) {
            return new Decision(false, h * minFactor);
        }
        if (err <= 1.0) {
            double factor = err == 0 ? maxFactor
                    : safety * Math.pow(err, -0.7 / k) * Math.pow(Math.max(previousError, 1e-4), 0.4 / k);
            factor = Math.min(maxFactor, Math.max(minFactor, factor));
            if (afterRejection) {
                factor = Math.min(factor, 1.0);
            }
            return new Decision(true, h * factor);
        }
        double factor = Math.max(minFactor, safety * Math.pow(err, -1.0 / k));
        return new Decision(false, h * factor);
    }

    private static void positive(String name, double v, boolean zeroAllowed) {
        if (!(zeroAllowed ? v >= 0 : v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("tol: " + name + " = " + v + ", must be a finite number >= 0");
        }
    }
}
