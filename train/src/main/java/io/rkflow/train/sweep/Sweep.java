package io.rkflow.train.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rkflow.models.io.AtomicFile;
import io.rkflow.train.Checkpoint;
import io.rkflow.train.RunLock;
import io.rkflow.train.RunRecord;
import io.rkflow.train.plot.LinePlot;
import io.rkflow.train.plot.MetricsFile;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a {@link Grid}: every point an ordinary run folder under the sweep's folder, N at a time,
 * resumably (a finished point is skipped, an interrupted one resumed from its checkpoint, a failed
 * or diverged one tried again), and one table for the whole sweep: {@code sweep.csv} and
 * {@code sweep.md} with each point's final and best validation accuracy, test accuracy, gradient
 * evaluations and wall time, the best learning rate per optimizer by validation accuracy, and a
 * plot per axis that varies. A failed point never stops the others; it is listed with its error.
 */
public final class Sweep {

    /** Trains one point: the arguments of {@code rkflow train} (without "train"), its log; returns the exit code. */
    @FunctionalInterface
    public interface PointTrainer {
        int train(List<String> args, PrintStream log) throws Exception;
    }

    /**
     * How to run the grid.
     *
     * @param out the sweep's folder
     * @param workers points run at once
     * @param device a device id for every point, or null for {@code jvm:k} with the cores divided among the workers
     * @param data a --data folder, or null for the usual search
     * @param fusion a --fusion level, or null for the default
     */
    public record Options(Path out, int workers, String device, Path data, String fusion) {
        public Options {
            if (workers < 1) {
                throw new IllegalArgumentException("--workers " + workers + " must be at least 1");
            }
        }
    }

    /**
     * Runs the points of a sweep that are not finished yet: {@link #run(PrintStream)} runs them on
     * a pool of {@code workers} threads here; the Spark job (module spark) runs each as a Spark task.
     */
    @FunctionalInterface
    public interface Scheduler {
        /** Runs {@code todo}, each by {@link #runPoint}; returns the error of each point that failed, by point name. */
        Map<String, String> run(List<Grid.Point> todo, PrintStream log) throws IOException, InterruptedException;
    }

    /** How a point's training ended: {@code finished}, {@code diverged} or {@code failed} with its error. */
    public record Outcome(String point, String status, String error) implements java.io.Serializable {}

    /** How a point ended, and what its run folder says. */
    public record Result(Grid.Point point, String status, String error, double finalValidation,
            double bestValidation, double testAccuracy, long gradientEvaluations, long steps, double seconds) {}

    /** The sweep's files in its folder. */
    public static final String TABLE_CSV = "sweep.csv";
    public static final String TABLE_MD = "sweep.md";
    public static final String GRID_JSON = "grid.json";
    /** Each point's log in its run folder. */
    public static final String POINT_LOG = "train.log";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Grid grid;
    private final List<Grid.Point> points;
    private final String table;
    private final Options options;
    private final PointTrainer trainer;

    /** The sweep of {@code grid}'s cartesian product, its table {@code sweep.csv} and {@code sweep.md}. */
    public Sweep(Grid grid, Options options, PointTrainer trainer) {
        this(grid, grid.points(), "sweep", options, trainer);
    }

