package io.rkflow.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rkflow.train.Checkpoint;
import io.rkflow.train.cli.Main;
import io.rkflow.train.sweep.Grid;
import io.rkflow.train.sweep.Sweep;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The Spark job's table and run folders against those of {@code rkflow sweep} on the same grid. */
final class SweepComparison {

    private SweepComparison() {}

    /** Writes {@code json} into the grid file {@code file}; returns the grid it reads as. */
    static Grid gridFile(Path file, String json) throws java.io.IOException {
        Files.writeString(file, json);
        return Grid.read(file, new Grid(List.of("rk4"), List.of(), List.of("6-8-10:relu"), List.of(4), List.of(1L), 1,
                0, 0, 1, 0, 1));
    }

    /** {@code sweep.csv} without its wall-time column: what two sweeps of the same grid agree on. */
    static List<String> tableWithoutTimes(Path sweep) throws Exception {
        List<String> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(sweep.resolve(Sweep.TABLE_CSV));
        int seconds = List.of(lines.get(0).split(",")).indexOf("seconds");
        for (String line : lines) {
            List<String> cells = new ArrayList<>(List.of(line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", -1)));
            cells.remove(seconds);
            out.add(String.join(",", cells));
        }
        return out;
    }

    /** The Parquet table of a job, one row per point in the grid's order. */
    static List<Row> parquet(SparkSession spark, Path out) {
        return spark.read().parquet(out.resolve(SweepTable.PARQUET).toString()).orderBy("point").collectAsList();
    }

    /**
     * Asserts that the Spark job's table and run folders under {@code out} are those of
     * {@code reference}, run by rkflow sweep: the same status, validation and test accuracy,
     * gradient evaluations and steps for every point (the Parquet table and sweep.csv), the same
     * {@code rkflow train} arguments, and the same final parameters bit for bit.
     */
    static void assertSameAsSweep(SparkSession spark, Path out, Path referenceOut, List<Sweep.Result> reference)
            throws Exception {
        assertEquals(tableWithoutTimes(referenceOut), tableWithoutTimes(out));
        List<Row> rows = parquet(spark, out);
        List<Sweep.Result> sorted = reference.stream()
                .sorted(java.util.Comparator.comparing(r -> r.point().name())).toList();
        assertEquals(sorted.size(), rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            Sweep.Result r = sorted.get(i);
            Grid.Point p = r.point();
            assertEquals(p.name(), row.getAs("point"));
            assertEquals(p.optimizer(), row.getAs("optimizer"));
            assertEquals(p.batch(), (int) row.getAs("batch"));
            assertEquals(p.seed(), (long) row.getAs("seed"));
            assertEquals(r.status(), row.getAs("status"));
            assertEquals(r.finalValidation(), (double) row.getAs("final_validation_accuracy"), 0.0, p.name());
            assertEquals(r.bestValidation(), (double) row.getAs("best_validation_accuracy"), 0.0, p.name());
            assertEquals(r.testAccuracy(), (double) row.getAs("test_accuracy"), 0.0, p.name());
            assertEquals(r.gradientEvaluations(), (long) row.getAs("gradient_evaluations"), p.name());
            assertEquals(r.steps(), (long) row.getAs("steps"), p.name());
            Path sparkRun = out.resolve(p.name());
            Path sweepRun = referenceOut.resolve(p.name());
            assertEquals(Files.readAllLines(sweepRun.resolve(Sweep.POINT_LOG)).get(0).replace(referenceOut.toString(),
                    "OUT"), Files.readAllLines(sparkRun.resolve(Sweep.POINT_LOG)).get(0).replace(out.toString(), "OUT"),
                    "the same rkflow train arguments, the device jvm:1 included");
            assertArrayEquals(Checkpoint.read(sweepRun.resolve(Checkpoint.FILE)).theta(),
                    Checkpoint.read(sparkRun.resolve(Checkpoint.FILE)).theta(), p.name());
        }
        List<Row> csv = spark.read().option("header", true).csv(out.resolve(SweepTable.CSV).toString())
                .collectAsList();
        assertEquals(rows.size(), csv.size(), "the CSV table has a row per point");
    }

    /**
     * Runs {@code rkflow sweep GRID --workers 2 --device jvm:1 --out REFERENCE} (the device the
     * job's tasks choose when spark.task.cpus is 1); returns its results, read from its run folders.
     */
    static List<Sweep.Result> rkflowSweep(List<String> gridArgs, Grid grid, Path reference) throws Exception {
        List<String> args = new ArrayList<>(List.of("sweep"));
        args.addAll(gridArgs);
        args.addAll(List.of("--workers", "2", "--device", "jvm:1", "--out", reference.toString()));
        assertEquals(0, Main.commandLine().execute(args.toArray(String[]::new)), "rkflow " + args);
        // a sweep of finished points trains nothing: it reads their results
        List<Sweep.Result> results = new Sweep(grid, new Sweep.Options(reference, 1, "jvm:1", null, null), Main::train)
                .run(new PrintStream(java.io.OutputStream.nullOutputStream()));
        results.forEach(r -> assertEquals("finished", r.status(), r.point().name() + ": " + r.error()));
        return results;
    }
}
