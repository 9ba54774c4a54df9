package io.rkflow.train.cli;

import io.rkflow.train.experiment.Ingredients;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The settings of the ingredients experiment: {@code rkflow experiment ingredients} and the
 * Spark job that runs it on a cluster (module spark) take the same ones.
 */
public final class IngredientsOptions {

    @Option(names = "--quick", description = "A small model (784-128-10) and 2 epochs.")
    boolean quick;

    @Option(names = "--model", description = "Model, an MLP or a layer stack (default: 784-256-256-10:relu; with --quick 784-128-10:relu).")
    String model;

    @Option(names = "--batch", split = ",", description = "Batch sizes (default: 1024,32).")
    List<Integer> batches;

    @Option(names = "--epochs", description = "Epochs of every run (default: 10; with --quick 2).")
    Integer epochs;

    @Option(names = "--seeds", description = "Seeds at each chosen step size, at least 1 (default: 3).")
    Integer seeds;

    @Option(names = "--validation", defaultValue = "5000", paramLabel = "ROWS",
            description = "Training rows held out to choose the step sizes (default: ${DEFAULT-VALUE}).")
    int validation;

    /** The experiment's settings: the defaults (or --quick's) with what was given; checked. */
    public Ingredients.Settings settings() {
        Ingredients.Settings d = Ingredients.defaults(quick);
        return new Ingredients.Settings(model == null ? d.model() : model, d.methods(),
                batches == null ? d.batches() : batches, epochs == null ? d.epochs() : epochs,
                seeds == null ? d.seeds() : seeds, validation);
    }
}
