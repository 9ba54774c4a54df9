package io.rkflow.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.kernels.jvm.JvmDevice;
import io.rkflow.models.data.Clusters;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.nn.MlpSpec;
import io.rkflow.solvers.optim.Spec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer reports the device's plan executions per training step: one for a whole explicit
 * RK step (stage combinations, forward and backward passes, preconditioner, update), evaluation
 * plans not counted.
 */
class ExecutesPerStepTest {

    @Test
    void aWholeRk4StepIsOneExecution(@TempDir Path dir) throws IOException {
        assertEquals(1.0, executesPerStep("rk4+h(0.1)+adagrad+momentum(0.9)", dir.resolve("rk4")), 0.0);
    }

    @Test
    void anEmbeddedStepWithItsErrorNormIsOneExecutionWhenAccepted(@TempDir Path dir) throws IOException {
        double perStep = executesPerStep("dopri5+h(0.05)+tol(rtol=1,atol=1)", dir.resolve("dopri5"));
        assertTrue(perStep >= 1.0, "at least one execution per step: " + perStep);
    }

    private static double executesPerStep(String optimizer, Path run) throws IOException {
        Dataset train = Clusters.of(400, 12, 3, 1);
        Dataset test = Clusters.of(100, 12, 3, 2);
        Trainer.Config config = new Trainer.Config(MlpSpec.parse("12-16-3:relu"), Spec.parse(optimizer), 1, 50, 5, 4,
                0, 0, 8);
        try (JvmDevice device = new JvmDevice(1); Metrics m = new Metrics(run, false)) {
            new Trainer(config).run(device, train, test, m, new PrintStream(OutputStream.nullOutputStream()));
        }
        List<String> rows = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals(Metrics.HEADER, rows.get(0));
        double last = Double.NaN;
        for (String row : rows.subList(1, rows.size())) {
            String[] cells = row.split(",", -1);
            last = Double.parseDouble(cells[cells.length - 1]);
        }
        return last;
    }
}
