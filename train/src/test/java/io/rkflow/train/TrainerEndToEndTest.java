package io.rkflow.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rkflow.kernels.jvm.JvmDevice;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.data.FashionMnist;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.solvers.optim.Spec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on the real Fashion-MNIST, where it is installed: $RKFLOW_DATA, Debian's
 * dataset-fashion-mnist package (.ci/run installs it) or the user cache {@code ./rkflow train}
 * downloads it into. One epoch of RK4 on a small MLP must pass 80% test accuracy, and the
 * metrics files must hold the logged steps.
 */
class TrainerEndToEndTest {

    static Dataset train;
    static Dataset test;

    @BeforeAll
    static void load() throws IOException {
        Path folder = FashionMnist.findInstalled(System.getenv());
        assumeTrue(folder != null, "Fashion-MNIST is not installed ($RKFLOW_DATA, the dataset-fashion-mnist package or"
                + " the user cache ./rkflow train fills): skipping end-to-end training");
        Dataset[] sets = FashionMnist.load(folder);
        float mean = sets[0].mean();
        float std = sets[0].std();
        train = sets[0].standardized(mean, std);
        test = sets[1].standardized(mean, std);
    }

    @Test
    void oneEpochOfRk4ReachesEightyPercentAndWritesMetrics(@TempDir Path dir) throws IOException {
        Trainer.Config config = new Trainer.Config(ModelSpec.parse("784-128-10:relu"), Spec.parse("rk4+h(0.1)"), 1, 128,
                3, 100);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Trainer.Summary s;
        try (JvmDevice device = new JvmDevice(2); Metrics metrics = new Metrics(dir, false)) {
            s = new Trainer(config).run(device, train, test, metrics, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        }
        assertTrue(s.testAccuracy() > 0.80, "test accuracy " + s.testAccuracy());
        assertEquals(468, s.steps());
        assertEquals(4 * 468, s.gradientEvaluations());
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        assertEquals(Metrics.HEADER, csv.get(0));
        assertEquals(1 + 6, csv.size(), "the initial evaluation, four log lines at steps 100..400 and the epoch end: "
                + csv);
        assertTrue(csv.get(1).startsWith("0,0.0000,"), csv.get(1));
        double initialAccuracy = Double.parseDouble(csv.get(1).split(",")[3]);
        assertTrue(initialAccuracy < 0.3, "the initial weights guess: " + csv.get(1));
        assertTrue(csv.get(6).startsWith("468,1.0000,"), csv.get(6));
        assertEquals(6, Files.readAllLines(dir.resolve("metrics.jsonl")).size());
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("test acc"), bytes.toString(StandardCharsets.UTF_8));
        IOException again = assertThrows(IOException.class, () -> new Metrics(dir, false));
        assertTrue(again.getMessage().contains("--force"), again.getMessage());
    }
}
