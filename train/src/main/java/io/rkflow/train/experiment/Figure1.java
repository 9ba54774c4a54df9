package io.rkflow.train.experiment;

import io.rkflow.kernels.Device;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.train.plot.LinePlot;
import io.rkflow.train.plot.MetricsFile;
import io.rkflow.train.Metrics;
import io.rkflow.train.Trainer;
import io.rkflow.solvers.optim.Spec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The protocol of Figure 1 of Dherin et al. (arXiv 2505.13397): an MLP trained with vanilla RK4
 * and with Adam, at a small and a large batch size, several seeds each; test accuracy after every
 * epoch, against epochs and against gradient evaluations, as mean and spread over the seeds. The
 * paper reports that RK4 beats Adam at small batch and falls behind it at large batch.
 */
public final class Figure1 {

    /** The settings of one experiment. */
    public record Settings(ModelSpec model, String rk4, String adam, int smallBatch, int largeBatch, int epochs,
            int seeds) {}

    /** The defaults (3.4 minutes on 2 cores) and the --quick ones (about 15 s). */
    public static Settings defaults(boolean quick) {
        return quick
                ? new Settings(ModelSpec.parse("784-128-10:relu"), "rk4+h(0.1)", "adam(lr=0.001)", 32, 1024, 2, 3)
                : new Settings(ModelSpec.parse("784-256-256-10:relu"), "rk4+h(0.1)", "adam(lr=0.001)", 32, 1024, 10, 3);
    }

    /** One configuration's curve: per epoch, the mean and standard deviation over seeds. */
    record Curve(String optimizer, int batch, double[] epochs, double[] evaluations, double[] mean, double[] std) {
        String label() {
            return optimizer + ", batch " + batch;
        }
    }

    private final Settings settings;

    public Figure1(Settings settings) {
        this.settings = settings;
    }

    /** Runs every configuration and seed, then writes figure1.csv and the two plots into {@code out}. */
    public List<String> run(Device device, Dataset train, Dataset test, Path out, boolean force, PrintStream log)
            throws IOException {
        Files.createDirectories(out);
        List<Curve> curves = new ArrayList<>();
        int total = 2 * 2 * settings.seeds();
        int done = 0;
        for (String optimizer : List.of(settings.rk4(), settings.adam())) {
            for (int batch : List.of(settings.smallBatch(), settings.largeBatch())) {
                double[][] epochs = new double[settings.seeds()][];
                double[][] acc = new double[settings.seeds()][];
                double[][] evals = new double[settings.seeds()][];
                for (int seed = 1; seed <= settings.seeds(); seed++) {
                    String name = Spec.parse(optimizer).toString().replaceAll("[^A-Za-z0-9.=_-]+", "_") + "-b" + batch
                            + "-s" + seed;
                    Path runDir = out.resolve(name);
                    Trainer.Config config = new Trainer.Config(settings.model(), Spec.parse(optimizer),
                            settings.epochs(), batch, seed, Integer.MAX_VALUE);
                    long t0 = System.nanoTime();
                    Trainer.Summary s;
                    try (Metrics metrics = new Metrics(runDir, force)) {
                        s = new Trainer(config).run(device, train, test, metrics,
                                new PrintStream(OutputStream.nullOutputStream()));
                    }
                    double[][] perEpoch = epochRows(runDir);
                    epochs[seed - 1] = perEpoch[0];
                    evals[seed - 1] = perEpoch[1];
                    acc[seed - 1] = perEpoch[2];
                    done++;
                    log.println(progress(done, total, optimizer, batch, seed, s.testAccuracy(),
                            (System.nanoTime() - t0) / 1e9));
                    log.flush(); // a line per run as it ends, also when the log is not a console
                }
                curves.add(summarize(optimizer, batch, epochs, evals, acc));
            }
        }
        writeCsv(out.resolve("figure1.csv"), curves);
        List<LinePlot.Series> byEpoch = new ArrayList<>();
        List<LinePlot.Series> byEvaluations = new ArrayList<>();
        for (Curve c : curves) {
            double[] pct = scale(c.mean(), 100);
            double[] spread = scale(c.std(), 100);
            byEpoch.add(new LinePlot.Series(c.label(), c.epochs(), pct, spread));
            byEvaluations.add(new LinePlot.Series(c.label(), c.evaluations(), pct, spread));
        }
        String dataset = train.name().endsWith(" train") ? train.name().substring(0, train.name().length() - 6)
                : train.name();
        String title = dataset + ", MLP " + settings.model() + ", " + settings.seeds() + " seeds (mean ± std)";
        LinePlot.write(out.resolve("figure1-epochs.png"), title, "epoch", "test accuracy (%)", byEpoch);
        LinePlot.write(out.resolve("figure1-gradient-evaluations.png"), title, "gradient evaluations",
                "test accuracy (%)", byEvaluations);
        return table(curves);
    }

