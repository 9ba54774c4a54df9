package io.rkflow.solvers.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.solvers.problems.LinearField;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Linear stability on the negative real axis: on a quadratic with curvature λ the iteration is
 * θ ← R(−hλ)·θ, stable while |R| &lt; 1: Euler and the two-stage second-order methods up to hλ = 2,
 * RK4 up to 2.7853.
 */
class StabilityTest extends DeviceTest {


    @ParameterizedTest(name = "{0} at h·λ = {1}: converges = {2}")
    @CsvSource({
        "euler, 1.95, true", "euler, 2.05, false",
        "heun, 1.95, true", "heun, 2.05, false",
        "midpoint, 1.95, true", "midpoint, 2.05, false",
        "ralston2, 1.95, true", "ralston2, 2.05, false",
        "rk4, 2.7, true", "rk4, 2.9, false",
    })
    void convergesInsideAndDivergesOutsideTheStabilityInterval(String method, double hLambda, boolean converges) {
        double lambda = 3.0;
        LinearField quadratic = LinearField.quadratic(device, lambda, lambda, lambda, lambda);
        float[] theta0 = {1f, -0.5f, 0.25f, 0.75f};
        try (Run run = new Run(method + "+h(" + hLambda / lambda + ")", quadratic, theta0)) {
            run.steps(300);
            double norm = norm(run.theta()) / norm(theta0);
            if (converges) {
                assertTrue(norm < 1e-3, method + " at h·λ = " + hLambda + " should converge: |θ|/|θ0| = " + norm);
            } else {
                assertTrue(norm > 1e3 || Double.isNaN(norm),
                        method + " at h·λ = " + hLambda + " should diverge: |θ|/|θ0| = " + norm);
            }
        } catch (Optimizer.NonFiniteException e) {
            assertTrue(!converges, method + " at h·λ = " + hLambda + " overflowed but should converge");
        }
    }

    static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }
}
