package io.rkflow.train.cli;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.train.Checkpoint;
import io.rkflow.train.Confusion;
import io.rkflow.train.Predictor;
import io.rkflow.train.Trainer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate the checkpoint of a run on the test set (and the training set with --train): accuracy"
            + " and loss, the accuracy of each class and the confusion matrix (rows: true class, columns: predicted"
            + " class).",
            "The data is the run's own (its folder and CSV options from its run.json) unless --data says otherwise,"
                + " standardized as the run was."})
final class EvalCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RUN_DIR", description = "A run folder holding " + Checkpoint.FILE + ".")
    Path run;

    @Mixin
    DataOption data;

    @Mixin
    CsvOptions csv;

    @Option(names = "--device", defaultValue = "jvm", description = "Device id (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--train", description = "Also evaluate on the training set.")
    boolean train;

    @Override
    public Integer call() throws Exception {
        Checkpoint cp = Checkpoint.read(run.resolve(Checkpoint.FILE));
        ModelSpec spec = ModelSpec.parse(cp.model());
        RecordedData recorded = RecordedData.read(run);
        data.recorded = recorded;
        data.fixed = recorded != null ? recorded.standardization() : null; // a run without a record: fitted again
        data.csv = csv.options(recorded, spec);
        data.csvGiven = csv.given();
        Dataset[] sets = data.load(System.out);
        try (Device dev = Devices.open(device)) {
            for (Dataset d : train ? new Dataset[] {sets[1], sets[0]} : new Dataset[] {sets[1]}) {
                Trainer.checkFits(spec, d.name(), d.features(), d.classes());
                double[] r = Trainer.evaluate(dev, spec, cp.theta(), d);
                System.out.printf(Locale.ROOT, "%s: accuracy %.2f%%, loss %.4f (%s with %s, step %d)%n", d.name(),
                        100 * r[1], r[0], cp.model(), cp.optimizer(), cp.step());
                int[] predicted = Predictor.classes(Predictor.logits(dev, spec, cp.theta(), d.x(), d.rows()),
                        spec.outputs());
                System.out.print(Confusion.of(spec.outputs(), d.labels(), predicted).table());
            }
        }
        return 0;
    }
}
