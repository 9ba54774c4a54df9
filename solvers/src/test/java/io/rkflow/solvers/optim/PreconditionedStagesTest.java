package io.rkflow.solvers.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rkflow.solvers.problems.LinearField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the stages see when a preconditioner is on, recomputed in double on the host from the
 * formulas in {@link RungeKuttaOptimizer}'s Javadoc, on a dense quadratic ½θᵀAθ with curvatures 1
 * and 10 (so P is far from a multiple of the identity): the per-stage AdaGrad preconditioner, and
 * the curvature each DAL estimate measures.
 */
class PreconditionedStagesTest extends DeviceTest {

    private static final float[] THETA0 = {1f, -2f};

    private static LinearField quadratic() {
        return LinearField.quadratic(device, 1.0, 10.0);
    }

    /** A as the device holds it (float entries), in double. */
    private static double[][] deviceMatrix(LinearField field) {
        double[][] a = field.matrix();
        double[][] f = new double[a.length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                f[i][j] = (float) a[i][j];
            }
        }
        return f;
    }

    private static double[] times(double[][] a, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x.length; j++) {
                y[i] += a[i][j] * x[j];
            }
        }
        return y;
    }

    private static double[] hadamard(double[] p, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = p[i] * x[i];
        }
        return y;
    }

    private static double norm(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    /** (δ + v)^(−1/2) elementwise, δ = 1. */
    private static double[] adagradP(double[] v) {
        double[] p = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            p[i] = 1 / Math.sqrt(1 + v[i]);
        }
        return p;
    }

    /**
     * heun+adagrad: at step n, G_n = Σ_{l≤n} g_1^(l)², the current first-stage gradient included;
     * k_1 = (1 + G_n)^(−1/2) g_1; k_2 = (1 + G_n)^(−1/2) g_2 frozen, or (1 + G_n + g_2²)^(−1/2) g_2
     * with per_stage; G carries only g_1 to the next step.
     */
    @ParameterizedTest(name = "per_stage = {0}")
    @ValueSource(booleans = {false, true})
    void adagradPerStageAddsTheStagesOwnSquaredGradientToTheAccumulator(boolean perStage) {
        LinearField field = quadratic();
        double[][] a = deviceMatrix(field);
        double h = 0.1;
        double[] theta = {THETA0[0], THETA0[1]};
        double[] acc = new double[2];
        String spec = "heun+h(" + h + ")+adagrad(delta=1" + (perStage ? ",per_stage" : "") + ")";
        try (Run run = new Run(spec, field, THETA0)) {
            for (int step = 0; step < 4; step++) {
                double[] g1 = times(a, theta);
                for (int i = 0; i < 2; i++) {
                    acc[i] += g1[i] * g1[i];
                }
                double[] p1 = adagradP(acc);
                double[] k1 = hadamard(p1, g1);
                double[] point = {theta[0] - h * k1[0], theta[1] - h * k1[1]};
                double[] g2 = times(a, point);
                double[] p2 = p1;
                if (perStage) {
                    p2 = adagradP(new double[] {acc[0] + g2[0] * g2[0], acc[1] + g2[1] * g2[1]});
                }
                double[] k2 = hadamard(p2, g2);
                for (int i = 0; i < 2; i++) {
                    theta[i] -= h * (0.5 * k1[i] + 0.5 * k2[i]);
                }
                run.optimizer.step();
                float[] got = run.theta();
                for (int i = 0; i < 2; i++) {
                    assertEquals(theta[i], got[i], 1e-5 * Math.abs(theta[i]),
                            spec + " step " + step + " θ[" + i + "]");
                }
            }
        }
    }

    /**
     * dal(hg=stages) with AdaGrad: ξ = ‖k_1 − k_2‖/(|a_21| h ‖k_1‖) = ‖P A P g‖ / ‖P g‖, the
     * curvature of the preconditioned flow along its own direction, P = (1 + g²)^(−1/2) at step 1.
     */
    @Test
    void dalFromStagesWithAdagradMeasuresThePreconditionedCurvature() {
        LinearField field = quadratic();
        double[][] a = deviceMatrix(field);
        double[] g = times(a, new double[] {THETA0[0], THETA0[1]});
        double[] p = adagradP(hadamard(g, g));
        double[] pg = hadamard(p, g);
        double expected = norm(hadamard(p, times(a, pg))) / norm(pg);
        try (Run run = new Run("rk4+adagrad+dal(c=0.5,p=2,hg=stages)", field, THETA0)) {
            run.optimizer.step();
            double got = run.optimizer.state().scalars().get("curvature");
            assertEquals(expected, got, 1e-5 * expected,
                    "‖PAPg‖/‖Pg‖ (‖Ag‖/‖g‖ = " + norm(times(a, g)) / norm(g) + ")");
        }
    }

    /**
     * dal(hg=stages) with EMA measures the same curvature of the preconditioned flow, with the
     * flow's bias-corrected P = (δ + v/(1 − β2))^(−1/2) at step 1, not the kernel's
     * (δ(1 − β2) + v)^(−1/2) (which made ξ 1/sqrt(1 − β2) ≈ 32 times too large at β2 = 0.999).
     */
    @Test
    void dalFromStagesWithEmaMeasuresTheFlowsPreconditionedCurvature() {
        LinearField field = quadratic();
        double[][] a = deviceMatrix(field);
        double[] g = times(a, new double[] {THETA0[0], THETA0[1]});
        double beta2 = 0.999;
        double delta = 0.5;
        double[] p = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            double v = (1 - beta2) * g[i] * g[i];
            p[i] = 1 / Math.sqrt(delta + v / (1 - beta2));
        }
        double[] pg = hadamard(p, g);
        double expected = norm(hadamard(p, times(a, pg))) / norm(pg);
        try (Run run = new Run("rk4+ema(beta2=0.999,delta=0.5)+dal(c=0.5,p=2,hg=stages)", field, THETA0)) {
            run.optimizer.step();
            double got = run.optimizer.state().scalars().get("curvature");
            assertEquals(expected, got, 1e-4 * expected, "the flow's ‖PAPg‖/‖Pg‖");
        }
    }

    /** dal(hg=fd) with AdaGrad probes the raw gradient: ξ = ‖A g‖ / ‖g‖, P plays no part. */
    @Test
    void dalFromFiniteDifferencesWithAdagradMeasuresTheRawCurvature() {
        LinearField field = quadratic();
        double[][] a = deviceMatrix(field);
        double[] g = times(a, new double[] {THETA0[0], THETA0[1]});
        double expected = norm(times(a, g)) / norm(g);
        try (Run run = new Run("rk4+adagrad+dal(c=0.5,p=2,hg=fd)", field, THETA0)) {
            run.optimizer.step();
            double got = run.optimizer.state().scalars().get("curvature");
            assertEquals(expected, got, 1e-3 * expected, "‖Ag‖/‖g‖");
        }
    }
}
