package io.rkflow.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.kernels.Fusion;
import io.rkflow.kernels.jvm.JvmDevice;
import io.rkflow.models.data.Clusters;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.nn.ModelSpec;
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

    /**
     * At full fusion an RK4 + AdaGrad step of a two-hidden-layer MLP runs at most half the kernels it
     * runs unfused: the GEMMs absorb bias, activation and bias gradient, the optimizer's tail is one pass.
     */
    @Test
    void fullFusionAtLeastHalvesTheKernelsOfAnRk4Step(@TempDir Path dir) throws IOException {
        double none = column("rk4+h(0.1)+adagrad", "12-16-16-3:relu", Fusion.NONE, dir.resolve("none"),
                "kernels_per_step");
        double full = column("rk4+h(0.1)+adagrad", "12-16-16-3:relu", Fusion.FULL, dir.resolve("full"),
                "kernels_per_step");
        assertEquals(86.0, none, 0.0, "tasks of the unfused step: 4 × 19 for the passes, 10 for the optimizer");
        assertTrue(full <= none / 2, "kernels per step: " + full + " at full fusion, " + none + " unfused");
    }

    @Test
    void anEmbeddedStepWithItsErrorNormIsOneExecutionWhenAccepted(@TempDir Path dir) throws IOException {
        double perStep = executesPerStep("dopri5+h(0.05)+tol(rtol=1,atol=1)", dir.resolve("dopri5"));
        assertTrue(perStep >= 1.0, "at least one execution per step: " + perStep);
    }

    private static double executesPerStep(String optimizer, Path run) throws IOException {
        return column(optimizer, "12-16-3:relu", Fusion.DEFAULT, run, "executes_per_step");
    }

    /** The last logged value of a metrics column of a short run. */
    private static double column(String optimizer, String model, Fusion fusion, Path run, String name)
            throws IOException {
        Dataset train = Clusters.of(400, 12, 3, 1);
        Dataset test = Clusters.of(100, 12, 3, 2);
        Trainer.Config config = new Trainer.Config(ModelSpec.parse(model), Spec.parse(optimizer), 1, 50, 5, 4,
                0, 0, 8);
        try (JvmDevice device = new JvmDevice(1); Metrics m = new Metrics(run, false)) {
            device.fusion(fusion);
            new Trainer(config).run(device, train, test, m, new PrintStream(OutputStream.nullOutputStream()));
        }
        List<String> rows = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals(Metrics.HEADER, rows.get(0));
        int index = List.of(rows.get(0).split(",")).indexOf(name);
        double last = Double.NaN;
        for (String row : rows.subList(1, rows.size())) {
            last = Double.parseDouble(row.split(",", -1)[index]);
        }
        return last;
    }
}
