package io.rkflow.train.cli;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.train.experiment.Figure1;
import io.rkflow.train.experiment.Ingredients;
import io.rkflow.train.sweep.Sweep;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Reproduce experiments of the paper.", subcommands = {ExperimentCommand.Figure1Command.class,
            ExperimentCommand.IngredientsCommand.class})
final class ExperimentCommand implements Runnable {

    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(name = "figure1", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Figure 1 of Dherin et al. (arXiv 2505.13397): vanilla RK4 against Adam, at a small and a"
                + " large batch, several seeds; test accuracy by epoch and by gradient evaluations.",
                "Writes figure1.csv, figure1-epochs.png and figure1-gradient-evaluations.png, and every run's metrics."})
    static final class Figure1Command implements Callable<Integer> {

        @Option(names = "--quick", description = "A small model and 2 epochs: about 15 s on 2 cores (the full run: about 3.5 minutes).")
        boolean quick;

        @Option(names = "--model", description = "Model, an MLP or a layer stack (default: 784-256-256-10:relu; with --quick 784-128-10:relu).")
        String model;

        @Option(names = "--rk4", description = "The RK optimizer (default: rk4+h(0.1)).")
        String rk4;

        @Option(names = "--adam", description = "The Adam baseline (default: adam(lr=0.001)).")
        String adam;

        @Option(names = "--small-batch", description = "Small batch size (default: 32).")
        Integer smallBatch;

        @Option(names = "--large-batch", description = "Large batch size (default: 1024).")
        Integer largeBatch;

        @Option(names = "--epochs", description = "Epochs (default: 10; with --quick 2).")
        Integer epochs;

        @Option(names = "--seeds", description = "Seeds per configuration, at least 1 (default: 3).")
        Integer seeds;

        @Option(names = "--out", defaultValue = "runs/figure1", description = "Output folder (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--force", description = "Overwrite the runs of an earlier experiment in --out.")
        boolean force;

        @Option(names = "--device", defaultValue = "jvm", description = "Device id (default: ${DEFAULT-VALUE}).")
        String device;

        @Mixin
        DataOption data;

        @Mixin
        FusionOption fusion;

        @Override
        public Integer call() throws Exception {
            Figure1.Settings d = Figure1.defaults(quick);
            Figure1.Settings s = new Figure1.Settings(model == null ? d.model() : ModelSpec.parse(model),
                    rk4 == null ? d.rk4() : rk4, adam == null ? d.adam() : adam,
                    smallBatch == null ? d.smallBatch() : smallBatch, largeBatch == null ? d.largeBatch() : largeBatch,
                    epochs == null ? d.epochs() : epochs, seeds == null ? d.seeds() : seeds);
            if (s.seeds() < 1 || s.epochs() < 1 || s.smallBatch() < 1 || s.largeBatch() < 1) {
                throw new IllegalArgumentException("--seeds, --epochs and the batch sizes must be at least 1");
            }
            io.rkflow.kernels.Fusion level = fusion.level();
            Dataset[] sets = data.load(System.out);
            System.out.printf("figure 1: %s, %s against %s, batches %d and %d, %d epochs, %d seeds -> %s%n", s.model(),
                    s.rk4(), s.adam(), s.smallBatch(), s.largeBatch(), s.epochs(), s.seeds(), out);
            long t0 = System.nanoTime();
            try (Device dev = Devices.open(device)) {
                dev.fusion(level);
                for (String line : new Figure1(s).run(dev, sets[0], sets[1], out, force, System.out)) {
                    System.out.println(line);
                }
            }
            System.out.printf("done in %.1f min: %s, %s, %s%n", (System.nanoTime() - t0) / 6e10,
                    out.resolve("figure1.csv"), out.resolve("figure1-epochs.png"),
                    out.resolve("figure1-gradient-evaluations.png"));
            return 0;
        }
    }

    @Command(name = "ingredients", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Do the paper's ingredients close vanilla RK4's gap to Adam at a large batch? Vanilla RK4,"
                + " RK4 + modified AdaGrad, RK4 + rescaled DAL-p, RK4 + momentum, RK4 + AdaGrad + momentum, RK4 with"
                + " all three, and Adam, at batches 1024 and 32 on Fashion-MNIST with Figure 1's MLP.",
                "Phase 1 picks each method's step size (h, DAL's cap c, Adam's lr) from a log grid of 5 values (7"
                + " for momentum without DAL) by final validation accuracy (held-out training rows, never the test"
                + " set); phase 2 runs --seeds seeds at the chosen value. Writes ingredients.csv (test accuracy by epoch and gradient evaluations,"
                + " mean ± std), ingredients.md (the table and the verdict), two PNGs per batch, search.csv and"
                + " seeds.csv (every run), and every run's folder. Run it again to continue where it stopped.",
                "Defaults: about 37 minutes on 2 cores; --quick: about 3 minutes (2 workers, measured 2026-12-08)."})
    static final class IngredientsCommand implements Callable<Integer> {

        @Mixin
        IngredientsOptions settings;

        @Option(names = "--workers", description = "Runs at once; the cores are divided among them (default: the"
                + " number of cores, at most 8: one core per run).")
        Integer workers;

        @Option(names = "--device", description = "Device of every run (default: jvm:K, K = cores / workers).")
        String device;

        @Option(names = "--out", defaultValue = "runs/ingredients", description = "Output folder (default: ${DEFAULT-VALUE}).")
        Path out;

        @Mixin
        DataOption data;

        @Mixin
        FusionOption fusion;

        @Override
        public Integer call() throws Exception {
            Ingredients.Settings s = settings.settings();
            int runsAtOnce = workers != null ? workers : Math.min(8, Runtime.getRuntime().availableProcessors());
            // fusion.given(): an unknown level is an error before any run starts
            Sweep.Options options = new Sweep.Options(out, runsAtOnce, device, data.given(), fusion.given());
            long t0 = System.nanoTime();
            List<String> lines = new Ingredients(s).run(options, Main::train, System.out);
            for (String line : lines) {
                System.out.println(line);
            }
            System.out.printf("done in %.1f min%n", (System.nanoTime() - t0) / 6e10);
            return 0;
        }
    }
}
