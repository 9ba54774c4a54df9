package io.rkflow.spark;

import io.rkflow.train.cli.IngredientsOptions;
import io.rkflow.train.cli.Main;
import io.rkflow.train.experiment.Ingredients;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code rkflow experiment ingredients} on Apache Spark: the same two phases (the step-size search,
 * then the seeds at each chosen value), each a sweep whose points run as Spark tasks, one task per
 * run, into the shared {@code --out}; the same files ({@code ingredients.md}, {@code .csv}, the
 * plots, {@code search.csv}, {@code seeds.csv} and every run's folder). Run it again to continue.
 *
 * <pre>{@code spark-submit --master spark://HOST:7077 --class io.rkflow.spark.IngredientsJob \
 *     spark/target/rkflow-spark.jar --out /shared/ingredients --data /shared/fashion-mnist}</pre>
 */
@Command(name = "io.rkflow.spark.IngredientsJob", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"rkflow experiment ingredients on Apache Spark: each phase's runs as Spark tasks, one task"
            + " per run, each run a folder under --out (a path the driver and every executor share); run it again"
            + " to continue where it stopped.",
            "Submit it: spark-submit --master spark://HOST:7077 --class io.rkflow.spark.IngredientsJob"
                + " rkflow-spark.jar --out /shared/ingredients"})
public final class IngredientsJob implements Callable<Integer> {

    @Mixin
    IngredientsOptions settings;

    @Mixin
    JobOptions job;

    private final Supplier<SparkSession> session;
    private final PrintStream log;

    private IngredientsJob(Supplier<SparkSession> session, PrintStream log) {
        this.session = session;
        this.log = log;
    }

    /** The entry point of {@code spark-submit}: runs the job on the session it configures, exits with its code. */
    public static void main(String[] args) {
        System.exit(SweepJob.submitted(args, "ingredients", session -> new IngredientsJob(session, System.out)));
    }

    /** Runs the job with {@code args} on the session {@code session} gives; returns the exit code (2: bad arguments). */
    public static int execute(String[] args, Supplier<SparkSession> session, PrintStream log) {
        return SweepJob.execute(new IngredientsJob(session, log), "ingredients", args);
    }

    @Override
    public Integer call() throws Exception {
        Ingredients.Settings s = settings.settings();
        job.check();
        SparkSession spark = session.get();
        long t0 = System.nanoTime();
        List<String> lines = new Ingredients(s).run(job.sweepOptions(spark), Main::train, log,
                sweep -> job.scheduler(spark, sweep));
        lines.forEach(log::println);
        log.printf("done in %.1f min%n", (System.nanoTime() - t0) / 6e10);
        return 0;
    }
}
