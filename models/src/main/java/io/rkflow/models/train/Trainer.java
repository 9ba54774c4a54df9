package io.rkflow.models.train;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.models.data.Batches;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.nn.Mlp;
import io.rkflow.models.nn.MlpSpec;
import io.rkflow.solvers.optim.Optimizer;
import io.rkflow.solvers.optim.Spec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Trains an MLP with an optimizer of the {@link Spec} grammar: mini-batches in a seeded order per
 * epoch, one optimizer step per batch (or per s batches with {@code fresh_batch}), evaluation on
 * the test set at the end of every epoch, a one-line log every {@code logEvery} steps, and
 * metrics as CSV and JSONL.
 */
public final class Trainer {

    /** What to train and how. */
    public record Config(MlpSpec model, Spec optimizer, int epochs, int batch, long seed, int logEvery) {
        public Config {
            if (epochs < 1) {
                throw new IllegalArgumentException("--epochs " + epochs + " must be at least 1");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("--batch " + batch + " must be at least 1");
            }
            if (logEvery < 1) {
                throw new IllegalArgumentException("--log-every " + logEvery + " must be at least 1");
            }
        }
    }

    /** How a run ended. */
    public record Summary(double testAccuracy, double testLoss, long steps, long gradientEvaluations,
            double seconds) {}

    private final Config config;

    public Trainer(Config config) {
        this.config = config;
    }

    /**
     * Trains on {@code train}, evaluates on {@code test}, writes metrics with {@code metrics}.
     *
     * @throws Optimizer.NonFiniteException when the loss or θ becomes NaN or infinite
     */
    public Summary run(Device device, Dataset train, Dataset test, Metrics metrics, PrintStream log)
            throws IOException {
        MlpSpec spec = config.model();
        if (train.features() != spec.inputs()) {
            throw new IllegalArgumentException("model " + spec + " takes " + spec.inputs() + " inputs but "
                    + train.name() + " has " + train.features() + " features");
        }
        if (train.classes() > spec.outputs()) {
            throw new IllegalArgumentException("model " + spec + " has " + spec.outputs() + " outputs but "
                    + train.name() + " has " + train.classes() + " classes");
        }
        Spec optimizerSpec = config.optimizer();
        int slots = optimizerSpec.freshBatch() && optimizerSpec.tableau() != null
                ? optimizerSpec.tableau().stages() : 1;
        Batches batches = new Batches(train.rows(), config.batch(), config.seed());
        int stepsPerEpoch = batches.batchesPerEpoch() / slots;
        if (stepsPerEpoch < 1) {
            throw new IllegalArgumentException("--batch " + config.batch() + " with " + slots + " batches per step"
                    + " leaves no full step in " + train.rows() + " training rows");
        }
        Mlp model = new Mlp(device, spec, config.batch(), slots);
        FloatBuffer theta = device.allocFloat("theta", model.dimension());
        theta.write(model.initialParameters(config.seed()));
        float[] xHost = new float[config.batch() * spec.inputs()];
        int[] yHost = new int[config.batch()];
        long start = System.nanoTime();
        long step = 0;
        Evaluator.Result last = null;
        try (Optimizer optimizer = Optimizer.create(optimizerSpec, model, theta.all());
                Evaluator evaluator = new Evaluator(device, spec, theta.all(), test, 1000)) {
            log.printf(Locale.ROOT, "training %s (%,d parameters) with %s on %s: %d epochs of %d steps, batch %d%n",
                    spec, model.dimension(), optimizerSpec, device.id(), config.epochs(), stepsPerEpoch,
                    config.batch());
            long windowStart = System.nanoTime();
            long windowSteps = 0;
            double windowLoss = 0;
            for (int epoch = 0; epoch < config.epochs(); epoch++) {
                for (int b = 0; b < stepsPerEpoch; b++) {
                    for (int slot = 0; slot < slots; slot++) {
                        batches.fill(train, epoch, b * slots + slot, xHost, yHost);
                        model.writeBatch(slot, xHost, yHost);
                    }
                    Optimizer.StepReport report = optimizer.step();
                    step++;
                    windowSteps++;
                    windowLoss += report.loss();
                    boolean epochEnd = b == stepsPerEpoch - 1;
                    if (step % config.logEvery() == 0 || epochEnd) {
                        Evaluator.Result eval = epochEnd ? evaluator.evaluate() : null;
                        if (eval != null) {
                            last = eval;
                        }
                        double ms = (System.nanoTime() - windowStart) / 1e6 / windowSteps;
                        Optimizer.Counters c = optimizer.counters();
                        Metrics.Row row = new Metrics.Row(step, epoch + (b + 1.0) / stepsPerEpoch,
                                windowLoss / windowSteps, eval == null ? Double.NaN : eval.accuracy(),
                                eval == null ? Double.NaN : eval.loss(), report.h(), c.gradientEvaluations(),
                                c.accepted(), c.rejected(), ms, config.batch() * slots * 1000.0 / ms);
                        metrics.write(row);
                        log.println(row.logLine());
                        windowStart = System.nanoTime();
                        windowSteps = 0;
                        windowLoss = 0;
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Optimizer.Counters c = optimizer.counters();
            return new Summary(last.accuracy(), last.loss(), step, c.gradientEvaluations(), seconds);
        }
    }
}
