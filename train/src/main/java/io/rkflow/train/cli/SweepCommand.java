package io.rkflow.train.cli;

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

    @picocli.CommandLine.Mixin
    GridOptions grid;

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

    @Override
    public Integer call() throws Exception {
        io.rkflow.train.sweep.Grid points = grid.grid();
        Sweep sweep = new Sweep(points, new Sweep.Options(out, workers, device, data.given(), fusion.given()),
                Main::train);
        return Sweep.exitCode(sweep.run(System.out), "rkflow sweep", System.err);
    }
}
