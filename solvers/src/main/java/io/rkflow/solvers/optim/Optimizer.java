package io.rkflow.solvers.optim;

import io.rkflow.kernels.FloatSlice;
import io.rkflow.solvers.field.Objective;

/**
 * An optimizer bound to an objective and its parameters θ: each {@link #step()} runs a recorded
 * device plan (two with a finite-difference DAL probe; a restore plan after a rejected attempt of
 * an embedded pair). θ belongs to the caller; the optimizer owns its state (accumulators,
 * momentum, Adam moments, step size, controller history) and its counters.
 */
public interface Optimizer extends AutoCloseable {

    /** Builds the optimizer a spec describes, recording its plans onto the objective's device. */
    static Optimizer create(Spec spec, Objective objective, FloatSlice theta) {
        if (spec.adam() != null) {
            return new AdamOptimizer(spec, objective, theta);
        }
        return spec.tableau().explicit() ? new RungeKuttaOptimizer(spec, objective, theta)
                : new ImplicitRungeKuttaOptimizer(spec, objective, theta);
    }

    Spec spec();

    /**
     * Advances θ by one accepted step.
     *
     * @throws NonFiniteException when θ became non-finite and the method cannot reject the step
     * @throws StepSizeException when an embedded pair's step size falls below its minimum or it
     *     rejects too many attempts in a row
     */
    StepReport step();

    /** Counters after the last step. */
    Counters counters();

    /** Everything, besides θ, that continuing this run bit for bit needs. */
    OptimizerState state();

    /** Restores a state taken from an optimizer of the same spec and dimension. */
    void restore(OptimizerState state);

    @Override
    void close();

    /**
     * What one step did: the loss at θ_n (first stage), the step size used, gradient evaluations,
     * rejected attempts, the accepted error estimate (NaN without one), and the iterations of an
     * implicit method's stage solve (0 for explicit methods).
     */
    record StepReport(double loss, double h, int gradientEvaluations, int rejected, double error,
            int stageIterations) {}

    /** Running totals, readable after every step. */
    record Counters(long steps, long gradientEvaluations, long accepted, long rejected, double h, double loss,
            long stageIterations) {}

    /** θ or the loss became NaN or infinite. */
    final class NonFiniteException extends RuntimeException {
        public NonFiniteException(String message) {
            super(message);
        }
    }

    /** The stage equations of an implicit method did not converge; θ and the state are unchanged. */
    final class StageSolverException extends RuntimeException {
        public StageSolverException(String message) {
            super(message);
        }
    }

    /** Step-size control gave up: the step fell below h_min or too many attempts were rejected. */
    final class StepSizeException extends RuntimeException {
        public StepSizeException(String message) {
            super(message);
        }
    }
}
