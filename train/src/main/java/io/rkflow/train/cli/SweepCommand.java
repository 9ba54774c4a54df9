package io.rkflow.train.cli;

import io.rkflow.train.sweep.Grid;
import io.rkflow.train.sweep.Sweep;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a grid of runs: the cartesian product of the axes below (comma-separated values),"
            + " each point a run folder under --out; N points at once; run it again to continue (finished"
            + " points are skipped, interrupted ones resumed from their checkpoints, failed ones tried again).",
            "Writes sweep.csv and sweep.md (each point's final and best validation accuracy, test accuracy,"
                + " gradient evaluations, wall time; the best --lr per optimizer by validation accuracy) and a"
                + " plot per varying axis.",
            "Example: rkflow sweep --optimizer 'rk4+h(0.1)','adam(lr=1e-3)' --batch 32,1024 --seeds 3"})
final class SweepCommand implements Callable<Integer> {

    @Option(names = "--grid", paramLabel = "FILE", description = "A JSON grid file: an object of the axes and"
            + " settings below (\"optimizer\", \"lr\", \"model\", \"batch\", \"seeds\" or \"seed\", \"epochs\","
            + " \"steps\", \"validation\", \"log_every\", \"eval_every\", \"checkpoint_every\"); options given"
            + " on the command line too are an error.")
    Path gridFile;

    @Option(names = "--optimizer", split = ",(?![^()]*\\))", defaultValue = "rk4+h(0.1)",
            description = "Optimizer specs (default: ${DEFAULT-VALUE}).")
    List<String> optimizers;

    @Option(names = "--lr", split = ",", description = "Step sizes: each optimizer's h, Adam's lr, or DAL's cap c"
            + " (default: each optimizer's own). Needs --validation: the best is chosen by validation accuracy.")
    List<Double> lrs;

    @Option(names = "--model", split = ",(?![^()]*\\))", defaultValue = "784-256-256-10:relu",
            description = "MLP specs (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--batch", split = ",", defaultValue = "128", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--seeds", defaultValue = "1", description = "Seeds 1..N per point (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--seed", split = ",", description = "Explicit seeds instead of --seeds.")
    List<Long> seedList;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs of every point (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--steps", defaultValue = "0", description = "Stop every point after this many steps (default: all epochs).")
    long steps;

    @Option(names = "--validation", defaultValue = "5000", paramLabel = "ROWS",
            description = "Training rows held out for validation accuracy (default: ${DEFAULT-VALUE}).")
    int validation;

    @Option(names = "--log-every", defaultValue = "100", description = "Steps between metrics rows (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--eval-every", defaultValue = "0", description = "Steps between evaluations (default: epoch ends).")
    int evalEvery;

    @Option(names = "--checkpoint-every", defaultValue = "500", description = "Steps between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--workers", defaultValue = "1", description = "Points run at once; the cores are divided among them (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--device", description = "Device of every point (default: jvm:K, K = cores / workers).")
    String device;

    @picocli.CommandLine.Mixin
    DataOption data;

    @picocli.CommandLine.Mixin
    FusionOption fusion;

    @Option(names = "--out", defaultValue = "runs/sweep", description = "The sweep's folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() throws Exception {
        List<Long> seedValues = seedList != null ? seedList : Grid.seeds(seeds);
        Grid grid = new Grid(optimizers, lrs == null ? List.of() : lrs, models, batches, seedValues, epochs, steps,
                validation, logEvery, evalEvery, checkpointEvery);
        if (gridFile != null) {
            for (String o : List.of("--optimizer", "--lr", "--model", "--batch", "--seeds", "--seed", "--epochs",
                    "--steps", "--validation", "--log-every", "--eval-every", "--checkpoint-every")) {
                if (command.commandLine().getParseResult().hasMatchedOption(o)) {
                    throw new IllegalArgumentException(o + " and --grid " + gridFile + " both give the grid; put "
                            + o + " into the file, or drop --grid");
                }
            }
            grid = Grid.read(gridFile, grid);
        }
        fusion.level(); // an unknown level is an error before any point starts
        Sweep sweep = new Sweep(grid, new Sweep.Options(out, workers, device, data.data, fusion.name), Main::train);
        List<Sweep.Result> results = sweep.run(System.out);
        long failed = results.stream().filter(r -> r.error() != null).count();
        if (failed > 0) {
            System.err.println("rkflow sweep: " + failed + " of " + results.size() + " points failed (listed above);"
                    + " run the same sweep again to retry them");
            return 1;
        }
        return 0;
    }
}
