package io.rkflow.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A run stopped at a checkpoint and resumed logs the same losses and ends with the same
 * parameters, bit for bit, as the run that was never interrupted (same device and thread count).
 */
class ResumeTest {

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"rk4+adagrad+dal(p=2,c=0.5)+momentum(0.9) | 12-16-3:tanh",
        "dopri5+h(0.3)+tol(rtol=1e-2,atol=1e-3) | 12-16-3:tanh", "adamw(lr=0.01) | 12-16-3:tanh",
        "heun+h(0.2)+fresh_batch | 12-16-3:tanh",
        // a CNN with dropout: the resumed run must draw the masks the uninterrupted one drew
        "rk4+h(0.1) | 3x4x1:conv(4,2,pad=1)-tanh-avgpool(2)-flatten-dropout(0.3)-dense(8)-relu-dense(3)"})
    void aResumedRunMatchesTheUninterruptedOneBitForBit(String optimizer, String model, @TempDir Path dir)
            throws IOException {
        Dataset train = Clusters.of(600, 12, 3, 1);
        Dataset test = Clusters.of(150, 12, 3, 2);
        Dataset validation = Clusters.of(90, 12, 3, 3);
        Spec spec = Spec.parse(optimizer);
        Trainer.Config whole = new Trainer.Config(ModelSpec.parse(model), spec, 3, 50, 5, 4, 0, 7, 5);
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Trainer.Summary uninterrupted;
        try (JvmDevice device = new JvmDevice(2); Metrics m = new Metrics(a, false)) {
            uninterrupted = new Trainer(whole).run(device, train, test, validation, m, QUIET, a, null);
        }
        long stopAt = uninterrupted.steps() / 2 + 1;
        Trainer.Config firstPart = new Trainer.Config(whole.model(), spec, 3, 50, 5, 4, stopAt, 7, 5);
        try (JvmDevice device = new JvmDevice(2); Metrics m = new Metrics(b, false)) {
            new Trainer(firstPart).run(device, train, test, validation, m, QUIET, b, null);
        }
        // A crashed continuation may have logged past the checkpoint: resume drops those rows.
        Files.writeString(b.resolve("metrics.csv"), "999,9,9,,,9,9,9,9,9,9\n", java.nio.file.StandardOpenOption.APPEND);
        Checkpoint cp = Checkpoint.read(b.resolve(Checkpoint.FILE));
        assertEquals(stopAt, cp.step());
        Trainer.Summary resumed;
        // as the command line does: the final-evaluation row of the stopped part is not a row of the whole run
        try (JvmDevice device = new JvmDevice(2);
                Metrics m = Metrics.resume(b, cp.step(), new Trainer(whole).logsRowAt(cp.step(), cp.batchInEpoch()))) {
            resumed = new Trainer(whole).run(device, train, test, validation, m, QUIET, b, cp);
        }
        assertArrayEquals(uninterrupted.theta(), resumed.theta(), "final parameters");
        assertEquals(uninterrupted.steps(), resumed.steps());
        assertEquals(uninterrupted.gradientEvaluations(), resumed.gradientEvaluations());
        assertEquals(withoutTimes(a), withoutTimes(b), "logged steps, losses, accuracies, h and counters");
    }

    /**
     * The CSV rows without the two timing columns (10 and 11), which no run reproduces, and the
     * last two, executes and kernels per step: averages over the log window, which restarts with the
     * process.
     */
    private static List<String> withoutTimes(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.csv")).stream()
                .filter(line -> !line.startsWith("step") || line.equals(Metrics.HEADER))
                .map(line -> line.substring(0, nthComma(line, 9))
                        + line.substring(nthComma(line, 11), line.lastIndexOf(',', line.lastIndexOf(',') - 1)))
                .toList();
    }

    private static int nthComma(String s, int n) {
        int at = -1;
        for (int i = 0; i < n; i++) {
            at = s.indexOf(',', at + 1);
        }
        return at;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 10, 100})
    void aDamagedCheckpointIsAnErrorNamingTheFile(int cut, @TempDir Path dir) throws IOException {
        Dataset train = Clusters.of(100, 4, 2, 1);
        Trainer.Config config = new Trainer.Config(ModelSpec.parse("4-3-2"), Spec.parse("rk4"), 1, 20, 1, 100);
        try (JvmDevice device = new JvmDevice(1); Metrics m = new Metrics(dir, false)) {
            new Trainer(config).run(device, train, train, null, m, QUIET, dir, null);
        }
        Path file = dir.resolve(Checkpoint.FILE);
        byte[] bytes = Files.readAllBytes(file);
        if (cut == 100) {
            bytes[bytes.length / 2] ^= 1; // a flipped bit
        } else {
            bytes = java.util.Arrays.copyOf(bytes, cut);
        }
        Files.write(file, bytes);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("damaged") || e.getMessage().contains("not an rkflow checkpoint"),
                e.getMessage());
    }
}
