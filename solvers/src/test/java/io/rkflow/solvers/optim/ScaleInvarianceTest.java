package io.rkflow.solvers.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rkflow.solvers.problems.LinearField;
import io.rkflow.solvers.stepsize.DalStepSize;
import io.rkflow.solvers.tableau.ButcherTableau;
import io.rkflow.solvers.tableau.Tableaux;
import java.util.stream.DoubleStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On a quadratic ½λ‖θ‖² the flow is linear, so one RK step maps θ to R(−hλ)·θ with the method's
 * stability function R, whatever the size of θ, and DAL's curvature ‖Hg‖/‖g‖ = λ does not depend on
 * it either. The solvers' stopping tests and DAL read norms of fp32 vectors; these tests hold them
 * to that from θ ~ 1e-30 (where a squared norm underflows fp32) to θ ~ 1e20 (where it overflows).
 */
class ScaleInvarianceTest extends DeviceTest {

    private static final float[] DIRECTION = {1f, -2f, 0.5f};

    /** 1, tiny (‖θ‖² below fp32's smallest subnormal), and huge (1e15; 1e20: ‖θ‖² past fp32's max). */
    static DoubleStream scales() {
        return DoubleStream.of(1, 1e-23, 1e-30, 1e15, 1e20);
    }

    static Stream<Arguments> implicitCases() {
        return Tableaux.all().stream().filter(t -> !t.explicit()).flatMap(t -> Stream.of(
                // Fixed-point iteration contracts only while h·λ·ρ(A) < 1; Newton–Krylov at h·λ = 1.
                arguments(t.name(), "fixed_point(tol=1e-6,max_iter=100)", 0.5),
                arguments(t.name(), "newton(tol=1e-6)", 1.0)))
                .flatMap(a -> scales().mapToObj(scale -> arguments(a.get()[0], a.get()[1], a.get()[2], scale)));
    }

