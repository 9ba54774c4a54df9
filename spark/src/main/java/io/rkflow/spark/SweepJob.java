package io.rkflow.spark;

import io.rkflow.train.cli.GridOptions;
import io.rkflow.train.cli.Main;
import io.rkflow.train.sweep.Grid;
import io.rkflow.train.sweep.Sweep;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code rkflow sweep} on Apache Spark, for grids that outgrow one machine: the same grid and the
 * same run folders, one Spark task per point (one partition per point), each task training its
 * point exactly as the sweep does ({@link Sweep#runPoint}) into the shared {@code --out}. The
 * driver skips finished points, writes the sweep's {@code sweep.csv} and {@code sweep.md}, and the
 * table as a DataFrame in {@value SweepTable#CSV}/ and {@value SweepTable#PARQUET}/. A failed
 * point does not stop the others; it is listed, and the job exits with 1 at the end.
 *
 * <pre>{@code spark-submit --master spark://HOST:7077 --class io.rkflow.spark.SweepJob \
 *     spark/target/rkflow-spark.jar --grid grid.json --out /shared/sweep --data /shared/fashion-mnist}</pre>
 */
@Command(name = "io.rkflow.spark.SweepJob", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"rkflow sweep on Apache Spark: the grid below, one Spark task per point, each point a run"
            + " folder under --out (a path the driver and every executor share); run it again to continue"
            + " (finished points are skipped, interrupted ones resumed, failed ones tried again).",
            "Writes sweep.csv, sweep.md and the table as Spark's spark-table.csv/ and spark-table.parquet/.",
            "Submit it: spark-submit --master spark://HOST:7077 --class io.rkflow.spark.SweepJob"
                + " rkflow-spark.jar --grid grid.json --out /shared/sweep"})
public final class SweepJob implements Callable<Integer> {

    @Mixin
    GridOptions grid;

    @Mixin
    JobOptions job;

    private final Supplier<SparkSession> session;
    private final PrintStream log;

    private SweepJob(Supplier<SparkSession> session, PrintStream log) {
        this.session = session;
        this.log = log;
    }

    /** The entry point of {@code spark-submit}: runs the job on the session it configures, exits with its code. */
    public static void main(String[] args) {
        System.exit(submitted(args, "sweep", session -> new SweepJob(session, System.out)));
    }

    /**
     * Runs the job with {@code args} on the session {@code session} gives (asked only once the
     * arguments are valid); returns the exit code: 0, 1 when a point failed or the job could not
     * run, 2 for bad arguments.
     */
    public static int execute(String[] args, Supplier<SparkSession> session, PrintStream log) {
        return execute(new SweepJob(session, log), "sweep", args);
    }

    /**
     * The exit code of {@code job} (a picocli command) with {@code args}: its own, or 2 for bad
     * arguments and bad files, 1 for anything else that stopped it, with one line on its error
     * stream that starts with {@code rkflow spark NAME:}.
     */
    static int execute(Object job, String name, String[] args) {
        CommandLine cl = new CommandLine(job);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("rkflow spark " + name + ": " + e.getMessage());
            return e instanceof IllegalArgumentException || e instanceof io.rkflow.models.io.BadFileException ? 2 : 1;
        });
        return cl.execute(args);
    }

    /**
     * The exit code of the job {@code jobs} makes, run with {@code args} as {@code spark-submit}
     * started it: on the session it configures (started only once the arguments are valid, then
     * stopped), named {@code rkflow NAME} in the cluster's UI.
     */
    static int submitted(String[] args, String name,
            java.util.function.Function<Supplier<SparkSession>, Object> jobs) {
        SparkSession[] started = new SparkSession[1];
        int code = execute(jobs.apply(() -> started[0] = SparkSession.builder().appName("rkflow " + name)
                .getOrCreate()), name, args);
        if (started[0] != null) {
            started[0].stop();
        }
        return code;
    }

    @Override
    public Integer call() throws Exception {
        Grid g = grid.grid();
        job.check();
        SparkSession spark = session.get();
        Sweep sweep = new Sweep(g, job.sweepOptions(spark), Main::train);
        List<Sweep.Result> results = sweep.run(log, job.scheduler(spark, sweep));
        SweepTable.write(spark, results, job.folder(), log);
        return Sweep.exitCode(results, "rkflow spark sweep", System.err);
    }

    /**
     * Runs {@code todo} as one Spark job, a task per point that {@code train} trains; returns the
     * errors of the points that failed.
     */
    static Map<String, String> runTasks(SparkSession spark, Function<Grid.Point, Sweep.Outcome> train, Sweep sweep,
            List<Grid.Point> todo, PrintStream log) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        sc.setJobDescription("rkflow sweep: " + todo.size() + " points");
        Map<String, String> errors = new TreeMap<>();
        List<Sweep.Outcome> outcomes;
        long start = System.nanoTime();
        try {
            outcomes = sc.parallelize(todo, todo.size()).map(train).collect();
        } catch (Exception e) { // Spark's SparkException, a checked exception Scala throws undeclared
            // The job aborted (a task's executor lost spark.task.maxFailures times): what the run
            // folders say of each point is what is known; every unfinished one is a failure.
            String why = "the Spark job failed: " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            outcomes = new ArrayList<>();
            for (Grid.Point p : todo) {
                outcomes.add(sweep.finished(p) ? new Sweep.Outcome(p.name(), "finished", null)
                        : new Sweep.Outcome(p.name(), "failed", why));
            }
        }
        for (Sweep.Outcome o : outcomes) {
            if (o.error() != null) {
                errors.put(o.point(), o.error());
            }
            log.println("sweep: " + o.point() + " " + o.status());
        }
        log.printf(Locale.ROOT, "sweep: %d points on Spark in %.1f min, %d failed%n", todo.size(),
                (System.nanoTime() - start) / 6e10, errors.size());
        return errors;
    }
}
