package io.rkflow.solvers.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.solvers.field.Objective;
import io.rkflow.solvers.problems.LinearField;
import io.rkflow.solvers.problems.TanhField;
import io.rkflow.solvers.tableau.ButcherTableau;
import io.rkflow.solvers.tableau.Tableaux;
import java.util.stream.Stream;
import org.apache.commons.math3.ode.FirstOrderDifferentialEquations;
import org.apache.commons.math3.ode.FirstOrderIntegrator;
import org.apache.commons.math3.ode.nonstiff.ClassicalRungeKuttaIntegrator;
import org.apache.commons.math3.ode.nonstiff.EulerIntegrator;
import org.apache.commons.math3.ode.nonstiff.MidpointIntegrator;
import org.apache.commons.math3.ode.nonstiff.ThreeEighthesIntegrator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The empirical order of every explicit tableau, run as an optimizer on the device in fp32: the
 * log–log slope of the global error at t = T against the step size must be within ±0.3 of the
 * tableau's order, on a linear ODE (dθ/dt = −Aθ, exact solution exp(−At)θ_0 from Commons Math's
 * classical RK4 in double at a tiny step) and on the non-linear dθ/dt = −tanh θ (exact solution
 * in closed form). Where Commons Math has the same method (Euler, midpoint, RK4, 3/8 rule) the
 * device's trajectory must also match its double-precision one to float accuracy.
 *
 * <p>The six- and seven-stage pairs (rkf45, cashkarp, dopri5, tsit5) have error constants so small
 * that fp32 round-off (about 1e-7) arrives before their asymptotic regime: at the step sizes where
 * the error is still measurable, their higher-order terms make the slope steeper than the order
 * (5.6–6.7 measured for the fifth-order pairs). For them the test checks the direction that
 * catches a wrong coefficient, an order below p: slope ≥ p − 0.3, and slope ≤ p + 2.
 */
class ConvergenceOrderTest extends DeviceTest {


    static Stream<ButcherTableau> explicitTableaux() {
        return Tableaux.all().stream().filter(ButcherTableau::explicit);
    }

    private static final float[] THETA0 = {3f, -2.5f, 1.5f};
    private static final double T = 3.0;

    /** Step counts per method: errors between about 1e-2 and 1e-6, above fp32 round-off. */
    private static int[] stepCounts(ButcherTableau t) {
        if (highOrderPair(t)) {
            return new int[] {3, 4, 6};
        }
        return switch (t.order()) {
            case 1 -> new int[] {16, 32, 64};
            case 2 -> new int[] {8, 16, 32};
            default -> new int[] {6, 12, 24};
        };
    }

    private static boolean highOrderPair(ButcherTableau t) {
        return t.stages() >= 6;
    }

    @ParameterizedTest
    @MethodSource("explicitTableaux")
    void orderOnALinearOde(ButcherTableau tableau) {
        LinearField field = LinearField.quadratic(device, 1.0, 1.2, 1.5);
        double[] exact = oracle(field.matrix(), 300_000);
        assertOrder(tableau, field, exact);
    }

    @ParameterizedTest
    @MethodSource("explicitTableaux")
    void orderOnTheNonLinearTanhFlow(ButcherTableau tableau) {
        TanhField field = new TanhField(device, THETA0.length);
        assertOrder(tableau, field, TanhField.exact(THETA0, T));
    }

    private static void assertOrder(ButcherTableau tableau, Objective field, double[] exact) {
        int[] counts = stepCounts(tableau);
        double[] logH = new double[counts.length];
        double[] logE = new double[counts.length];
        for (int c = 0; c < counts.length; c++) {
            float[] theta = integrate(tableau, field, counts[c]);
            double err = 0;
            for (int i = 0; i < theta.length; i++) {
                err = Math.max(err, Math.abs(theta[i] - exact[i]));
            }
            assertTrue(err > 1.5e-7, tableau.name() + ": error " + err + " at N = " + counts[c]
                    + " is too close to fp32 round-off to measure an order");
            logH[c] = Math.log(T / counts[c]);
            logE[c] = Math.log(err);
        }
        double slope = slope(logH, logE);
        if (highOrderPair(tableau)) {
            assertTrue(slope >= tableau.order() - 0.3 && slope <= tableau.order() + 2, tableau.name()
                    + ": log-log slope " + slope + " (order " + tableau.order() + ")");
        } else {
            assertEquals(tableau.order(), slope, 0.3, tableau.name() + ": log-log slope " + slope);
        }
    }

    static float[] integrate(ButcherTableau tableau, Objective field, int steps) {
        try (Run run = new Run(tableau.name() + "+h(" + (T / steps) + ")", field, THETA0.clone())) {
            run.steps(steps);
            return run.theta();
        }
    }

    /** The double-precision solution of dθ/dt = −Aθ at T by Commons Math's RK4 at a tiny step. */
    private static double[] oracle(double[][] a, int steps) {
        double[] y = toDouble(THETA0);
        new ClassicalRungeKuttaIntegrator(T / steps).integrate(linear(a), 0, y, T, y);
        return y;
    }

    /** Same method, same step, in double precision: the device's fp32 trajectory must agree. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"euler", "midpoint", "rk4", "rk38"})
    void matchesCommonsMathsDoublePrecisionIntegratorOfTheSameMethod(String name) {
        LinearField field = LinearField.quadratic(device, 0.5, 1.0, 2.0);
        int steps = 20;
        double h = T / steps;
        FirstOrderIntegrator reference = switch (name) {
            case "euler" -> new EulerIntegrator(h);
            case "midpoint" -> new MidpointIntegrator(h);
            case "rk4" -> new ClassicalRungeKuttaIntegrator(h);
            default -> new ThreeEighthesIntegrator(h);
        };
        double[] y = toDouble(THETA0);
        reference.integrate(linear(field.matrix()), 0, y, T, y);
        float[] device = integrate(Tableaux.byName(name), field, steps);
        for (int i = 0; i < y.length; i++) {
            assertEquals(y[i], device[i], 2e-6 * Math.max(1, Math.abs(y[i])), name + " component " + i);
        }
    }

    private static FirstOrderDifferentialEquations linear(double[][] a) {
        return new FirstOrderDifferentialEquations() {
            @Override
            public int getDimension() {
                return a.length;
            }

            @Override
            public void computeDerivatives(double t, double[] y, double[] dy) {
                for (int i = 0; i < a.length; i++) {
                    double s = 0;
                    for (int j = 0; j < a.length; j++) {
                        s += a[i][j] * y[j];
                    }
                    dy[i] = -s;
                }
            }
        };
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static double slope(double[] x, double[] y) {
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i] / x.length;
            my += y[i] / y.length;
        }
        double sxy = 0, sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxy / sxx;
    }
}
