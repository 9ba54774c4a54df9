package io.rkflow.train.experiment;

import io.rkflow.models.io.AtomicFile;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.train.plot.LinePlot;
import io.rkflow.train.sweep.Grid;
import io.rkflow.train.sweep.Sweep;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The ingredients experiment: does the paper's recipe (modified AdaGrad, rescaled DAL-p and
 * momentum on the RK-estimated gradient) close vanilla RK4's gap to Adam at a large batch? Each
 * method (vanilla RK4, RK4 with each ingredient alone, RK4 with all three, Adam) gets its step
 * size (h, DAL's cap c, or Adam's lr) from a small log grid, chosen by final validation accuracy
 * of one seed (phase 1, {@code search.csv}), then runs with more seeds at the chosen value (phase
 * 2, {@code seeds.csv}; the search's seed is one of them). The result is test accuracy by epoch
 * and by gradient evaluations, mean ± std over seeds ({@code ingredients.csv}, PNGs per batch),
 * a table, and what it says about the gap ({@code ingredients.md}).
 *
 * <p>Both phases are {@link Sweep}s over one folder, so the experiment runs points in parallel
 * with {@code --workers} and continues where it stopped when run again.
 */
public final class Ingredients {

    /**
     * One method of the experiment.
     *
     * @param name its name in tables and plots
     * @param spec its optimizer spec without a step size
     * @param lrs the step sizes its search tries: h, DAL's cap c, or Adam's lr
     */
    public record Method(String name, String spec, List<Double> lrs) {
        public Method {
            lrs = List.copyOf(lrs);
        }
    }

    /** The settings of one experiment. */
    public record Settings(String model, List<Method> methods, List<Integer> batches, int epochs, int seeds,
            int validation) {
        public Settings {
            methods = List.copyOf(methods);
            batches = List.copyOf(batches);
            ModelSpec.parse(model);
            if (seeds < 1 || epochs < 1) {
                throw new IllegalArgumentException("--seeds " + seeds + " and --epochs " + epochs
                        + " must be at least 1");
            }
            if (validation < 1) {
                throw new IllegalArgumentException("--validation " + validation + ": the step sizes are chosen by"
                        + " validation accuracy, so at least 1 held-out row is needed (never the test set)");
            }
            if (batches.isEmpty() || batches.stream().anyMatch(b -> b < 1)) {
                throw new IllegalArgumentException("--batch " + batches + ": at least one batch size, each at least 1");
            }
        }
    }

    /**
     * The methods: vanilla RK4, RK4 with each ingredient, RK4 with AdaGrad and momentum, the paper's
     * recipe (all three), and Adam. The verdict reads the first as vanilla, the second to last as the
     * recipe and the last as Adam.
     */
    public static List<Method> methods() {
        return List.of(
                new Method("RK4", "rk4", List.of(0.03, 0.1, 0.3, 1.0, 3.0)),
                new Method("RK4 + AdaGrad", "rk4+adagrad", List.of(0.03, 0.1, 0.3, 1.0, 3.0)),
                new Method("RK4 + DAL", "rk4+dal(p=2)", List.of(0.1, 0.3, 1.0, 3.0, 10.0)),
                // momentum's best h moved with the batch (1024: largest, 32: smallest of 0.003..0.3), so its grid is wider
                new Method("RK4 + momentum", "rk4+momentum(0.9)", List.of(0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)),
                // the recipe without DAL, which alone cost the most (README): does the rest close the gap?
                new Method("RK4 + AdaGrad + momentum", "rk4+adagrad+momentum(0.9)",
                        List.of(0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)),
                new Method("RK4 + all three", "rk4+adagrad+dal(p=2)+momentum(0.9)", List.of(0.01, 0.03, 0.1, 0.3, 1.0)),
                new Method("Adam", "adam", List.of(1e-4, 3e-4, 1e-3, 3e-3, 1e-2)));
    }

    /** The defaults (Figure 1's MLP, 10 epochs) and the --quick ones (a small MLP, 2 epochs). */
    public static Settings defaults(boolean quick) {
        return quick
                ? new Settings("784-128-10:relu", methods(), List.of(1024, 32), 2, 3, 5000)
                : new Settings("784-256-256-10:relu", methods(), List.of(1024, 32), 10, 3, 5000);
    }

    /** One method's result at one batch: the chosen step size and the curve of its seeds. */
    record Outcome(Method method, int batch, Double lr, boolean edge, Figure1.Curve curve, double validation) {
        double finalMean() {
            return curve == null ? Double.NaN : curve.mean()[curve.mean().length - 1];
        }

        double finalStd() {
            return curve == null ? Double.NaN : curve.std()[curve.std().length - 1];
        }
    }

    private final Settings settings;

    public Ingredients(Settings settings) {
        this.settings = settings;
    }

    /** The grid of shared settings (epochs, validation, intervals) with the given points' axes. */
    private Grid grid(List<String> optimizers, List<Double> lrs, List<Integer> batches, List<Long> seeds) {
        return new Grid(optimizers, lrs, List.of(settings.model()), batches, seeds, settings.epochs(), 0,
                settings.validation(), 100, 0, 500);
    }

    /** Phase 1: every method at every step size of its grid, at every batch, seed 1. */
    List<Grid.Point> searchPoints() {
        List<Grid.Point> points = new ArrayList<>();
        for (Method m : settings.methods()) {
            points.addAll(grid(List.of(m.spec()), m.lrs(), settings.batches(), List.of(1L)).points());
        }
        return points;
    }

    /** Phase 2: each method at its chosen step size per batch, seeds 1..N (seed 1 is the search's run). */
    List<Grid.Point> seedPoints(Map<String, Double> chosen) {
        List<Grid.Point> points = new ArrayList<>();
        for (Method m : settings.methods()) {
            for (int b : settings.batches()) {
                Double lr = chosen.get(key(m, b));
                if (lr != null) {
                    points.addAll(grid(List.of(m.spec()), List.of(lr), List.of(b), Grid.seeds(settings.seeds()))
                            .points());
                }
            }
        }
        return points;
    }

    private static String key(Method m, int batch) {
        return m.spec() + "|" + batch;
    }

    /**
     * Runs both phases into {@code options.out()} and writes the experiment's files; returns the
     * table and the verdict as lines, or throws when a point failed (the sweep lists it; running
     * the experiment again retries it).
     */
    public List<String> run(Sweep.Options options, Sweep.PointTrainer trainer, PrintStream log)
            throws IOException, InterruptedException {
        return run(options, trainer, log, null);
    }

    /**
     * Runs both phases as {@link #run(Sweep.Options, Sweep.PointTrainer, PrintStream)} does, each
     * phase's unfinished points by the scheduler {@code schedulers} makes for its sweep (the Spark
     * job's: a task per point), or on {@code options.workers()} threads here where it is null.
     */
    public List<String> run(Sweep.Options options, Sweep.PointTrainer trainer, PrintStream log,
            Function<Sweep, Sweep.Scheduler> schedulers) throws IOException, InterruptedException {
        log.printf(Locale.ROOT, "ingredients: MLP %s, batches %s, %d epochs, %d seeds, %d validation rows -> %s%n",
                ModelSpec.parse(settings.model()), settings.batches(), settings.epochs(), settings.seeds(),
                settings.validation(), options.out());
        Grid shared = grid(List.of(settings.methods().get(0).spec()), List.of(), settings.batches(), List.of(1L));
        List<Grid.Point> searchPoints = searchPoints();
        log.printf(Locale.ROOT, "ingredients, phase 1 of 2: %d methods, each at %s step sizes, × %d batch%s, seed 1"
                + " (%d runs): the step sizes are chosen by validation accuracy%n", settings.methods().size(),
                settings.methods().stream().map(m -> String.valueOf(m.lrs().size())).distinct()
                        .reduce((a, b) -> a + "/" + b).orElse("0"), settings.batches().size(),
                settings.batches().size() > 1 ? "es" : "", searchPoints.size());
        List<Sweep.Result> search = run(new Sweep(shared, searchPoints, "search", options, trainer), log, schedulers);
        failOn(search, "search");
        Map<String, Double> chosen = new LinkedHashMap<>();
        Map<String, Sweep.Best> bestByKey = new LinkedHashMap<>();
        for (Sweep.Best b : Sweep.best(search)) {
            for (Method m : settings.methods()) {
                if (Grid.withoutStepSize(m.spec()).equals(b.optimizer()) && b.model().equals(
                        ModelSpec.parse(settings.model()).toString())) {
                    bestByKey.put(key(m, b.batch()), b);
                    if (b.lr() != null) {
                        chosen.put(key(m, b.batch()), b.lr());
                    }
                }
            }
        }
        List<Grid.Point> seedPoints = seedPoints(chosen);
        List<Outcome> outcomes = new ArrayList<>();
        if (!seedPoints.isEmpty()) {
            log.printf(Locale.ROOT, "ingredients, phase 2 of 2: each method at its chosen step size, seeds 1..%d"
                    + " (%d runs, %d of them from phase 1)%n", settings.seeds(), seedPoints.size(), chosen.size());
            List<Sweep.Result> seeds = run(new Sweep(shared, seedPoints, "seeds", options, trainer), log, schedulers);
            failOn(seeds, "seeds");
        }
        for (int b : settings.batches()) {
            for (Method m : settings.methods()) {
                Double lr = chosen.get(key(m, b));
                Sweep.Best best = bestByKey.get(key(m, b));
                Figure1.Curve curve = null;
                if (lr != null) {
                    curve = curve(options.out(), m, b, lr);
                }
                outcomes.add(new Outcome(m, b, lr, best != null && best.edge(), curve,
                        best == null ? Double.NaN : best.validation()));
            }
        }
        writeCsv(options.out().resolve("ingredients.csv"), outcomes);
        List<String> plots = plot(options.out(), outcomes);
        List<String> lines = table(outcomes);
        List<String> md = new ArrayList<>(lines);
        md.add("");
        md.add("Step-size grids (h, DAL's cap c, or Adam's lr), chosen by final validation accuracy ("
                + settings.validation() + " held-out training rows) of seed 1:");
        md.add("");
        for (Method m : settings.methods()) {
            md.add("- " + m.name() + " (`" + m.spec() + "`): " + String.join(", ", m.lrs().stream().map(Grid::fmt)
                    .toList()));
        }
        md.add("");
        md.add("Plots: " + String.join(", ", plots.stream().map(p -> Path.of(p).getFileName().toString()).toList()));
        AtomicFile.write(options.out().resolve("ingredients.md"), ByteBuffer.wrap((String.join("\n", md) + "\n")
                .getBytes(StandardCharsets.UTF_8)));
        lines.add("files: " + options.out().resolve("ingredients.csv") + ", " + options.out().resolve("ingredients.md")
                + ", " + String.join(", ", plots));
        return lines;
    }

    private static List<Sweep.Result> run(Sweep sweep, PrintStream log, Function<Sweep, Sweep.Scheduler> schedulers)
            throws IOException, InterruptedException {
        return schedulers == null ? sweep.run(log) : sweep.run(log, schedulers.apply(sweep));
    }

    private static void failOn(List<Sweep.Result> results, String phase) {
        long failed = results.stream().filter(r -> r.error() != null).count();
        if (failed > 0) {
            throw new IllegalStateException(failed + " of " + results.size() + " runs of the " + phase + " phase"
                    + " failed (listed above); run the experiment again to retry them");
        }
    }

    /** The curve of a method's seeds at its chosen step size, from their run folders; null if none finished. */
    private Figure1.Curve curve(Path out, Method m, int batch, double lr) throws IOException {
        List<double[][]> rows = new ArrayList<>();
        for (Grid.Point p : grid(List.of(m.spec()), List.of(lr), List.of(batch), Grid.seeds(settings.seeds()))
                .points()) {
            Path folder = out.resolve(p.name());
            if (!Files.isRegularFile(folder.resolve("metrics.csv"))) {
                continue;
            }
            double[][] r = Figure1.epochRows(folder);
            if (r[0].length > 0) {
                rows.add(r);
            }
        }
        if (rows.isEmpty()) {
            return null;
        }
        // a seed that diverged stopped early: the curve is over the evaluations all seeds have
        int n = rows.stream().mapToInt(r -> r[0].length).min().orElseThrow();
        double[][] epochs = new double[rows.size()][];
        double[][] evals = new double[rows.size()][];
        double[][] acc = new double[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            epochs[i] = java.util.Arrays.copyOf(rows.get(i)[0], n);
            evals[i] = java.util.Arrays.copyOf(rows.get(i)[1], n);
            acc[i] = java.util.Arrays.copyOf(rows.get(i)[2], n);
        }
        return Figure1.summarize(m.name() + " (" + Grid.fmt(lr) + ")", batch, epochs, evals, acc);
    }

    private static void writeCsv(Path file, List<Outcome> outcomes) throws IOException {
        StringBuilder csv = new StringBuilder("method,optimizer,batch,lr,epoch,gradient_evaluations,test_accuracy_mean,"
                + "test_accuracy_std\n");
        for (Outcome o : outcomes) {
            if (o.curve() == null) {
                continue;
            }
            Figure1.Curve c = o.curve();
            for (int k = 0; k < c.epochs().length; k++) {
                csv.append(String.format(Locale.ROOT, "%s,%s,%d,%s,%d,%.0f,%.6f,%.6f%n", o.method().name(),
                        quote(o.method().spec()), o.batch(), Grid.fmt(o.lr()), (int) c.epochs()[k],
                        c.evaluations()[k], c.mean()[k], c.std()[k]));
            }
        }
        AtomicFile.write(file, ByteBuffer.wrap(csv.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static String quote(String s) {
        return s.contains(",") ? "\"" + s + "\"" : s;
    }

    /** Per batch, test accuracy by epoch and by gradient evaluations; returns the files written. */
    private List<String> plot(Path out, List<Outcome> outcomes) throws IOException {
        List<String> files = new ArrayList<>();
        for (int b : settings.batches()) {
            List<LinePlot.Series> byEpoch = new ArrayList<>();
            List<LinePlot.Series> byEvals = new ArrayList<>();
            for (Outcome o : outcomes) {
                if (o.batch() != b || o.curve() == null) {
                    continue;
                }
                Figure1.Curve c = o.curve();
                double[] mean = new double[c.mean().length];
                double[] std = new double[c.std().length];
                for (int k = 0; k < mean.length; k++) {
                    mean[k] = 100 * c.mean()[k];
                    std[k] = 100 * c.std()[k];
                }
                byEpoch.add(new LinePlot.Series(c.optimizer(), c.epochs(), mean, std));
                byEvals.add(new LinePlot.Series(c.optimizer(), c.evaluations(), mean, std));
            }
            if (byEpoch.isEmpty()) {
                continue;
            }
            ModelSpec model = ModelSpec.parse(settings.model());
            String title = (model.mlp() != null ? "MLP " : "model ") + model + ", batch " + b + ", " + settings.seeds()
                    + " seeds (mean ± std)";
            Path e = out.resolve("ingredients-b" + b + "-epochs.png");
            Path g = out.resolve("ingredients-b" + b + "-gradient-evaluations.png");
            LinePlot.write(e, title, "epoch", "test accuracy (%)", byEpoch);
            LinePlot.write(g, title, "gradient evaluations", "test accuracy (%)", byEvals);
            files.add(e.toString());
            files.add(g.toString());
        }
        return files;
    }

    /** The table of final test accuracies and, per batch, what they say about RK4's gap to Adam. */
    List<String> table(List<Outcome> outcomes) {
        List<String> lines = new ArrayList<>();
        lines.add("| method | batch | step size (chosen) | val. acc. (seed 1) | test acc. after " + settings.epochs()
                + " epochs (mean ± std, " + settings.seeds() + " seeds) | gradient evaluations |");
        lines.add("|---|---:|---:|---:|---:|---:|");
        for (Outcome o : outcomes) {
            Figure1.Curve c = o.curve();
            lines.add(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |", o.method().name(), o.batch(),
                    o.lr() == null ? "– (every value diverged)" : Grid.fmt(o.lr()) + (o.edge() ? " (grid edge)" : ""),
                    Double.isFinite(o.validation()) ? String.format(Locale.ROOT, "%.2f %%", 100 * o.validation()) : "–",
                    c == null ? "–" : String.format(Locale.ROOT, "%.2f ± %.2f %%", 100 * o.finalMean(),
                            100 * o.finalStd()),
                    c == null ? "–" : String.format(Locale.ROOT, "%.0f", c.evaluations()[c.evaluations().length - 1])));
        }
        lines.add("");
        for (int b : settings.batches()) {
            lines.add(verdict(outcomes, b));
        }
        return lines;
    }

    /**
     * What the batch's numbers say: vanilla RK4's gap to Adam, each ingredient's effect on it,
     * and whether the recipe closed it (ahead of Adam, or behind by less than the seeds' combined
     * standard deviation), narrowed it, or not; at a batch where vanilla RK4 is not behind Adam
     * there is no gap, and the verdict says so.
     */
    String verdict(List<Outcome> outcomes, int batch) {
        Map<String, Outcome> by = new LinkedHashMap<>();
        for (Outcome o : outcomes) {
            if (o.batch() == batch) {
                by.put(o.method().name(), o);
            }
        }
        List<Method> ms = settings.methods();
        Outcome vanilla = by.get(ms.get(0).name());
        Outcome adam = by.get(ms.get(ms.size() - 1).name());
        Outcome recipe = by.get(ms.get(ms.size() - 2).name());
        if (vanilla == null || adam == null || recipe == null || !Double.isFinite(adam.finalMean())
                || !Double.isFinite(vanilla.finalMean()) || !Double.isFinite(recipe.finalMean())) {
            return "batch " + batch + ": no verdict (a method has no finished seed)";
        }
        double gap = adam.finalMean() - vanilla.finalMean();
        double left = adam.finalMean() - recipe.finalMean();
        double noise = Math.hypot(adam.finalStd(), recipe.finalStd());
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "batch %d: vanilla RK4 %s Adam by %.2f points;",
                batch, gap > 0 ? "behind" : "ahead of", 100 * Math.abs(gap)));
        for (int i = 1; i < ms.size() - 1; i++) {
            Outcome o = by.get(ms.get(i).name());
            if (o != null && Double.isFinite(o.finalMean())) {
                double d = o.finalMean() - vanilla.finalMean();
                s.append(String.format(Locale.ROOT, " %s %+.2f vs vanilla;", ms.get(i).name(), 100 * d));
            }
        }
        String word;
        if (gap <= 0) {
            word = String.format(Locale.ROOT, "no gap to close (vanilla RK4 is not behind Adam here): the recipe is %.2f"
                    + " points %s Adam (combined std %.2f)", 100 * Math.abs(left), left <= 0 ? "ahead of" : "behind",
                    100 * noise);
        } else if (left == 0) {
            word = "gap closed: the recipe is level with Adam";
        } else if (left < 0) {
            word = String.format(Locale.ROOT, "gap closed: the recipe is ahead of Adam by %.2f points", -100 * left);
        } else if (left <= noise) {
            word = String.format(Locale.ROOT, "gap closed within the seeds' spread: the recipe is %.2f points behind Adam"
                    + " (combined std %.2f)", 100 * left, 100 * noise);
        } else if (left < gap) {
            word = String.format(Locale.ROOT, "gap narrowed, not closed: the recipe is %.2f points behind Adam (vanilla"
                    + " %.2f; combined std %.2f)", 100 * left, 100 * gap, 100 * noise);
        } else {
            word = String.format(Locale.ROOT, "gap not closed: the recipe is %.2f points behind Adam (vanilla %.2f;"
                    + " combined std %.2f)", 100 * left, 100 * gap, 100 * noise);
        }
        return s.append(" ").append(word).toString();
    }
}
