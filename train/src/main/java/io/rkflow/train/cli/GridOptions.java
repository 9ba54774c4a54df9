package io.rkflow.train.cli;

import io.rkflow.train.sweep.Grid;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options that give a sweep's grid, from the command line or a {@code --grid} file: the
 * axes and the settings every point shares. {@code rkflow sweep} and the Spark job (module
 * spark) take the same ones.
 */
public final class GridOptions {

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
            description = "Model specs, MLPs or layer stacks (default: ${DEFAULT-VALUE}).")
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

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The grid: the options', or the --grid file's with the options' defaults; an option given beside --grid is an error. */
    public Grid grid() throws IOException {
        List<Long> seedValues = seedList != null ? seedList : Grid.seeds(seeds);
        Grid grid = new Grid(optimizers, lrs == null ? List.of() : lrs, models, batches, seedValues, epochs, steps,
                validation, logEvery, evalEvery, checkpointEvery);
        if (gridFile == null) {
            return grid;
        }
        for (String o : List.of("--optimizer", "--lr", "--model", "--batch", "--seeds", "--seed", "--epochs",
                "--steps", "--validation", "--log-every", "--eval-every", "--checkpoint-every")) {
            if (command.commandLine().getParseResult().hasMatchedOption(o)) {
                throw new IllegalArgumentException(o + " and --grid " + gridFile + " both give the grid; put "
                        + o + " into the file, or drop --grid");
            }
        }
        return Grid.read(gridFile, grid);
    }
}
