package io.rkflow.train;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.models.data.Batches;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.nn.Network;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.solvers.optim.Optimizer;
import io.rkflow.solvers.optim.Spec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Trains an MLP with an optimizer of the {@link Spec} grammar: mini-batches in a seeded order per
 * epoch, one optimizer step per batch (or per s batches with {@code fresh_batch}), evaluation on
 * the test set at the end of every epoch, a one-line log every {@code logEvery} steps, and
 * metrics as CSV and JSONL.
 */
public final class Trainer {

    /**
     * What to train and how. {@code maxSteps} &gt; 0 stops after that many steps (counted from the
     * start of the run, also across a resume); {@code checkpointEvery} &gt; 0 writes a checkpoint every
     * that many steps, and one is always written at the end.
     */
    public record Config(ModelSpec model, Spec optimizer, int epochs, int batch, long seed, int logEvery,
            long maxSteps, int checkpointEvery, int evalEvery) {
        public Config(ModelSpec model, Spec optimizer, int epochs, int batch, long seed, int logEvery) {
            this(model, optimizer, epochs, batch, seed, logEvery, 0, 0, 0);
        }

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
            if (maxSteps < 0) {
                throw new IllegalArgumentException("--steps " + maxSteps + " must not be negative");
            }
            if (checkpointEvery < 0) {
                throw new IllegalArgumentException("--checkpoint-every " + checkpointEvery + " must not be negative");
            }
            if (evalEvery < 0) {
                throw new IllegalArgumentException("--eval-every " + evalEvery + " must not be negative");
            }
        }
    }

    /** How a run ended; test metrics are NaN when it stopped before the end of an epoch. */
    public record Summary(double testAccuracy, double testLoss, long steps, long gradientEvaluations,
            double seconds, float[] theta) {}

    /** Training rows the train accuracy is measured on at each evaluation (the first ones). */
    public static final int TRAIN_ACCURACY_ROWS = 10_000;

    private final Config config;
    private final Map<String, String> identity;
    private final float[] initialTheta;

    public Trainer(Config config) {
        this(config, Map.of());
    }

    /**
     * A trainer whose checkpoints also record {@code identity} (what the caller knows of the run
     * beyond its config: the validation split, the data set's identity, the run's id; see
     * {@link #settings()}), and whose resumes refuse a checkpoint that records other values.
     */
    public Trainer(Config config, Map<String, String> identity) {
        this(config, identity, null);
    }

    /**
     * As {@link #Trainer(Config, Map)}, a new run starting from {@code initialParameters} (θ in the
     * model's flat layout, e.g. {@code SafeTensors.parameters}) instead of the seeded
     * initialization when not null; the seed still orders the batches.
     */
    public Trainer(Config config, Map<String, String> identity, float[] initialParameters) {
        this.config = config;
        this.identity = new LinkedHashMap<>(identity);
        if (initialParameters != null && initialParameters.length != config.model().parameters()) {
            throw new IllegalArgumentException("the initial parameters are " + initialParameters.length
                    + " values, the model " + config.model() + " has " + config.model().parameters());
        }
        this.initialTheta = initialParameters == null ? null : initialParameters.clone();
    }

    /**
     * Every setting a resume must match, in a fixed order: model, optimizer (canonical), batch,
     * seed, log_every and eval_every (they place the metrics rows), then the caller's identity
     * entries. Epochs, --steps, --checkpoint-every, the device and the fusion level may change.
     */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("model", config.model().toString());
        s.put("optimizer", config.optimizer().toString());
        s.put("batch", String.valueOf(config.batch()));
        s.put("seed", String.valueOf(config.seed()));
        s.put("log_every", String.valueOf(config.logEvery()));
        s.put("eval_every", String.valueOf(config.evalEvery()));
        s.putAll(identity);
        return s;
    }

    /**
     * Whether this run logs a row at {@code step} by its own grid (every --log-every steps, epoch
     * ends, --eval-every steps), as opposed to the final row of a run stopped by --steps between
     * them; {@code batchInEpoch} is 0 at an epoch end (as a checkpoint records it).
     */
    public boolean logsRowAt(long step, int batchInEpoch) {
        return step % config.logEvery() == 0 || batchInEpoch == 0
                || config.evalEvery() > 0 && step % config.evalEvery() == 0;
    }

    /**
     * The step this run ends at on {@code train}: its --steps when they end it before its epochs do,
     * else epochs × steps per epoch.
     */
    public long lastStep(Dataset train, Dataset test, Dataset validation) {
        int slots = check(train, test, validation);
        long all = (long) config.epochs() * (new Batches(train.rows(), config.batch(), config.seed()).batchesPerEpoch()
                / slots);
        return config.maxSteps() > 0 ? Math.min(config.maxSteps(), all) : all;
    }

    /**
     * Checks that this run can start on these data sets, before anything is allocated or written:
     * the model's inputs match the features of every set, its outputs cover their classes, its
     * parameters fit a buffer, and the batch leaves at least one full step. Returns the batches per
     * step. Each failure names the option or the data set and both values.
     */
    public int check(Dataset train, Dataset test, Dataset validation) {
        ModelSpec spec = config.model();
        spec.parameters(); // throws when the model has more parameters than a buffer holds
        for (Dataset d : new Dataset[] {train, test, validation}) {
            if (d != null) {
                checkFits(spec, d.name(), d.features(), d.classes());
            }
        }
        if (config.batch() > train.rows()) {
            throw new IllegalArgumentException("--batch " + config.batch() + " is larger than the " + train.rows()
                    + " training rows of " + train.name());
        }
        Spec optimizerSpec = config.optimizer();
        int slots = optimizerSpec.freshBatch() && optimizerSpec.tableau() != null
                ? optimizerSpec.tableau().stages() : 1;
        Batches batches = new Batches(train.rows(), config.batch(), config.seed());
        if (batches.batchesPerEpoch() / slots < 1) {
            throw new IllegalArgumentException("--batch " + config.batch() + " with " + slots + " batches per step"
                    + " leaves no full step in " + train.rows() + " training rows");
        }
        return slots;
    }

    /**
     * Checks that the model takes rows of {@code features} and has an output for each of
     * {@code classes} classes; the error names the model, the data and both values.
     */
    public static void checkFits(ModelSpec spec, String data, int features, int classes) {
        if (features != spec.inputs()) {
            throw new IllegalArgumentException("model " + spec + " takes " + spec.inputs() + " inputs"
                    + (spec.input().flat() ? "" : " (a " + spec.input() + " image)") + " but " + data + " has "
                    + features + " features");
        }
        if (classes > spec.outputs()) {
            throw new IllegalArgumentException("model " + spec + " has " + spec.outputs() + " outputs but " + data
                    + " has " + classes + " classes");
        }
    }

    /** Trains from the start without checkpoints; see the full form. */
    public Summary run(Device device, Dataset train, Dataset test, Metrics metrics, PrintStream log)
            throws IOException {
        return run(device, train, test, null, metrics, log, null, null);
    }

    /**
     * Trains on {@code train}, evaluates on {@code test} (and {@code validation}, when not null,
     * rows held out of the training set) at every epoch end and every
     * {@code evalEvery} steps, writes metrics with {@code metrics} and checkpoints into
     * {@code runFolder} (when not null), continuing from {@code resume} when given. On a terminal,
     * a progress bar runs between log lines.
     *
     * @throws Optimizer.NonFiniteException when the loss or θ becomes NaN or infinite; the last
     *     checkpoint written is left as it was
     */
    public Summary run(Device device, Dataset train, Dataset test, Dataset validation, Metrics metrics,
            PrintStream log, Path runFolder, Checkpoint resume) throws IOException {
        ModelSpec spec = config.model();
        int slots = check(train, test, validation);
        Spec optimizerSpec = config.optimizer();
        Batches batches = new Batches(train.rows(), config.batch(), config.seed());
        int stepsPerEpoch = batches.batchesPerEpoch() / slots;
        Network model = new Network(device, spec, config.batch(), slots);
        FloatBuffer theta = device.allocFloat("theta", model.dimension());
        float[] xHost = new float[config.batch() * spec.inputs()];
        int[] yHost = new int[config.batch()];
        long start = System.nanoTime();
        long step = 0;
        int firstEpoch = 0;
        int firstBatch = 0;
        long windowSteps = 0;
        double windowLoss = 0;
        Evaluator.Result last = new Evaluator.Result(Double.NaN, Double.NaN);
        try (Optimizer optimizer = Optimizer.create(optimizerSpec, model, theta.all());
                Evaluator evaluator = new Evaluator(device, spec, theta.all(), test, 1000);
                Evaluator validator = validation == null ? null
                        : new Evaluator(device, spec, theta.all(), validation, 1000);
                Evaluator trainer = new Evaluator(device, spec, theta.all(),
                        train.slice(0, Math.min(TRAIN_ACCURACY_ROWS, train.rows())), 1000)) {
            if (resume != null) {
                checkSettings(resume, model.dimension());
                theta.write(resume.theta());
                optimizer.restore(resume.optimizerState());
                step = resume.step();
                firstEpoch = resume.epoch();
                firstBatch = resume.batchInEpoch();
                windowSteps = resume.windowSteps();
                windowLoss = resume.windowLoss();
                log.printf(Locale.ROOT, "resuming at step %d (epoch %d, batch %d)%n", step, firstEpoch, firstBatch);
            } else {
                theta.write(initialTheta != null ? initialTheta : model.initialParameters(config.seed()));
            }
            long allSteps = (long) config.epochs() * stepsPerEpoch;
            long totalSteps = config.maxSteps() > 0 ? Math.min(config.maxSteps(), allSteps) : allSteps;
            String length = config.maxSteps() > 0 && config.maxSteps() < allSteps
                    ? String.format(Locale.ROOT, "%d steps (--steps; %d per epoch)", totalSteps, stepsPerEpoch)
                    : String.format(Locale.ROOT, "%d epochs of %d steps", config.epochs(), stepsPerEpoch);
            log.printf(Locale.ROOT, "training %s (%,d parameters) with %s on %s (fusion %s): %s, batch %d%n", spec,
                    model.dimension(), optimizerSpec, device.id(), device.fusion().label(), length, config.batch());
            if (resume == null) {
                // step 0: the initial weights, evaluated before training, so that curves start where the
                // run does (the loss column is the training loss on the train-accuracy rows)
                Evaluator.Result initial = evaluator.evaluate();
                Evaluator.Result initialTrain = trainer.evaluate();
                double validationAccuracy = validator != null ? validator.evaluate().accuracy() : Double.NaN;
                Metrics.Row row = new Metrics.Row(0, 0, initialTrain.loss(), initial.accuracy(), initial.loss(),
                        Double.NaN, 0, 0, 0, Double.NaN, Double.NaN, validationAccuracy, initialTrain.accuracy(),
                        Double.NaN, Double.NaN);
                metrics.write(row);
                log.println(String.format(Locale.ROOT, "step %6d | epoch %6.2f | loss %.4f | train acc %5.2f%% | test"
                        + " acc %5.2f%% | the initial weights, before training%s", 0, 0.0, initialTrain.loss(),
                        100 * initialTrain.accuracy(), 100 * initial.accuracy(), Double.isNaN(validationAccuracy) ? ""
                        : String.format(Locale.ROOT, " | validation acc %5.2f%%", 100 * validationAccuracy)));
                last = initial;
            }
            Progress progress = Progress.on(log);
            long windowStart = System.nanoTime();
            long timedSteps = 0;
            long windowExecutes = 0; // plan executions of the training steps since the last log line
            long windowKernels = 0;  // and the kernels they ran
            boolean stop = false;
            Metrics.Row lastRow = null; // the last row written on the grid
            for (int epoch = firstEpoch; epoch < config.epochs() && !stop; epoch++) {
                for (int b = epoch == firstEpoch ? firstBatch : 0; b < stepsPerEpoch && !stop; b++) {
                    for (int slot = 0; slot < slots; slot++) {
                        batches.fill(train, epoch, b * slots + slot, xHost, yHost);
                        model.writeBatch(slot, xHost, yHost);
                    }
                    model.writeStep(config.seed(), step); // the dropout masks of this step, if any
                    long executesBefore = device.executions();
                    long kernelsBefore = device.kernels();
                    Optimizer.StepReport report = optimizer.step();
                    windowExecutes += device.executions() - executesBefore;
                    windowKernels += device.kernels() - kernelsBefore;
                    step++;
                    windowSteps++;
                    timedSteps++;
                    windowLoss += report.loss();
                    boolean epochEnd = b == stepsPerEpoch - 1;
                    stop = config.maxSteps() > 0 && step >= config.maxSteps();
                    // Rows are logged at fixed steps only, so that a run stopped by --steps and resumed
                    // logs exactly the rows of an uninterrupted run.
                    boolean evalDue = epochEnd || config.evalEvery() > 0 && step % config.evalEvery() == 0;
                    if (logsRowAt(step, epochEnd ? 0 : b + 1)) { // batchInEpoch as the checkpoint records it
                        progress.clear();
                        // Training time only: the evaluations below are not part of a step.
                        double ms = (System.nanoTime() - windowStart) / 1e6 / Math.max(1, timedSteps);
                        Evaluator.Result eval = evalDue ? evaluator.evaluate() : null;
                        double validationAccuracy = evalDue && validator != null ? validator.evaluate().accuracy()
                                : Double.NaN;
                        double trainAccuracy = evalDue ? trainer.evaluate().accuracy() : Double.NaN;
                        if (eval != null) {
                            last = eval;
                        }
                        Optimizer.Counters c = optimizer.counters();
                        Metrics.Row row = new Metrics.Row(step, epoch + (b + 1.0) / stepsPerEpoch,
                                windowLoss / windowSteps, eval == null ? Double.NaN : eval.accuracy(),
                                eval == null ? Double.NaN : eval.loss(), report.h(), c.gradientEvaluations(),
                                c.accepted(), c.rejected(), ms, config.batch() * slots * 1000.0 / ms,
                                validationAccuracy, trainAccuracy, (double) windowExecutes / Math.max(1, timedSteps),
                                (double) windowKernels / Math.max(1, timedSteps));
                        metrics.write(row);
                        log.println(row.logLine());
                        lastRow = row;
                        windowStart = System.nanoTime();
                        windowSteps = 0;
                        timedSteps = 0;
                        windowExecutes = 0;
                        windowKernels = 0;
                        windowLoss = 0;
                    }
                    if (stop && !evalDue) {
                        // The run ends off the evaluation grid: one more row, the final evaluation, so that
                        // the metrics end where the run does. It leaves the loss window as it is (a resumed
                        // run's next row averages the same steps as an uninterrupted run's), and a resume
                        // drops it (Metrics.resume, regularAt false), so resumed rows match uninterrupted ones.
                        progress.clear();
                        last = evaluator.evaluate();
                        double validationAccuracy = validator != null ? validator.evaluate().accuracy() : Double.NaN;
                        double trainAccuracy = trainer.evaluate().accuracy();
                        Optimizer.Counters c = optimizer.counters();
                        boolean fresh = timedSteps > 0 || lastRow == null; // steps since the last row, or none
                        double ms = (System.nanoTime() - windowStart) / 1e6 / Math.max(1, timedSteps);
                        Metrics.Row row = new Metrics.Row(step, epoch + (b + 1.0) / stepsPerEpoch,
                                windowSteps > 0 ? windowLoss / windowSteps : lastRow.loss(), last.accuracy(),
                                last.loss(), report.h(), c.gradientEvaluations(), c.accepted(), c.rejected(),
                                fresh ? ms : lastRow.msPerStep(),
                                fresh ? config.batch() * slots * 1000.0 / ms : lastRow.samplesPerSecond(),
                                validationAccuracy, trainAccuracy,
                                fresh ? (double) windowExecutes / Math.max(1, timedSteps) : lastRow.executesPerStep(),
                                fresh ? (double) windowKernels / Math.max(1, timedSteps) : lastRow.kernelsPerStep());
                        metrics.write(row);
                        log.println(row.logLine());
                    }
                    progress.show(step, totalSteps);
                    boolean finalStep = stop || epochEnd && epoch == config.epochs() - 1;
                    boolean due = config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0;
                    if (runFolder != null && (finalStep || due)) {
                        new Checkpoint(settings(),
                                epochEnd ? epoch + 1 : epoch, epochEnd ? 0 : b + 1, step, theta.read(),
                                optimizer.state(), windowSteps, windowLoss).write(runFolder.resolve(Checkpoint.FILE));
                    }
                }
            }
            progress.clear();
            double seconds = (System.nanoTime() - start) / 1e9;
            Optimizer.Counters c = optimizer.counters();
            return new Summary(last.accuracy(), last.loss(), step, c.gradientEvaluations(), seconds, theta.read());
        }
    }

    /**
     * The settings in which {@code checkpoint} and {@code run} differ, each as "name: checkpoint's
     * value, this run's value" (a setting one of them lacks reads "(none)"), joined by "; "; empty
     * when they agree.
     */
    public static String differences(Map<String, String> checkpoint, Map<String, String> run) {
        java.util.Set<String> keys = new java.util.LinkedHashSet<>(checkpoint.keySet());
        keys.addAll(run.keySet());
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String key : keys) {
            String theirs = checkpoint.getOrDefault(key, "(none)");
            String mine = run.getOrDefault(key, "(none)");
            if (!theirs.equals(mine)) {
                out.add(key + ": the checkpoint's " + theirs + ", this run's " + mine);
            }
        }
        return String.join("; ", out);
    }

    /** {mean loss, accuracy} of the MLP at θ over a whole data set. */
    public static double[] evaluate(Device device, ModelSpec spec, float[] theta, Dataset data) {
        FloatBuffer t = device.allocFloat("theta", theta.length);
        t.write(theta);
        try (Evaluator e = new Evaluator(device, spec, t.all(), data, 1000)) {
            Evaluator.Result r = e.evaluate();
            return new double[] {r.loss(), r.accuracy()};
        }
    }

    private void checkSettings(Checkpoint cp, int parameters) {
        String differences = differences(cp.settings(), settings());
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("the checkpoint was written by a run with other settings: "
                    + differences + "; resume with the same settings or start a new run");
        }
        if (cp.theta().length != parameters) {
            throw new IllegalArgumentException("the checkpoint holds " + cp.theta().length + " parameters, but its model "
                    + cp.model() + " has " + parameters + "; it is damaged or was written by another version of rkflow");
        }
    }
}
