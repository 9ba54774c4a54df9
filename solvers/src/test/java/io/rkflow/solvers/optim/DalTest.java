package io.rkflow.solvers.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rkflow.solvers.problems.LinearField;
import io.rkflow.solvers.stepsize.DalStepSize;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Rescaled DAL-p: its limits, and its curvature estimates on a quadratic of known curvature. */
class DalTest extends DeviceTest {


    @Test
    void theStepSizeTendsToTheCapOnFlatGroundAndTo2OverXiToThePForLargeCurvature() {
        DalStepSize dal = new DalStepSize(0.5, 2, DalStepSize.HessianEstimate.STAGES, 1e-3);
        assertEquals(0.5, dal.stepSize(0), 0);
        assertEquals(0.5, dal.stepSize(1e-8), 1e-15);
        for (double xi : new double[] {1e3, 1e4, 1e5}) {
            assertEquals(2 / (xi * xi), dal.stepSize(xi), 2 / (xi * xi) * 1e-3, "xi = " + xi);
        }
        DalStepSize p1 = new DalStepSize(1.0, 1, DalStepSize.HessianEstimate.FINITE_DIFFERENCE, 1e-3);
        assertEquals(2 / 1e4, p1.stepSize(1e4), 2e-4 * 1e-3);
    }

    /**
     * On ½ λ‖θ‖² every direction has curvature λ, so both estimates of ‖Hg‖/‖g‖ must find λ and
     * DAL must settle at c / (1 + (c/2)·λ^p).
     */
    @ParameterizedTest
    @ValueSource(strings = {"rk4+dal(c=0.5,p=2,hg=stages)", "rk4+dal(c=0.5,p=2,hg=fd)", "heun+dal(c=0.5,p=1)",
        "euler+dal(c=0.5,p=2,hg=fd)"})
    void findsTheCurvatureOfAQuadratic(String spec) {
        double lambda = 3.0;
        LinearField quadratic = LinearField.quadratic(device, lambda, lambda, lambda);
        try (Run run = new Run(spec, quadratic, new float[] {1f, -2f, 0.5f})) {
            run.steps(3);
            double h = run.optimizer.counters().h();
            DalStepSize dal = run.optimizer.spec().dal();
            double expected = dal.stepSize(lambda);
            assertEquals(expected, h, expected * 2e-3, spec + ": h = " + h);
        }
    }
}
