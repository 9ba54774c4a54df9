package io.rkflow.solvers.stepsize;

/**
 * A conventional step-size schedule: h·w(t) with a linear warm-up over {@code warmup} steps,
 * then, with {@code cosineSteps} &gt; 0, a cosine decay to {@code minFraction}·h over that many
 * steps (Loshchilov &amp; Hutter, arXiv 1608.03983, without restarts), then constant.
 */
public record Schedule(double h, long warmup, long cosineSteps, double minFraction) {

    public Schedule {
        if (!(h > 0) || Double.isInfinite(h)) {
            throw new IllegalArgumentException("h = " + h + ", must be a positive number");
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("warmup = " + warmup + ", must be >= 0 steps");
        }
        if (cosineSteps < 0) {
            throw new IllegalArgumentException("cosine = " + cosineSteps + ", must be >= 0 steps");
        }
        if (!(minFraction >= 0 && minFraction <= 1)) {
            throw new IllegalArgumentException("cosine min = " + minFraction + ", must be in [0, 1]");
        }
    }

    /** A constant step size. */
    public static Schedule constant(double h) {
        return new Schedule(h, 0, 0, 0);
    }

    public boolean constant() {
        return warmup == 0 && cosineSteps == 0;
    }

    /** The step size of step {@code step} (0-based). */
    public double at(long step) {
        if (step < warmup) {
            return h * (step + 1) / (warmup + 1);
        }
        long t = step - warmup;
        if (cosineSteps == 0) {
            return h;
        }
        if (t >= cosineSteps) {
            return h * minFraction;
        }
        double cos = 0.5 * (1 + Math.cos(Math.PI * t / cosineSteps));
        return h * (minFraction + (1 - minFraction) * cos);
    }
}
