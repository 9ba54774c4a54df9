package io.rkflow.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.kernels.jvm.JvmDevice;
import io.rkflow.models.data.Clusters;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.solvers.optim.Spec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint that does not fit the run is refused with a message that shows the difference. */
class CheckpointSettingsTest {

    @Test
    void aParameterCountThatDoesNotFitIsNamedNotShownAsTwoEqualStrings(@TempDir Path dir) throws IOException {
        Dataset train = Clusters.of(600, 12, 3, 1);
        Dataset test = Clusters.of(150, 12, 3, 2);
        ModelSpec model = ModelSpec.parse("12-16-3:tanh");
        Spec spec = Spec.parse("rk4+h(0.1)");
        Trainer.Config config = new Trainer.Config(model, spec, 1, 50, 5, 4, 0, 0, 0);
        Path a = dir.resolve("a");
        Checkpoint good;
        try (JvmDevice device = new JvmDevice(1); Metrics m = new Metrics(a, false)) {
            new Trainer(new Trainer.Config(model, spec, 1, 50, 5, 4, 3, 0, 0)).run(device, train, test, null, m,
                    new PrintStream(OutputStream.nullOutputStream()), a, null);
            good = Checkpoint.read(a.resolve(Checkpoint.FILE));
        }
        Checkpoint cut = new Checkpoint(good.settings(), good.epoch(),
                good.batchInEpoch(), good.step(), java.util.Arrays.copyOf(good.theta(), good.theta().length - 1),
                good.optimizerState(), good.windowSteps(), good.windowLoss());
        try (JvmDevice device = new JvmDevice(1); Metrics m = Metrics.resume(a, cut.step())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(config).run(
                    device, train, test, null, m, new PrintStream(OutputStream.nullOutputStream()), a, cut));
            assertTrue(e.getMessage().contains("holds " + (good.theta().length - 1) + " parameters")
                    && e.getMessage().contains("has " + good.theta().length), e.getMessage());
        }
    }
}