    /** R(z) = 1 + z·bᵀ(I − zA)⁻¹𝟙, the stability function of a tableau, in double. */
    static double stabilityFunction(ButcherTableau t, double z) {
        int s = t.stages();
        double[][] m = new double[s][s + 1];
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
                m[i][j] = (i == j ? 1 : 0) - z * t.a(i, j);
            }
            m[i][s] = 1;
        }
        for (int c = 0; c < s; c++) { // Gaussian elimination with partial pivoting
            int p = c;
            for (int r = c + 1; r < s; r++) {
                p = Math.abs(m[r][c]) > Math.abs(m[p][c]) ? r : p;
            }
            double[] tmp = m[c];
            m[c] = m[p];
            m[p] = tmp;
            for (int r = c + 1; r < s; r++) {
                double f = m[r][c] / m[c][c];
                for (int k = c; k <= s; k++) {
                    m[r][k] -= f * m[c][k];
                }
            }
        }
        double[] u = new double[s];
        for (int i = s - 1; i >= 0; i--) {
            double v = m[i][s];
            for (int j = i + 1; j < s; j++) {
                v -= m[i][j] * u[j];
            }
            u[i] = v / m[i][i];
        }
        double r = 1;
        for (int i = 0; i < s; i++) {
            r += z * t.b(i) * u[i];
        }
        return r;
    }

    static float[] theta0(double scale) {
        float[] theta = new float[DIRECTION.length];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = (float) (scale * DIRECTION[i]);
        }
        return theta;
    }

    /**
     * One implicit step from θ_0 = scale·(1, −2, ½) on ½λ‖θ‖² gives θ_1 = R(−hλ)·θ_0 to 1e-5 of
     * R in every component (backward Euler: R = 1/(1 + hλ)), at every scale.
     */
    @ParameterizedTest(name = "{0}+{1} at h·λ = {2}, θ ~ {3}")
    @MethodSource("implicitCases")
    void oneImplicitStepMultipliesThetaByTheStabilityFunctionAtEveryScale(String method, String solver, double hLambda,
            double scale) {
        double lambda = 1.0;
        double h = hLambda / lambda;
        double expected = stabilityFunction(Tableaux.byName(method), -hLambda);
        float[] theta0 = theta0(scale);
        LinearField quadratic = LinearField.quadratic(device, lambda, lambda, lambda);
        try (Run run = new Run(method + "+h(" + h + ")+" + solver, quadratic, theta0)) {
            run.optimizer.step();
            float[] theta1 = run.theta();
            for (int i = 0; i < theta0.length; i++) {
                double ratio = (double) theta1[i] / theta0[i];
                assertEquals(expected, ratio, 1e-5 * Math.abs(expected),
                        method + "+" + solver + " at θ ~ " + scale + ": θ1/θ0 in component " + i);
            }
        }
    }

    /**
     * A stiff radau3 run (h·λ = 10, |R| ≈ 0.05) follows θ_n = R^n·θ_0 from 1 down to 1e-33: the
     * stage solve neither stops early on a residual that underflowed nor stalls on one that
     * cannot be measured.
     */
    @Test
    void radau3FollowsTheExactDecayDownTo1eMinus33() {
        double hLambda = 10;
        double r = stabilityFunction(Tableaux.byName("radau3"), -hLambda);
        LinearField quadratic = LinearField.quadratic(device, 1.0, 1.0, 1.0);
        float[] theta0 = theta0(1);
        try (Run run = new Run("radau3+h(" + hLambda + ")+newton(tol=1e-6)", quadratic, theta0)) {
            double expected = 1;
            for (int n = 1; Math.abs(expected * r) > 1e-33; n++) {
                run.optimizer.step();
                expected *= r;
                float[] theta = run.theta();
                for (int i = 0; i < theta0.length; i++) {
                    double ratio = (double) theta[i] / theta0[i];
                    assertEquals(expected, ratio, 1e-4 * Math.abs(expected),
                            "radau3 step " + n + ": θ_n/θ_0 in component " + i);
                }
            }
        }
    }

    static Stream<Arguments> dalCases() {
        return Stream.of("rk4+dal(c=0.5,p=2,hg=stages)", "heun+dal(c=0.5,p=1)", "rk4+dal(c=0.5,p=2,hg=fd)",
                "euler+dal(c=0.5,p=2,hg=fd)")
                .flatMap(spec -> scales().filter(s -> s != 1).mapToObj(scale -> arguments(spec, scale)));
    }

    /**
     * DAL on ½λ‖θ‖² measures ξ = λ (every direction has curvature λ) and takes
     * h = c / (1 + (c/2)·λ^p) at any scale of θ: the curvature and the step size after three
     * steps equal those of the same run at scale 1, and that h is DAL's h for λ.
     */
    @ParameterizedTest(name = "{0} at θ ~ {1}")
    @MethodSource("dalCases")
    void dalMeasuresTheSameCurvatureAtEveryScale(String spec, double scale) {
        double lambda = 3.0;
        boolean fd = spec.contains("hg=fd");
        double[] atOne = dalAfterThreeSteps(spec, lambda, 1);
        double[] atScale = dalAfterThreeSteps(spec, lambda, scale);
        DalStepSize dal = Spec.parse(spec).dal();
        assertEquals(dal.stepSize(lambda), atOne[0], 2e-3 * atOne[0], spec + ": h at scale 1");
        // Finite differences of fp32 gradients err by about 2^-24·‖θ‖ / displacement, stages by round-off.
        double tol = fd ? 2e-3 : 1e-5;
        assertEquals(atOne[1], atScale[1], tol * atOne[1], spec + " at θ ~ " + scale + ": curvature");
        assertEquals(atOne[0], atScale[0], tol * atOne[0], spec + " at θ ~ " + scale + ": h");
    }

    /** {h, curvature} after three steps from scale·(1, −2, ½). */
    private static double[] dalAfterThreeSteps(String spec, double lambda, double scale) {
        LinearField quadratic = LinearField.quadratic(device, lambda, lambda, lambda);
        try (Run run = new Run(spec, quadratic, theta0(scale))) {
            run.steps(3);
            return new double[] {run.optimizer.counters().h(), run.optimizer.state().scalars().get("curvature")};
        }
    }
}