    /** The progress line of a finished run: run i/n, its settings, its final test accuracy and its time. */
    static String progress(int run, int runs, String optimizer, int batch, int seed, double testAccuracy,
            double seconds) {
        return String.format(Locale.ROOT, "  run %" + String.valueOf(runs).length() + "d/%d: %-24s batch %5d seed %d:"
                + " test accuracy %.2f%% (%.1f s)", run, runs, optimizer, batch, seed, 100 * testAccuracy, seconds);
    }

    /**
     * {epoch, gradient evaluations, test accuracy} of a run folder's metrics rows that carry an
     * evaluation: the epoch ends, and a step-0 row of the initial weights where the run has one.
     */
    static double[][] epochRows(Path runDir) throws IOException {
        MetricsFile m = MetricsFile.read(runDir);
        double[] epoch = m.column("epoch");
        double[] evals = m.column("gradient_evaluations");
        double[] acc = m.column("test_accuracy");
        List<double[]> rows = new ArrayList<>();
        for (int i = 0; i < acc.length; i++) {
            if (!Double.isNaN(acc[i])) {
                rows.add(new double[] {epoch[i], evals[i], acc[i]});
            }
        }
        double[][] out = new double[3][rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            for (int c = 0; c < 3; c++) {
                out[c][i] = rows.get(i)[c];
            }
        }
        return out;
    }

    /** Per evaluation row, the mean and sample standard deviation of the seeds' accuracies; epochs as logged. */
    static Curve summarize(String optimizer, int batch, double[][] epochs, double[][] evals, double[][] acc) {
        int rows = acc[0].length;
        for (double[] a : acc) {
            if (a.length != rows) {
                throw new IllegalStateException("the seeds of " + optimizer + " at batch " + batch + " logged "
                        + rows + " and " + a.length + " evaluations");
            }
        }
        double[] e = new double[rows];
        double[] ev = new double[rows];
        double[] mean = new double[rows];
        double[] std = new double[rows];
        for (int k = 0; k < rows; k++) {
            e[k] = epochs[0][k];
            ev[k] = evals[0][k];
            double s = 0;
            for (double[] a : acc) {
                s += a[k];
            }
            mean[k] = s / acc.length;
            double v = 0;
            for (double[] a : acc) {
                v += (a[k] - mean[k]) * (a[k] - mean[k]);
            }
            std[k] = acc.length > 1 ? Math.sqrt(v / (acc.length - 1)) : 0;
        }
        return new Curve(optimizer, batch, e, ev, mean, std);
    }

    private static void writeCsv(Path file, List<Curve> curves) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("optimizer,batch,epoch,gradient_evaluations,test_accuracy_mean,test_accuracy_std");
        for (Curve c : curves) {
            for (int k = 0; k < c.epochs().length; k++) {
                lines.add(String.format(Locale.ROOT, "%s,%d,%d,%.0f,%.6f,%.6f", c.optimizer(), c.batch(),
                        (int) c.epochs()[k], c.evaluations()[k], c.mean()[k], c.std()[k]));
            }
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    /** The final accuracies as table lines and the comparison the paper makes. */
    private List<String> table(List<Curve> curves) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "| %-22s | %6s | %26s | %20s |", "optimizer", "batch",
                "test accuracy (mean ± std)", "gradient evaluations"));
        lines.add("|------------------------|--------|----------------------------|----------------------|");
        for (Curve c : curves) {
            int last = c.mean().length - 1;
            lines.add(String.format(Locale.ROOT, "| %-22s | %6d | %26s | %20.0f |", c.optimizer(), c.batch(),
                    String.format(Locale.ROOT, "%.2f ± %.2f %%", 100 * c.mean()[last], 100 * c.std()[last]),
                    c.evaluations()[last]));
        }
        double rkSmall = finalMean(curves, settings.rk4(), settings.smallBatch());
        double adamSmall = finalMean(curves, settings.adam(), settings.smallBatch());
        double rkLarge = finalMean(curves, settings.rk4(), settings.largeBatch());
        double adamLarge = finalMean(curves, settings.adam(), settings.largeBatch());
        lines.add(String.format(Locale.ROOT, "batch %d: RK4 %s Adam by %.2f points; batch %d: RK4 %s Adam by %.2f"
                + " points (the paper: RK4 ahead at small batch, behind at large batch)", settings.smallBatch(),
                rkSmall >= adamSmall ? "ahead of" : "behind", 100 * Math.abs(rkSmall - adamSmall), settings.largeBatch(),
                rkLarge >= adamLarge ? "ahead of" : "behind", 100 * Math.abs(rkLarge - adamLarge)));
        return lines;
    }

    private static double finalMean(List<Curve> curves, String optimizer, int batch) {
        for (Curve c : curves) {
            if (c.optimizer().equals(optimizer) && c.batch() == batch) {
                return c.mean()[c.mean().length - 1];
            }
        }
        throw new IllegalStateException("no curve for " + optimizer + " at batch " + batch);
    }

    private static double[] scale(double[] v, double f) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * f;
        }
        return out;
    }
}
