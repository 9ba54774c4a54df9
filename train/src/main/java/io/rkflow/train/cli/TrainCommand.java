package io.rkflow.train.cli;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.data.Standardization;
import io.rkflow.models.io.SafeTensors;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.train.Checkpoint;
import io.rkflow.train.Metrics;
import io.rkflow.train.RunLock;
import io.rkflow.train.RunRecord;
import io.rkflow.train.Trainer;
import io.rkflow.solvers.optim.Optimizer;
import io.rkflow.solvers.optim.Spec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train an MLP or a CNN on Fashion-MNIST (or a --data folder of IDX, CSV or NPY data) with a Runge-Kutta"
                + " optimizer.",
            "Optimizers are named by the grammar method+ingredient+..., e.g. rk4+adagrad+dal(p=2,c=0.5)+momentum(0.9);",
            "see the README for every method and ingredient."})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--model", defaultValue = "784-256-256-10:relu", description = "Model: MLP widths and activation, or a layer stack such as"
            + " 28x28x1:conv(32,3,pad=1)-relu-maxpool(2)-flatten-dense(10) (README: Models; default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--optimizer", defaultValue = "rk4+h(0.1)", description = "Optimizer spec (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}); the last partial batch of an epoch is dropped.")
    int batch;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the initial weights (unless --init) and the batch order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", defaultValue = "jvm", description = "Device id, see 'rkflow devices' (default: ${DEFAULT-VALUE}).")
    String device;

    @picocli.CommandLine.Mixin
    DataOption data;

    @picocli.CommandLine.Mixin
    CsvOptions csv;

    @Option(names = "--standardize", defaultValue = "global", paramLabel = "global|per-feature|none", description = "Input standardization, fitted on the training set (its held-out validation rows included) and applied to every set: one mean and std over all values (global), one per feature (per-feature; a constant feature is only centred), or none (default: ${DEFAULT-VALUE}).")
    String standardize;

    @picocli.CommandLine.Mixin
    FusionOption fusion;

    @Option(names = "--out", description = "Run folder for metrics (default: runs/<date-time>).")
    Path out;

    @Option(names = "--force", description = "Replace an earlier run in --out: its checkpoint, weights, run.json, metrics and TensorBoard events.")
    boolean force;

    @Option(names = "--log-every", defaultValue = "100", description = "Steps between log lines (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--steps", defaultValue = "0", description = "Stop after this many steps in all (default: run all epochs).")
    long steps;

    @Option(names = "--validation", defaultValue = "0", paramLabel = "ROWS", description = "Hold this many training rows out (a seeded split) and report their accuracy at every evaluation (default: none).")
    int validation;

    @Option(names = "--eval-every", defaultValue = "0", description = "Also evaluate on the test set every this many steps (default: at epoch ends only).")
    int evalEvery;

    @Option(names = "--checkpoint-every", defaultValue = "500", description = "Steps between checkpoints (default: ${DEFAULT-VALUE}); one is always written at the end.")
    int checkpointEvery;

    @Option(names = "--init", paramLabel = "FILE.safetensors", description = "Start from these weights instead of the"
            + " seeded initialization: a safetensors file of layers.<l>.weight [out, in] and layers.<l>.bias [out] (as"
            + " model.safetensors, or nn.Sequential's <i>.weight and <i>.bias), F32, F64, F16 or BF16, checked against"
            + " --model by name and shape; run.json records its path and SHA-256.")
    Path init;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR from its checkpoint, bit for bit; its model, optimizer, batch and seed apply.")
    Path resume;

    /** Not options: the step size is part of --optimizer; these say so instead of "Unknown options". */
    @Option(names = {"--lr", "--learning-rate", "--h", "--step-size"}, hidden = true, paramLabel = "VALUE")
    String stepSize;

    /** Not an option either: -o reads as "output"; the run folder is --out and the optimizer --optimizer. */
    @Option(names = "-o", hidden = true, paramLabel = "VALUE")
    String shortO;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() throws Exception {
        if (stepSize != null) {
            throw new IllegalArgumentException("there is no step-size option: the step size is part of --optimizer,"
                    + " e.g. --optimizer 'rk4+h(" + stepSize + ")' or --optimizer 'adam(lr=" + stepSize + ")'");
        }
        if (shortO != null) {
            throw new IllegalArgumentException("-o is not an option: the run folder is --out " + shortO
                    + ", the optimizer --optimizer " + shortO);
        }
        PrintStream log = out();
        Checkpoint checkpoint = null;
        if (resume != null) {
            checkpoint = Checkpoint.read(resume.resolve(Checkpoint.FILE));
            data.recorded = RecordedData.read(resume);
            // absent in the checkpoint: global, the only standardization before there was a choice
            standardize = fromCheckpoint("--standardize", standardize,
                    checkpoint.settings().getOrDefault("standardize", Standardization.Mode.GLOBAL.label()));
            model = fromCheckpoint("--model", model, checkpoint.model());
            optimizer = fromCheckpoint("--optimizer", optimizer, checkpoint.optimizer());
            batch = Integer.parseInt(fromCheckpoint("--batch", String.valueOf(batch), String.valueOf(checkpoint.batch())));
            seed = Long.parseLong(fromCheckpoint("--seed", String.valueOf(seed), String.valueOf(checkpoint.seed())));
            validation = Integer.parseInt(fromCheckpoint("--validation", String.valueOf(validation),
                    checkpoint.settings().getOrDefault("validation", String.valueOf(validation))));
            logEvery = Integer.parseInt(fromCheckpoint("--log-every", String.valueOf(logEvery),
                    checkpoint.settings().getOrDefault("log_every", String.valueOf(logEvery))));
            evalEvery = Integer.parseInt(fromCheckpoint("--eval-every", String.valueOf(evalEvery),
                    checkpoint.settings().getOrDefault("eval_every", String.valueOf(evalEvery))));
            if (out != null && !out.toAbsolutePath().normalize().equals(resume.toAbsolutePath().normalize())) {
                throw new IllegalArgumentException("--out " + out + " and --resume " + resume + " differ; a resumed run"
                        + " continues in its own folder");
            }
            out = resume;
        }
        ModelSpec modelSpec = ModelSpec.parse(model);
        Spec optimizerSpec = Spec.parse(optimizer);
        SafeTensors.Contents initial = initialWeights(checkpoint);
        float[] initialTheta = initial == null ? null : SafeTensors.parameters(initial, modelSpec);
        if (initial != null && initial.metadata().containsKey("model")
                && !initial.metadata().get("model").equals(modelSpec.toString())) {
            log.printf(Locale.ROOT, "note: --init %s was exported by a run of %s; this run is %s%n", init,
                    initial.metadata().get("model"), modelSpec);
        }
        Trainer.Config config = new Trainer.Config(modelSpec, optimizerSpec, epochs, batch, seed, logEvery, steps,
                checkpointEvery, evalEvery);
        if (out != null && Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file, not a folder; name a folder for the run");
        }
        data.shared = sharedData;
        data.mode = Standardization.Mode.parse(standardize);
        data.csv = csv.options(data.recorded, modelSpec);
        data.csvGiven = csv.given();
        Dataset[] sets = data.load(log);
        Dataset train = sets[0];
        Dataset test = sets[1];
        Dataset held = null;
        if (checkpoint != null && checkpoint.setting("data") != null && !checkpoint.setting("data").equals(data.identity)) {
            throw new IllegalArgumentException("the data in " + data.folder + " is not the data the run in " + resume
                    + " was trained on: this data is " + data.identity + ", the run's was "
                    + checkpoint.setting("data") + "; resume it on its own data (--data), or start a new run");
        }
        if (validation < 0 || validation >= train.rows()) {
            throw new IllegalArgumentException("--validation " + validation + " must be in [0, " + train.rows() + ")");
        }
        if (validation > 0) {
            Dataset[] parts = train.split(validation, seed);
            train = parts[0];
            held = parts[1];
        }
        Path runFolder = out != null ? out
                : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        io.rkflow.kernels.Fusion level = fusion.level(); // checked before any file is made
        String runId = checkpoint != null && checkpoint.setting("run_id") != null ? checkpoint.setting("run_id")
                : RunRecord.newRunId();
        Map<String, String> identity = new LinkedHashMap<>();
        identity.put("validation", String.valueOf(validation));
        identity.put("data", data.identity);
        if (data.mode != Standardization.Mode.GLOBAL) { // absent means global, as in every earlier checkpoint
            identity.put("standardize", data.mode.label());
        }
        identity.put("run_id", runId);
        if (optimizerSpec.tableauFile() != null) { // the path alone would not see an edited file
            identity.put("tableau_sha256", optimizerSpec.tableau().fingerprint());
        }
        // absent: the seeded initialization; a resume keeps the checkpoint's (checked in initialWeights)
        String initSha = initial != null ? initial.sha256() : checkpoint != null ? checkpoint.setting(INIT) : null;
        if (initSha != null) {
            identity.put(INIT, initSha);
        }
        Trainer trainer = new Trainer(config, identity, initialTheta);
        long lastStep = trainer.lastStep(train, test, held); // checks the model, data and batch too
        if (checkpoint != null && checkpoint.step() >= lastStep) {
            // a finished run stays as it is: no step, no rewritten metrics, checkpoint or weights
            log.printf(Locale.ROOT, "the run in %s is at step %d, and this run ends at step %d: nothing to do (give a"
                    + " larger --steps or --epochs to train on)%n", runFolder, checkpoint.step(), lastStep);
            return 0;
        }
        if (checkpoint != null) {
            String recorded = RunRecord.runId(runFolder);
            if (recorded != null && !recorded.equals(runId)) {
                throw new IllegalArgumentException("the checkpoint in " + runFolder + " belongs to an earlier run (id "
                        + runId + ") than the folder's metrics and " + RunRecord.FILE + " (run " + recorded + "): a"
                        + " run started there with --force stopped before its first checkpoint; start it again with"
                        + " --force");
            }
            String differences = Trainer.differences(checkpoint.settings(), trainer.settings());
            if (!differences.isEmpty()) {
                throw new IllegalArgumentException("the checkpoint in " + runFolder + " was written by a run with"
                        + " other settings: " + differences + "; resume with the same settings or start a new run");
            }
        }
        RunRecord record = null;
        long reached = checkpoint != null ? checkpoint.step() : 0;
        try (Device dev = Devices.open(device);
                RunLock lock = RunLock.acquire(runFolder)) { // one writer per run folder
            dev.fusion(level);
            if (checkpoint == null && force) {
                // the earlier run's files go first: its checkpoint must never continue on top of this run
                for (String f : new String[] {Checkpoint.FILE, WEIGHTS, RunRecord.FILE}) {
                    Files.deleteIfExists(runFolder.resolve(f));
                }
            }
            try (Metrics metrics = checkpoint != null ? Metrics.resume(runFolder, checkpoint.step(),
                    trainer.logsRowAt(checkpoint.step(), checkpoint.batchInEpoch()))
                    : new Metrics(runFolder, force)) {
                Map<String, Object> settings = recordSettings(modelSpec, optimizerSpec, dev, level);
                if (initial != null) { // a resume keeps the record's, as its checkpoint keeps the hash
                    Map<String, String> from = new LinkedHashMap<>();
                    from.put("file", init.toAbsolutePath().normalize().toString());
                    from.put("sha256", initial.sha256());
                    settings.put("init", from);
                }
                Map<String, Object> dataRecord = data.record(sets[0]);
                List<String> commandLine = new java.util.ArrayList<>();
                commandLine.add("rkflow"); // the original arguments start with the subcommand
                commandLine.addAll(command.commandLine().getParseResult().originalArgs());
                record = checkpoint != null
                        ? RunRecord.resume(runFolder, runId, commandLine, settings, dataRecord, checkpoint.step())
                        : RunRecord.start(runFolder, runId, commandLine, settings, dataRecord);
                Trainer.Summary s = trainer.run(dev, train, test, held, metrics, log, runFolder, checkpoint);
                reached = s.steps();
                Path weights = runFolder.resolve(WEIGHTS);
                Map<String, String> metadata = new LinkedHashMap<>(); // a fixed order: identical runs, identical files
                metadata.put("model", modelSpec.toString());
                metadata.put("optimizer", optimizerSpec.toString());
                metadata.put("seed", String.valueOf(seed));
                metadata.put("steps", String.valueOf(s.steps()));
                if (initSha != null) {
                    metadata.put(INIT, initSha);
                }
                metadata.put("test_accuracy", String.format(Locale.ROOT, "%.4f", s.testAccuracy()));
                metadata.putAll(data.metadata(sets[0]));
                metadata.put("data", data.identity);
                SafeTensors.write(weights, modelSpec, s.theta(), metadata);
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("step", s.steps());
                result.put("test_accuracy", finite(s.testAccuracy()));
                result.put("test_loss", finite(s.testLoss()));
                result.put("gradient_evaluations", s.gradientEvaluations());
                result.put("seconds", s.seconds());
                record.finished(result, s.steps());
                log.printf(Locale.ROOT, "test accuracy %.2f%% (loss %.4f) after %d steps, %d gradient evaluations,"
                        + " %.1f s%nmetrics: %s, %s, %s (TensorBoard)%ncheckpoint: %s (continue with --resume %s)%nweights: %s"
                        + " (safetensors)%nrecord: %s%n", 100 * s.testAccuracy(), s.testLoss(), s.steps(),
                        s.gradientEvaluations(), s.seconds(), runFolder.resolve("metrics.csv"),
                        runFolder.resolve("metrics.jsonl"), metrics.eventsFile(), runFolder.resolve(Checkpoint.FILE), runFolder, weights,
                        runFolder.resolve(RunRecord.FILE));
                return 0;
            }
        } catch (Optimizer.NonFiniteException | Optimizer.StepSizeException | Optimizer.StageSolverException e) {
            stopped(record, "stopped", e.getMessage(), runFolder);
            err().println("rkflow train: the run stopped: " + e.getMessage());
            err().println(afterStop(runFolder));
            return 3;
        } catch (Exception | OutOfMemoryError e) {
            stopped(record, "failed", String.valueOf(e.getMessage()), runFolder);
            throw e;
        }
    }

    static final String WEIGHTS = "model.safetensors";

    /** The checkpoint setting (and weights metadata key) of the --init file's SHA-256; absent: seeded weights. */
    static final String INIT = "init_sha256";

    /**
     * The --init file of a new run, read and validated; null without one, and on a resume, which
     * continues from its checkpoint and refuses an explicit --init other than the one it started from.
     */
    private SafeTensors.Contents initialWeights(Checkpoint checkpoint) throws IOException {
        if (init == null) {
            return null;
        }
        SafeTensors.Contents contents = SafeTensors.read(init);
        if (checkpoint == null) {
            return contents;
        }
        String saved = checkpoint.setting(INIT);
        if (!contents.sha256().equals(saved)) {
            throw new IllegalArgumentException("--init " + init + " (SHA-256 " + contents.sha256() + ") differs from"
                    + " the checkpoint's " + (saved == null ? "start, the seeded initialization (no --init)"
                    : "--init file (SHA-256 " + saved + ")") + "; a resumed run continues from its checkpoint (drop"
                    + " --init)");
        }
        return null;
    }

    /** Whether the data is loaded once per JVM and shared with other runs (a sweep's points). */
    boolean sharedData;

    /** Where the run's log goes: stdout, or a sweep point's log file. */
    PrintStream log;
    /** Where a stopped run says why: stderr, or a sweep point's log file. */
    PrintStream errors;

    private PrintStream out() {
        return log != null ? log : System.out;
    }

    private PrintStream err() {
        return errors != null ? errors : System.err;
    }

    /** Records how a run ended in its run.json, when it has one; a failure to write it is not the news. */
    private void stopped(RunRecord record, String status, String reason, Path runFolder) {
        if (record == null) {
            return;
        }
        long step = -1;
        try {
            step = Checkpoint.read(runFolder.resolve(Checkpoint.FILE)).step();
        } catch (IOException | RuntimeException e) {
            // no checkpoint: the record says -1
        }
        try {
            record.stopped(status, reason, step);
        } catch (IOException | RuntimeException e) {
            err().println("rkflow train: could not update " + runFolder.resolve(RunRecord.FILE) + ": "
                    + e.getMessage());
        }
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** Every resolved setting of this run, for run.json. */
    private Map<String, Object> recordSettings(ModelSpec modelSpec, Spec optimizerSpec, Device dev,
            io.rkflow.kernels.Fusion level) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", modelSpec.toString());
        m.put("optimizer", optimizerSpec.toString());
        m.put("batch", batch);
        m.put("seed", seed);
        m.put("epochs", epochs);
        m.put("steps", steps);
        m.put("validation", validation);
        m.put("log_every", logEvery);
        m.put("eval_every", evalEvery);
        m.put("checkpoint_every", checkpointEvery);
        m.put("device", dev.id());
        m.put("device_description", dev.description());
        m.put("fusion", level.label());
        return m;
    }

    /** What a stopped run left: its metrics, and which checkpoint (step, last logged loss) if any. */
    static String afterStop(Path runFolder) {
        Path file = runFolder.resolve(Checkpoint.FILE);
        if (!Files.isRegularFile(file)) {
            return "metrics up to the last log line are in " + runFolder + "; no checkpoint was written before the"
                    + " run stopped (lower --checkpoint-every to keep one sooner), so it cannot be resumed";
        }
        long step;
        try {
            step = Checkpoint.read(file).step();
        } catch (IOException | RuntimeException e) {
            return "metrics up to the last log line are in " + runFolder + "; its checkpoint is unreadable: "
                    + e.getMessage();
        }
        String loss = "";
        try {
            io.rkflow.train.plot.MetricsFile metrics = io.rkflow.train.plot.MetricsFile.read(runFolder);
            double[] steps = metrics.column("step");
            double[] losses = metrics.column("loss");
            for (int i = 0; i < steps.length; i++) {
                if (steps[i] <= step) {
                    loss = String.format(Locale.ROOT, ", loss %.6g at its last log line (step %d)", losses[i],
                            (long) steps[i]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the step alone still helps
        }
        return "metrics up to the last log line are in " + runFolder + "; the last good checkpoint there holds step "
                + step + loss + "; --resume continues from it with the same settings (a smaller step size needs a"
                + " new run)";
    }

    /** With --resume the checkpoint's setting applies; an explicit different value is an error. */
    private String fromCheckpoint(String option, String given, String saved) {
        if (command.commandLine().getParseResult().hasMatchedOption(option) && !normalize(option, given).equals(saved)) {
            throw new IllegalArgumentException(option + " " + given + " differs from the checkpoint's " + saved
                    + "; a resumed run keeps its settings (drop " + option + ")");
        }
        return saved;
    }

    private static String normalize(String option, String value) {
        return switch (option) {
            case "--model" -> ModelSpec.parse(value).toString();
            case "--optimizer" -> Spec.parse(value).toString();
            default -> value;
        };
    }
}
