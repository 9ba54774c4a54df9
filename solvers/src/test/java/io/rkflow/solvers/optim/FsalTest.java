package io.rkflow.solvers.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.Graph;
import io.rkflow.solvers.field.Objective;
import io.rkflow.solvers.problems.TanhField;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * First same as last: on a fixed objective an FSAL tableau takes k_1 from the previous step's last
 * stage, one gradient evaluation fewer per step, with exactly the same result as evaluating it.
 * With momentum θ_{n+1} is not the last stage point, so there is nothing to reuse; a retried
 * attempt of an embedded pair always reuses k_1 at the unchanged θ_n.
 */
class FsalTest extends DeviceTest {

    @ParameterizedTest
    @ValueSource(strings = {"dopri5+h(0.1)", "tsit5+h(0.1)", "bs3+h(0.1)", "dopri5+h(0.4)+tol(rtol=1e-4,atol=1e-6)",
        "bs3+h(0.4)+tol(rtol=1e-4,atol=1e-6)+momentum(0.5)"})
    void reusesTheLastStageBitForBit(String spec) {
        float[] theta0 = {3f, -2.5f, 1.5f, 0.25f};
        TanhField field = new TanhField(device, theta0.length);
        int s = Spec.parse(spec).tableau().stages();
        boolean reuse = !Spec.parse(spec).momentum().enabled();
        try (Run fsal = new Run(spec, field, theta0); Run plain = new Run(spec, notFixed(field), theta0)) {
            for (int step = 0; step < 12; step++) {
                Optimizer.StepReport a = fsal.optimizer.step();
                Optimizer.StepReport b = plain.optimizer.step();
                assertArrayEquals(plain.theta(), fsal.theta(), "step " + step);
                assertEquals(b.loss(), a.loss(), "loss at step " + step);
                int attempts = 1 + a.rejected();
                int expected = (step == 0 || !reuse ? s : s - 1) + (attempts - 1) * (s - 1);
                assertEquals(expected, a.gradientEvaluations(), "evaluations at step " + step);
                assertEquals(s + (attempts - 1) * (s - 1), b.gradientEvaluations(),
                        "a retried attempt reuses k_1 at the same θ");
            }
            assertEquals(reuse, fsal.optimizer.counters().gradientEvaluations()
                    < plain.optimizer.counters().gradientEvaluations());
        }
    }

    /** The same objective, declared to change between steps: no FSAL reuse. */
    private static Objective notFixed(Objective o) {
        return new Objective() {
            @Override
            public Device device() {
                return o.device();
            }

            @Override
            public int dimension() {
                return o.dimension();
            }

            @Override
            public void record(Graph graph, int slot, FloatSlice theta, FloatSlice grad, FloatSlice loss) {
                o.record(graph, slot, theta, grad, loss);
            }
        };
    }
}
