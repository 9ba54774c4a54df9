package io.rkflow.solvers.optim;

import io.rkflow.kernels.FloatBuffer;
import io.rkflow.solvers.field.Objective;

/** A spec bound to an objective and a θ buffer, for tests. */
final class Run implements AutoCloseable {

    final Objective objective;
    final FloatBuffer theta;
    final Optimizer optimizer;

    Run(String spec, Objective objective, float[] theta0) {
        this.objective = objective;
        this.theta = objective.device().allocFloat("theta", theta0.length);
        theta.write(theta0);
        this.optimizer = Optimizer.create(Spec.parse(spec), objective, theta.all());
    }

    /** Runs {@code steps} steps and returns the last report. */
    Optimizer.StepReport steps(int steps) {
        Optimizer.StepReport last = null;
        for (int i = 0; i < steps; i++) {
            last = optimizer.step();
        }
        return last;
    }

    float[] theta() {
        return theta.read();
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
