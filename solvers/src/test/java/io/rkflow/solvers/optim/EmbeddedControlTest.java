package io.rkflow.solvers.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.solvers.problems.LinearField;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Step-size control of embedded pairs on a stiff quadratic (curvatures 1 and 1000). */
class EmbeddedControlTest extends DeviceTest {


    @ParameterizedTest
    @ValueSource(strings = {"bs3", "rkf45", "cashkarp", "dopri5", "tsit5"})
    void rejectsTooLargeStepsThenRecoversAndConverges(String method) {
        LinearField stiff = LinearField.quadratic(device, 1.0, 1000.0);
        float[] theta0 = {1f, 1f};
        try (Run run = new Run(method + "+h(0.5)+tol(rtol=1e-3,atol=1e-6)", stiff, theta0)) {
            Optimizer.StepReport first = run.optimizer.step();
            assertTrue(first.rejected() > 0, method + ": the first step at h·λ = 500 must be rejected");
            assertTrue(first.h() < 0.01, method + ": accepted h " + first.h());
            run.steps(2000);
            Optimizer.Counters c = run.optimizer.counters();
            assertEquals(2001, c.accepted());
            assertTrue(c.rejected() >= first.rejected());
            double norm = StabilityTest.norm(run.theta());
            assertTrue(norm < 0.5, method + ": |θ| = " + norm + " after " + c.accepted() + " steps");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dopri5+adagrad", "bs3+momentum(0.9)", "tsit5"})
    void aRejectedStepLeavesThetaAndTheStateExactlyAsBefore(String method) {
        LinearField stiff = LinearField.quadratic(device, 1.0, 1000.0);
        try (Run run = new Run(method + "+h(0.001)+tol(rtol=1e-3,atol=1e-6,max_rejections=2,max_factor=1000)",
                stiff, new float[] {1f, -1f})) {
            run.steps(3);
            float[] before = run.theta();
            OptimizerState state = run.optimizer.state();
            // Force hopeless attempts: a huge step is rejected until the budget runs out.
            OptimizerState huge = withScalar(state, "h", 1e3);
            run.optimizer.restore(huge);
            Optimizer.StepSizeException e = assertThrows(Optimizer.StepSizeException.class, run.optimizer::step);
            assertTrue(e.getMessage().contains("attempts rejected in a row"), e.getMessage());
            assertArrayEquals(before, run.theta(), "θ after the rejected attempts");
            OptimizerState after = run.optimizer.state();
            for (String name : state.arrays().keySet()) {
                assertArrayEquals(state.arrays().get(name), after.arrays().get(name), name);
            }
        }
    }

    /** An attempt whose θ overflows to infinity or NaN is rejected like any other, not accepted. */
    @ParameterizedTest
    @ValueSource(strings = {"dopri5", "bs3"})
    void anAttemptThatOverflowsIsRejectedAndTheRunRecovers(String method) {
        LinearField stiff = LinearField.quadratic(device, 1.0, 1e4);
        try (Run run = new Run(method + "+h(1000)+tol(rtol=1e-3,atol=1e-6,max_rejections=40)", stiff,
                new float[] {1f, 1f})) {
            Optimizer.StepReport first = run.optimizer.step();
            assertTrue(first.rejected() >= 5, method + ": rejected " + first.rejected());
            run.steps(50);
            for (float x : run.theta()) {
                assertTrue(Float.isFinite(x), method + ": θ = " + java.util.Arrays.toString(run.theta()));
            }
        }
    }

    private static OptimizerState withScalar(OptimizerState s, String name, double value) {
        java.util.Map<String, Double> scalars = new java.util.HashMap<>(s.scalars());
        scalars.put(name, value);
        return new OptimizerState(s.spec(), s.arrays(), scalars);
    }
}
