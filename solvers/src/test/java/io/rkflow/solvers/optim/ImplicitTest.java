package io.rkflow.solvers.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.solvers.problems.LinearField;
import io.rkflow.solvers.problems.TanhField;
import io.rkflow.solvers.tableau.ButcherTableau;
import io.rkflow.solvers.tableau.Tableaux;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Implicit tableaux with fixed-point and Newton–Krylov stage solves. */
class ImplicitTest extends DeviceTest {

    static Stream<ButcherTableau> implicitTableaux() {
        return Tableaux.all().stream().filter(t -> !t.explicit());
    }

    /**
     * On a stiff quadratic (curvatures 1 and 1000) at h = 0.05, h·λ = 50: every explicit tableau
     * diverges there, every A-stable implicit one with Newton–Krylov converges.
     */
    @ParameterizedTest
    @MethodSource("implicitTableaux")
    void convergesOnAStiffProblemWhereAnExplicitMethodAtTheSameStepDiverges(ButcherTableau tableau) {
        LinearField stiff = LinearField.quadratic(device, 1.0, 1000.0);
        float[] theta0 = {1f, -1f};
        try (Run implicit = new Run(tableau.name() + "+h(0.05)+newton", stiff, theta0)) {
            implicit.steps(100);
            double norm = StabilityTest.norm(implicit.theta());
            assertTrue(norm < 0.05, tableau.name() + ": |θ| = " + norm + " after 100 steps");
            Optimizer.Counters c = implicit.optimizer.counters();
            assertTrue(c.stageIterations() >= 100, "stage iterations are counted: " + c.stageIterations());
        }
        try (Run explicit = new Run("rk4+h(0.05)", stiff, theta0)) {
            assertThrows(Optimizer.NonFiniteException.class, () -> explicit.steps(100),
                    "rk4 at h·λ = 50 should blow up");
        }
    }

    /** On a non-stiff flow both stage solvers agree with the exact solution to the method's accuracy. */
    @ParameterizedTest
    @ValueSource(strings = {"fixed_point(tol=1e-6)", "newton(tol=1e-6)"})
    void gauss2SolvesTheTanhFlowAccurately(String solver) {
        TanhField field = new TanhField(device, 3);
        float[] theta0 = {3f, -2.5f, 1.5f};
        double[] exact = TanhField.exact(theta0, 3.0);
        try (Run run = new Run("gauss2+h(0.25)+" + solver, field, theta0)) {
            Optimizer.StepReport report = run.steps(12);
            assertTrue(report.stageIterations() >= 1);
            float[] theta = run.theta();
            for (int i = 0; i < 3; i++) {
                assertEquals(exact[i], theta[i], 2e-4, solver + " component " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gauss2", "radau3", "backward-euler"})
    void fixedPointIterationOnAStiffProblemReportsNonConvergenceAndChangesNothing(String method) {
        LinearField stiff = LinearField.quadratic(device, 1.0, 1000.0);
        float[] theta0 = {1f, -1f};
        // AdaGrad scales the curvature 1000 by about 1/1000, so h = 50 keeps h·λ·P near 50.
        try (Run run = new Run(method + "+h(50)+adagrad+fixed_point(max_iter=20)", stiff, theta0)) {
            OptimizerState before = run.optimizer.state();
            Optimizer.StageSolverException e = assertThrows(Optimizer.StageSolverException.class,
                    run.optimizer::step);
            assertTrue(e.getMessage().contains("did not converge in 20 iterations"), e.getMessage());
            assertEquals(java.util.List.of(1f, -1f), java.util.List.of(run.theta()[0], run.theta()[1]));
            org.junit.jupiter.api.Assertions.assertArrayEquals(before.arrays().get("v"),
                    run.optimizer.state().arrays().get("v"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"implicit-midpoint", "trapezoid", "gauss2", "gauss3", "radau3"})
    void implicitOptimizersDecreaseALogisticRegression(String method) {
        var problem = new io.rkflow.solvers.problems.LogisticRegression(device, 150, 4, 3, 9);
        float[] theta0 = new float[problem.dimension()];
        float initial = io.rkflow.solvers.problems.Problems.evaluate(problem, theta0)[0];
        try (Run run = new Run(method + "+h(1)+newton", problem, theta0)) {
            run.steps(15);
            float last = io.rkflow.solvers.problems.Problems.evaluate(problem, run.theta())[0];
            assertTrue(last < 0.5f * initial, method + ": loss " + initial + " -> " + last);
        }
    }
}