    /**
     * A sweep of explicit points (an experiment's phase, where each optimizer has its own
     * learning rates), with {@code grid}'s shared settings (epochs, steps, validation, intervals);
     * its table is {@code TABLE.csv} and {@code TABLE.md}, its plots {@code TABLE-AXIS.png}.
     */
    public Sweep(Grid grid, List<Grid.Point> points, String table, Options options, PointTrainer trainer) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a sweep needs at least one point");
        }
        if (points.stream().map(Grid.Point::name).distinct().count() != points.size()) {
            throw new IllegalArgumentException("two points of the sweep have the same folder name");
        }
        if (!table.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("table name " + table + ": lower-case letters, digits and '-'");
        }
        this.grid = grid;
        this.points = List.copyOf(points);
        this.table = table;
        this.options = options;
        this.trainer = trainer;
    }

    /** The points' distinct values of one axis, in first-seen order. */
    private <T> List<T> distinct(java.util.function.Function<Grid.Point, T> axis) {
        List<T> out = new ArrayList<>();
        for (Grid.Point p : points) {
            T v = axis.apply(p);
            if (v != null && !out.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }

    /** Whether some optimizer, model and batch was run at more than one learning rate. */
    private boolean lrVaries() {
        Map<String, java.util.Set<Double>> rates = new LinkedHashMap<>();
        for (Grid.Point p : points) {
            if (p.lr() != null) {
                rates.computeIfAbsent(p.optimizerLabel() + "|" + p.model() + "|" + p.batch(),
                        k -> new java.util.HashSet<>()).add(p.lr());
            }
        }
        return rates.values().stream().anyMatch(r -> r.size() > 1);
    }

    /** The settings every point shares (epochs, steps, validation, intervals) and the axes. */
    public Grid grid() {
        return grid;
    }

    /** How the sweep runs: its folder, workers, device, data and fusion level. */
    public Options options() {
        return options;
    }

    /** The file that records the sweep's points: {@code grid.json}, or {@code TABLE-grid.json} for a named table. */
    public Path recordFile() {
        return options.out().resolve(table.equals("sweep") ? GRID_JSON : table + "-" + GRID_JSON);
    }

    /** The sweep's table as CSV. */
    public Path csvFile() {
        return options.out().resolve(table + ".csv");
    }

    /** The sweep's table as Markdown. */
    public Path markdownFile() {
        return options.out().resolve(table + ".md");
    }

    /** The device of every point: the given one, or the cores divided among the workers. */
    public String device() {
        if (options.device() != null) {
            return options.device();
        }
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / options.workers());
        return "jvm:" + threads;
    }

    /** The train arguments of {@code point}: a new run, a resume of its checkpoint, or a new run over a failed start. */
    public List<String> arguments(Grid.Point point) {
        Path folder = options.out().resolve(point.name());
        List<String> a = new ArrayList<>();
        if (Files.isRegularFile(folder.resolve(Checkpoint.FILE))) {
            a.addAll(List.of("--resume", folder.toString()));
        } else {
            a.addAll(List.of("--model", point.model(), "--optimizer", point.optimizer(), "--batch",
                    String.valueOf(point.batch()), "--seed", String.valueOf(point.seed()), "--validation",
                    String.valueOf(grid.validation()), "--log-every", String.valueOf(grid.logEvery()), "--eval-every",
                    String.valueOf(grid.evalEvery()), "--out", folder.toString()));
            if (Files.isDirectory(folder)) {
                a.add("--force"); // an earlier try stopped before its first checkpoint
            }
        }
        a.addAll(List.of("--epochs", String.valueOf(grid.epochs()), "--checkpoint-every",
                String.valueOf(grid.checkpointEvery()), "--device", device()));
        if (grid.steps() > 0) {
            a.addAll(List.of("--steps", String.valueOf(grid.steps())));
        }
        if (options.data() != null) {
            a.addAll(List.of("--data", options.data().toString()));
        }
        if (options.fusion() != null) {
            a.addAll(List.of("--fusion", options.fusion()));
        }
        return a;
    }

    /**
     * Whether {@code point}'s folder holds a run of this grid's length that needs no more work: one
     * that finished, or one that stopped (diverged: θ or the loss became non-finite, or step-size
     * control gave up), which would stop the same way if trained again.
     */
    public boolean finished(Grid.Point point) {
        Path folder = options.out().resolve(point.name());
        try {
            JsonNode record = RunRecord.read(folder);
            String status = record == null ? "" : record.path("status").asText();
            if (!status.equals("finished") && !status.equals("stopped")) {
                return false;
            }
            JsonNode s = record.path("settings");
            return s.path("epochs").asInt() == grid.epochs() && s.path("steps").asLong() == grid.steps();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The exit code of a sweep with {@code results}: 1 where a point failed, after a line on
     * {@code err} from {@code command} that says how many and how to retry them; else 0.
     */
    public static int exitCode(List<Result> results, String command, PrintStream err) {
        long failed = results.stream().filter(r -> r.error() != null).count();
        if (failed == 0) {
            return 0;
        }
        err.println(command + ": " + failed + " of " + results.size() + " points failed (listed above); run the same"
                + " sweep again to retry them");
        return 1;
    }

    /** Runs every point not finished yet, N at a time, then writes the table; returns every point's result. */
    public List<Result> run(PrintStream log) throws IOException, InterruptedException {
        return run(log, this::runAll);
    }

    /** Runs every point not finished yet by {@code scheduler}, then writes the table; returns every point's result. */
    public List<Result> run(PrintStream log, Scheduler scheduler) throws IOException, InterruptedException {
        Files.createDirectories(options.out());
        try (RunLock lock = RunLock.acquire(options.out())) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("optimizer", distinct(Grid.Point::optimizerLabel));
            record.put("lr", distinct(Grid.Point::lr));
            record.put("model", distinct(Grid.Point::model));
            record.put("batch", distinct(Grid.Point::batch));
            record.put("seed", distinct(Grid.Point::seed));
            record.put("epochs", grid.epochs());
            record.put("steps", grid.steps());
            record.put("validation", grid.validation());
            record.put("log_every", grid.logEvery());
            record.put("eval_every", grid.evalEvery());
            record.put("checkpoint_every", grid.checkpointEvery());
            List<Map<String, Object>> list = new ArrayList<>();
            for (Grid.Point p : points) {
                Map<String, Object> q = new LinkedHashMap<>();
                q.put("name", p.name());
                q.put("optimizer", p.optimizer());
                q.put("lr", p.lr());
                q.put("model", p.model());
                q.put("batch", p.batch());
                q.put("seed", p.seed());
                list.add(q);
            }
            record.put("points", list);
            AtomicFile.write(recordFile(), ByteBuffer.wrap((JSON.writeValueAsString(record)
                    + "\n").getBytes(StandardCharsets.UTF_8)));
            List<Grid.Point> todo = new ArrayList<>();
            for (Grid.Point p : points) {
                if (!finished(p)) {
                    todo.add(p);
                }
            }
            int before = points.size() - todo.size();
            log.printf(Locale.ROOT, "sweep: %d points (%s) into %s; %d finished before, %d to run, %d at a time on %s%n",
                    points.size(), axes(), options.out(), before, todo.size(), Math.min(options.workers(),
                            Math.max(1, todo.size())), device());
            Map<String, String> errors = todo.isEmpty() ? Map.of() : scheduler.run(todo, log);
            List<Result> results = new ArrayList<>();
            for (Grid.Point p : points) {
                results.add(result(p, errors.get(p.name())));
            }
            writeTables(results, log);
            return results;
        }
    }

    private String axes() {
        List<String> a = new ArrayList<>();
        int optimizers = distinct(Grid.Point::optimizerLabel).size();
        int lrs = distinct(Grid.Point::lr).size();
        int models = distinct(Grid.Point::model).size();
        int batches = distinct(Grid.Point::batch).size();
        int seeds = distinct(Grid.Point::seed).size();
        a.add(optimizers + " optimizer" + (optimizers > 1 ? "s" : ""));
        if (lrs > 0) {
            a.add(lrs + " lr");
        }
        if (models > 1) {
            a.add(models + " models");
        }
        a.add(batches + " batch" + (batches > 1 ? "es" : ""));
        a.add(seeds + " seed" + (seeds > 1 ? "s" : ""));
        String product = String.join(" × ", a);
        return points.size() == optimizers * Math.max(1, lrs) * models * batches * seeds ? product
                : "of " + product;
    }

    /** Runs {@code todo} on {@code workers} threads; returns the error of each point that failed (not of those that diverged). */
    private Map<String, String> runAll(List<Grid.Point> todo, PrintStream log) throws InterruptedException {
        Map<String, String> errors = new TreeMap<>();
        int total = points.size();
        int before = total - todo.size();
        int workers = Math.min(options.workers(), todo.size());
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "sweep-worker");
            t.setDaemon(true);
            return t;
        });
        Instant start = Instant.now();
        try {
            ExecutorCompletionService<Outcome> done = new ExecutorCompletionService<>(pool);
            List<Future<Outcome>> futures = new ArrayList<>();
            for (Grid.Point p : todo) {
                futures.add(done.submit(() -> runPoint(p)));
            }
            int finished = 0;
            int failed = 0;
            for (int i = 0; i < todo.size(); i++) {
                Outcome outcome;
                try {
                    outcome = done.take().get();
                } catch (java.util.concurrent.ExecutionException e) {
                    outcome = new Outcome("?", "failed", String.valueOf(e.getCause()));
                }
                if (outcome.error() != null) {
                    errors.put(outcome.point(), outcome.error());
                    failed++;
                } else {
                    finished++;
                }
                int completed = i + 1;
                double elapsed = Duration.between(start, Instant.now()).toMillis() / 60000.0;
                int left = todo.size() - completed;
                double eta = elapsed / completed * left;
                log.printf(Locale.ROOT, "sweep: %d/%d done (%d before), %d running, %d failed; %s %s; %.1f min so far,"
                        + " about %.1f min left%n", before + finished + failed, total, before,
                        Math.min(workers, left), failed, outcome.point(), outcome.status(), elapsed, eta);
            }
        } finally {
            pool.shutdownNow();
        }
        return errors;
    }

    /**
     * Trains {@code p} as {@code rkflow train} with {@link #arguments} (a new run or a resume), its
     * output appended to {@value #POINT_LOG} in its folder; never throws: a failure is an outcome.
     */
    public Outcome runPoint(Grid.Point p) {
        Path folder = options.out().resolve(p.name());
        try {
            Files.createDirectories(folder);
            try (OutputStream file = Files.newOutputStream(folder.resolve(POINT_LOG), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND); PrintStream pointLog = new PrintStream(file, true,
                    StandardCharsets.UTF_8)) {
                List<String> args = arguments(p);
                pointLog.println("rkflow train " + String.join(" ", args));
                int code = trainer.train(args, pointLog);
                return switch (code) {
                    case 0 -> new Outcome(p.name(), "finished", null);
                    case 3 -> new Outcome(p.name(), "diverged", null);
                    default -> new Outcome(p.name(), "failed", lastLine(folder.resolve(POINT_LOG), code));
                };
            }
        } catch (Exception | OutOfMemoryError e) {
            return new Outcome(p.name(), "failed", e.toString());
        }
    }

    private static String lastLine(Path file, int code) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("rkflow")) {
                    return lines.get(i) + " (exit code " + code + ")";
                }
            }
        } catch (IOException e) {
            // the code alone
        }
        return "exit code " + code + " (see " + file + ")";
    }

    /** What {@code p}'s run folder says of it. */
    Result result(Grid.Point p, String error) {
        Path folder = options.out().resolve(p.name());
        String status = "not run";
        double test = Double.NaN;
        long evaluations = 0;
        long steps = 0;
        double seconds = 0;
        try {
            JsonNode r = RunRecord.read(folder);
            if (r != null) {
                status = r.path("status").asText();
                if (status.equals("stopped")) {
                    status = "diverged";
                }
                JsonNode fin = r.path("final");
                test = fin.path("test_accuracy").isNumber() ? fin.path("test_accuracy").asDouble() : Double.NaN;
                evaluations = fin.path("gradient_evaluations").asLong();
                steps = fin.path("step").asLong();
                for (JsonNode s : r.path("sessions")) {
                    if (s.path("ended").isTextual()) {
                        seconds += Duration.between(Instant.parse(s.path("started").asText()),
                                Instant.parse(s.path("ended").asText())).toMillis() / 1000.0;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            status = "unreadable";
            error = error != null ? error : e.getMessage();
        }
        double last = Double.NaN;
        double best = Double.NaN;
        try {
            double[] v = MetricsFile.read(folder).column("validation_accuracy");
            for (double x : v) {
                if (!Double.isNaN(x)) {
                    last = x;
                    best = Double.isNaN(best) ? x : Math.max(best, x);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no metrics (a point that failed before its first row)
        }
        if (error != null) {
            status = "failed";
        }
        return new Result(p, status, error, last, best, test, evaluations, steps, seconds);
    }

    private void writeTables(List<Result> results, PrintStream log) throws IOException {
        StringBuilder csv = new StringBuilder("point,optimizer,lr,model,batch,seed,status,final_validation_accuracy,"
                + "best_validation_accuracy,test_accuracy,gradient_evaluations,steps,seconds,error\n");
        for (Result r : results) {
            Grid.Point p = r.point();
            csv.append(String.join(",", p.name(), quote(p.optimizer()), p.lr() == null ? "" : Grid.fmt(p.lr()),
                    quote(p.model()), String.valueOf(p.batch()), String.valueOf(p.seed()), r.status(),
                    num(r.finalValidation()), num(r.bestValidation()), num(r.testAccuracy()),
                    String.valueOf(r.gradientEvaluations()), String.valueOf(r.steps()),
                    String.format(Locale.ROOT, "%.1f", r.seconds()), r.error() == null ? "" : quote(r.error())))
                    .append('\n');
        }
        AtomicFile.write(csvFile(), ByteBuffer.wrap(csv.toString().getBytes(StandardCharsets.UTF_8)));
        StringBuilder md = new StringBuilder();
        md.append("| point | lr | batch | seed | status | final val. acc. | best val. acc. | test acc. | gradient evaluations | s |\n");
        md.append("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            Grid.Point p = r.point();
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %s | %s | %s | %d | %.1f |%n", p.name(),
                    p.lr() == null ? "" : Grid.fmt(p.lr()), p.batch(), p.seed(), r.status(), pct(r.finalValidation()),
                    pct(r.bestValidation()), pct(r.testAccuracy()), r.gradientEvaluations(), r.seconds()));
        }
        String best = bestRates(results);
        if (!best.isEmpty()) {
            md.append('\n').append(best);
        }
        List<String> failures = new ArrayList<>();
        for (Result r : results) {
            if (r.error() != null) {
                failures.add("- " + r.point().name() + ": " + r.error());
            }
        }
        if (!failures.isEmpty()) {
            md.append("\nFailed points (run the sweep again to retry them):\n\n").append(String.join("\n", failures))
                    .append('\n');
        }
        AtomicFile.write(markdownFile(), ByteBuffer.wrap(md.toString().getBytes(StandardCharsets.UTF_8)));
        List<String> plots = plots(results);
        log.print(md);
        log.println("sweep: " + csvFile() + ", " + markdownFile()
                + (plots.isEmpty() ? "" : ", " + String.join(", ", plots)));
    }

    /** Groups of points that differ only in their seed: key → results. */
    private static Map<String, List<Result>> bySettings(List<Result> results) {
        Map<String, List<Result>> groups = new LinkedHashMap<>();
        for (Result r : results) {
            Grid.Point p = r.point();
            groups.computeIfAbsent(p.optimizerLabel() + "|" + p.lr() + "|" + p.model() + "|" + p.batch(),
                    k -> new ArrayList<>()).add(r);
        }
        return groups;
    }

    /**
     * The learning rate chosen for one optimizer, model and batch.
     *
     * @param lr the chosen value, or null where no value has a finite validation accuracy (every one diverged)
     * @param validation the mean final validation accuracy of its seeds
     * @param test the mean test accuracy of its seeds
     * @param testStd their standard deviation
     * @param edge whether the chosen value is the smallest or largest one tried (the optimum may lie outside)
     */
    public record Best(String optimizer, String model, int batch, Double lr, double validation, double test,
            double testStd, boolean edge) {}

    /**
     * Per optimizer, model and batch run at more than one learning rate, the one whose seeds
     * reached the best mean final validation accuracy (never the test accuracy); a tie keeps the
     * smaller rate. Only finished points count: a point that diverged has no final accuracy, even
     * where it logged one before it stopped.
     */
    public static List<Best> best(List<Result> results) {
        Map<String, List<Result>> byKey = new LinkedHashMap<>();
        for (Result r : results) {
            Grid.Point p = r.point();
            if (p.lr() != null) {
                byKey.computeIfAbsent(p.optimizerLabel() + "|" + p.model() + "|" + p.batch(), k -> new ArrayList<>())
                        .add(r);
            }
        }
        List<Best> out = new ArrayList<>();
        for (List<Result> group : byKey.values()) {
            TreeMap<Double, List<Result>> byRate = new TreeMap<>();
            for (Result r : group) {
                byRate.computeIfAbsent(r.point().lr(), k -> new ArrayList<>()).add(r);
            }
            if (byRate.size() < 2) {
                continue;
            }
            Grid.Point p = group.get(0).point();
            Best b = new Best(p.optimizerLabel(), p.model(), p.batch(), null, Double.NaN, Double.NaN, Double.NaN,
                    false);
            for (Map.Entry<Double, List<Result>> e : byRate.entrySet()) {
                double[] val = stats(e.getValue().stream().mapToDouble(r -> r.status().equals("finished")
                        ? r.finalValidation() : Double.NaN).toArray());
                if (Double.isFinite(val[0]) && (b.lr() == null || val[0] > b.validation())) {
                    double[] test = stats(e.getValue().stream().mapToDouble(Result::testAccuracy).toArray());
                    boolean edge = e.getKey().equals(byRate.firstKey()) || e.getKey().equals(byRate.lastKey());
                    b = new Best(p.optimizerLabel(), p.model(), p.batch(), e.getKey(), val[0], test[0], test[1], edge);
                }
            }
            out.add(b);
        }
        return out;
    }

    /** The best learning rates as a Markdown table; empty when no lr varies. */
    static String bestRates(List<Result> results) {
        List<Best> best = best(results);
        if (best.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("Best learning rate per optimizer, by mean final validation accuracy over"
                + " seeds:\n\n| optimizer | model | batch | best lr | validation acc. | test acc. (mean ± std) |\n"
                + "|---|---|---:|---:|---:|---:|\n");
        for (Best b : best) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s ± %s |%n", b.optimizer(), b.model(),
                    b.batch(), b.lr() == null ? "– (all diverged)" : Grid.fmt(b.lr()) + (b.edge() ? " (grid edge)" : ""),
                    pct(b.validation()), pct(b.test()), pct(b.testStd())));
        }
        return md.toString();
    }

    /** {mean, std} of the finite values; NaN when none. */
    static double[] stats(double[] xs) {
        double s = 0;
        int n = 0;
        for (double x : xs) {
            if (Double.isFinite(x)) {
                s += x;
                n++;
            }
        }
        if (n == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double mean = s / n;
        double v = 0;
        for (double x : xs) {
            if (Double.isFinite(x)) {
                v += (x - mean) * (x - mean);
            }
        }
        return new double[] {mean, n > 1 ? Math.sqrt(v / (n - 1)) : 0};
    }

    /** A plot per varying axis (lr, batch): test (and, for lr, validation) accuracy, mean ± std over seeds. */
    private List<String> plots(List<Result> results) throws IOException {
        List<String> written = new ArrayList<>();
        if (lrVaries()) {
            written.add(plotAxis(results, "lr", r -> r.point().lr(), true, Result::finalValidation,
                    "final validation accuracy (%)"));
        }
        if (distinct(Grid.Point::batch).size() > 1) {
            written.add(plotAxis(results, "batch", r -> (double) r.point().batch(), true, Result::testAccuracy,
                    "test accuracy (%)"));
        }
        return written;
    }

    private String plotAxis(List<Result> results, String axis, java.util.function.ToDoubleFunction<Result> x,
            boolean logX, java.util.function.ToDoubleFunction<Result> y, String yLabel) throws IOException {
        Map<String, TreeMap<Double, List<Double>>> series = new LinkedHashMap<>();
        for (Result r : results) {
            Grid.Point p = r.point();
            String label = p.optimizerLabel() + (axis.equals("batch") || distinct(Grid.Point::batch).size() == 1 ? ""
                    : " batch " + p.batch()) + (distinct(Grid.Point::model).size() > 1 ? " " + p.model() : "")
                    + (axis.equals("lr") || p.lr() == null ? "" : " lr " + Grid.fmt(p.lr()));
            series.computeIfAbsent(label, k -> new TreeMap<>()).computeIfAbsent(x.applyAsDouble(r),
                    k -> new ArrayList<>()).add(y.applyAsDouble(r));
        }
        List<LinePlot.Series> lines = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Double, List<Double>>> e : series.entrySet()) {
            List<double[]> pts = new ArrayList<>();
            for (Map.Entry<Double, List<Double>> q : e.getValue().entrySet()) {
                double[] st = stats(q.getValue().stream().mapToDouble(Double::doubleValue).toArray());
                if (Double.isFinite(st[0])) {
                    pts.add(new double[] {q.getKey(), 100 * st[0], 100 * st[1]});
                }
            }
            if (!pts.isEmpty()) {
                lines.add(new LinePlot.Series(e.getKey(), pts.stream().mapToDouble(p -> p[0]).toArray(),
                        pts.stream().mapToDouble(p -> p[1]).toArray(), pts.stream().mapToDouble(p -> p[2]).toArray()));
            }
        }
        Path png = options.out().resolve(table + "-" + axis + ".png");
        if (lines.isEmpty()) {
            return png + " (not drawn: no point has a value)";
        }
        LinePlot.write(png, yLabel + " by " + axis, axis, yLabel, lines,
                new LinePlot.Style(LinePlot.WIDTH, LinePlot.HEIGHT, logX, false));
        return png.toString();
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6f", v) : "";
    }

    private static String pct(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f%%", 100 * v) : "–";
    }
}
