package io.rkflow.models.cli;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.io.SafeTensors;
import io.rkflow.models.nn.MlpSpec;
import io.rkflow.models.train.Checkpoint;
import io.rkflow.models.train.Metrics;
import io.rkflow.models.train.RunLock;
import io.rkflow.models.train.Trainer;
import io.rkflow.solvers.optim.Optimizer;
import io.rkflow.solvers.optim.Spec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train an MLP on Fashion-MNIST (or an MNIST-format folder) with a Runge-Kutta optimizer.",
            "Optimizers are named by the grammar method+ingredient+..., e.g. rk4+adagrad+dal(p=2,c=0.5)+momentum(0.9);",
            "see the README for every method and ingredient."})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--model", defaultValue = "784-256-256-10:relu", description = "MLP widths and activation (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--optimizer", defaultValue = "rk4+h(0.1)", description = "Optimizer spec (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}); the last partial batch of an epoch is dropped.")
    int batch;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the initial weights and the batch order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", defaultValue = "jvm", description = "Device id, see 'rkflow devices' (default: ${DEFAULT-VALUE}).")
    String device;

    @picocli.CommandLine.Mixin
    DataOption data;

    @picocli.CommandLine.Mixin
    FusionOption fusion;

    @Option(names = "--out", description = "Run folder for metrics (default: runs/<date-time>).")
    Path out;

    @Option(names = "--force", description = "Overwrite the metrics of an earlier run in --out.")
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
        PrintStream log = System.out;
        Checkpoint checkpoint = null;
        if (resume != null) {
            checkpoint = Checkpoint.read(resume.resolve(Checkpoint.FILE));
            model = fromCheckpoint("--model", model, checkpoint.model());
            optimizer = fromCheckpoint("--optimizer", optimizer, checkpoint.optimizer());
            batch = Integer.parseInt(fromCheckpoint("--batch", String.valueOf(batch), String.valueOf(checkpoint.batch())));
            seed = Long.parseLong(fromCheckpoint("--seed", String.valueOf(seed), String.valueOf(checkpoint.seed())));
            if (out != null && !out.equals(resume)) {
                throw new IllegalArgumentException("--out " + out + " and --resume " + resume + " differ; a resumed run"
                        + " continues in its own folder");
            }
            out = resume;
        }
        MlpSpec modelSpec = MlpSpec.parse(model);
        Spec optimizerSpec = Spec.parse(optimizer);
        Trainer.Config config = new Trainer.Config(modelSpec, optimizerSpec, epochs, batch, seed, logEvery, steps,
                checkpointEvery, evalEvery);
        Dataset[] sets = data.load(log);
        Dataset train = sets[0];
        Dataset test = sets[1];
        Dataset held = null;
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
        long lastStep = new Trainer(config).lastStep(train, test, held); // checks the model, data and batch too
        if (checkpoint != null && checkpoint.step() >= lastStep) {
            // a finished run stays as it is: no step, no rewritten metrics, checkpoint or weights
            log.printf(Locale.ROOT, "the run in %s is at step %d, and this run ends at step %d: nothing to do (give a"
                    + " larger --steps or --epochs to train on)%n", runFolder, checkpoint.step(), lastStep);
            return 0;
        }
        try (Device dev = Devices.open(device);
                RunLock lock = RunLock.acquire(runFolder); // one writer per run folder
                Metrics metrics = checkpoint != null ? Metrics.resume(runFolder, checkpoint.step(),
                        new Trainer(config).logsRowAt(checkpoint.step(), checkpoint.batchInEpoch()))
                        : new Metrics(runFolder, force)) {
            dev.fusion(level);
            Trainer.Summary s = new Trainer(config).run(dev, train, test, held, metrics, log, runFolder, checkpoint);
            Path weights = runFolder.resolve("model.safetensors");
            SafeTensors.writeMlp(weights, modelSpec, s.theta(), java.util.Map.of("model", modelSpec.toString(),
                    "optimizer", optimizerSpec.toString(), "seed", String.valueOf(seed), "steps",
                    String.valueOf(s.steps()), "test_accuracy", String.format(Locale.ROOT, "%.4f", s.testAccuracy())));
            log.printf(Locale.ROOT, "test accuracy %.2f%% (loss %.4f) after %d steps, %d gradient evaluations,"
                    + " %.1f s%nmetrics: %s, %s%ncheckpoint: %s (continue with --resume %s)%nweights: %s"
                    + " (safetensors)%n", 100 * s.testAccuracy(), s.testLoss(), s.steps(), s.gradientEvaluations(),
                    s.seconds(), runFolder.resolve("metrics.csv"), runFolder.resolve("metrics.jsonl"),
                    runFolder.resolve(Checkpoint.FILE), runFolder, weights);
            return 0;
        } catch (Optimizer.NonFiniteException | Optimizer.StepSizeException | Optimizer.StageSolverException e) {
            System.err.println("rkflow train: the run stopped: " + e.getMessage());
            System.err.println(afterStop(runFolder));
            return 3;
        }
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
            io.rkflow.models.plot.MetricsFile metrics = io.rkflow.models.plot.MetricsFile.read(runFolder);
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
            case "--model" -> MlpSpec.parse(value).toString();
            case "--optimizer" -> Spec.parse(value).toString();
            default -> value;
        };
    }
}
