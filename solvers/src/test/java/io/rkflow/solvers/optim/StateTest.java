package io.rkflow.solvers.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.solvers.problems.LogisticRegression;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Saving and restoring an optimizer's state continues a run bit for bit. */
class StateTest extends DeviceTest {


    @ParameterizedTest
    @ValueSource(strings = {"rk4+adagrad+dal(p=2,c=0.5)+momentum(0.9)", "dopri5+h(0.5)+tol(rtol=1e-2)+ema",
        "adamw(lr=0.01)", "sgd+dal(c=1)+nesterov(0.5)", "rk4+h(0.3)+warmup(3)+cosine(10)"})
    void aRestoredRunContinuesBitForBit(String spec) throws IOException {
        LogisticRegression problem = new LogisticRegression(device, 120, 4, 3, 5);
        float[] theta0 = new float[problem.dimension()];
        float[] midTheta;
        byte[] saved;
        float[] expected;
        Optimizer.Counters expectedCounters;
        try (Run run = new Run(spec, problem, theta0)) {
            run.steps(6);
            midTheta = run.theta();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            run.optimizer.state().write(new DataOutputStream(bytes));
            saved = bytes.toByteArray();
            run.steps(6);
            expected = run.theta();
            expectedCounters = run.optimizer.counters();
        }
        try (Run resumed = new Run(spec, problem, midTheta)) {
            resumed.optimizer.restore(OptimizerState.read(new DataInputStream(new ByteArrayInputStream(saved))));
            resumed.steps(6);
            assertArrayEquals(expected, resumed.theta());
            assertEquals(expectedCounters, resumed.optimizer.counters());
        }
    }

    @Test
    void aStateOfAnotherSpecOrACorruptStreamIsRefused() throws IOException {
        LogisticRegression problem = new LogisticRegression(device, 50, 3, 2, 5);
        float[] theta0 = new float[problem.dimension()];
        try (Run a = new Run("rk4+adagrad", problem, theta0); Run b = new Run("rk4+momentum(0.9)", problem, theta0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> b.optimizer.restore(a.optimizer.state()));
            assertTrue(e.getMessage().contains("is for 'rk4+h(0.1)+adagrad(delta=1)'"), e.getMessage());
        }
        IOException io = assertThrows(IOException.class,
                () -> OptimizerState.read(new DataInputStream(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5}))));
        assertTrue(io.getMessage().contains("not an optimizer state"), io.getMessage());
    }
}
