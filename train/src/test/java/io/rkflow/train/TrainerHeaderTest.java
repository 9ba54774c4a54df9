package io.rkflow.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.kernels.jvm.JvmDevice;
import io.rkflow.models.data.Clusters;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.solvers.optim.Spec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start line says how long the run is: its --steps when they end it early, else its epochs. */
class TrainerHeaderTest {

    private static String header(long maxSteps, Path dir) throws IOException {
        Dataset train = Clusters.of(600, 12, 3, 1); // 12 steps per epoch at batch 50
        Dataset test = Clusters.of(150, 12, 3, 2);
        Trainer.Config config = new Trainer.Config(ModelSpec.parse("12-16-3:tanh"), Spec.parse("rk4+h(0.1)"), 3, 50, 5, 4,
                maxSteps, 0, 0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JvmDevice device = new JvmDevice(1); Metrics m = new Metrics(dir, false)) {
            new Trainer(config).run(device, train, test, null, m, new PrintStream(bytes, true, StandardCharsets.UTF_8),
                    null, null);
        }
        String log = bytes.toString(StandardCharsets.UTF_8);
        return log.lines().filter(l -> l.startsWith("training ")).findFirst().orElse(log);
    }

    @Test
    void aStepsRunSaysItsSteps(@TempDir Path dir) throws IOException {
        String h = header(5, dir);
        assertTrue(h.contains(": 5 steps (--steps; 12 per epoch), batch 50"), h);
        assertFalse(h.contains("epochs of"), h);
    }

    @Test
    void anEpochsRunSaysItsEpochs(@TempDir Path dir) throws IOException {
        String h = header(0, dir);
        assertTrue(h.contains(": 3 epochs of 12 steps, batch 50"), h);
    }
}
