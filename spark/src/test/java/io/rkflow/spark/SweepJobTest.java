package io.rkflow.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.data.IdxFiles;
import io.rkflow.train.Checkpoint;
import io.rkflow.train.cli.Main;
import io.rkflow.train.sweep.Grid;
import io.rkflow.train.sweep.Sweep;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.launcher.JavaModuleOptions;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job in local mode ({@code local[2]}, two task slots in this JVM) runs a grid with the
 * numbers of {@code rkflow sweep}, continues where it stopped, and keeps going when a point fails.
 */
class SweepJobTest {

    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("SweepJobTest")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** Runs the job on the test's session; {exit code as a string, its log}. */
    static String[] job(List<String> args) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int code = SweepJob.execute(args.toArray(String[]::new), () -> spark,
                new PrintStream(log, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(code), log.toString(StandardCharsets.UTF_8)};
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
    static List<Row> parquet(Path out) {
        return spark.read().parquet(out.resolve(SweepTable.PARQUET).toString()).orderBy("point").collectAsList();
    }

    /**
     * Asserts that the Spark job's table and run folders under {@code out} are those of
     * {@code reference}, run by rkflow sweep: the same status, validation and test accuracy,
     * gradient evaluations and steps for every point (the Parquet table and sweep.csv), the same
     * {@code rkflow train} arguments, and the same final parameters bit for bit.
     */
    static void assertSameAsSweep(Path out, Path referenceOut, List<Sweep.Result> reference) throws Exception {
        assertEquals(tableWithoutTimes(referenceOut), tableWithoutTimes(out));
        List<Row> rows = parquet(out);
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

    @Test
    void theJobsTableAndRunsAreThoseOfRkflowSweep(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        List<String> gridArgs = List.of("--optimizer", "rk4+h(0.1),adam(lr=1e-2)", "--model", "6-8-10:relu", "--batch",
                "4", "--seeds", "2", "--epochs", "3", "--steps", "5", "--validation", "4", "--log-every", "1",
                "--checkpoint-every", "1", "--data", data.toString());
        Path out = dir.resolve("spark");
        List<String> args = new ArrayList<>(gridArgs);
        args.addAll(List.of("--out", out.toString()));
        String[] job = job(args);
        assertEquals("0", job[0], job[1]);
        assertTrue(job[1].contains("sweep: 4 points (2 optimizers × 1 batch × 2 seeds)"), job[1]);
        assertTrue(job[1].contains("0 finished before, 4 to run"), job[1]);
        Grid grid = new Grid(List.of("rk4+h(0.1)", "adam(lr=1e-2)"), List.of(), List.of("6-8-10:relu"), List.of(4),
                Grid.seeds(2), 3, 5, 4, 1, 0, 1);
        Path reference = dir.resolve("sweep");
        assertSameAsSweep(out, reference, rkflowSweep(gridArgs, grid, reference));
        assertTrue(Files.readString(out.resolve(Sweep.TABLE_MD)).contains("| adam-lr1e-2_b4_s2 |"));
    }

    @Test
    void aFailedPointIsListedTheOthersFinishAndARunAgainRunsOnlyWhatIsNotFinished(@TempDir Path dir)
            throws Exception {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path gridFile = dir.resolve("grid.json");
        Files.writeString(gridFile, "{\"optimizer\": [\"rk4+h(0.1)\"], \"model\": \"6-8-10:relu\", \"batch\": [4],"
                + " \"seeds\": 3, \"epochs\": 3, \"steps\": 4, \"validation\": 4, \"log_every\": 1,"
                + " \"checkpoint_every\": 1}");
        Grid grid = Grid.read(gridFile, new Grid(List.of("rk4"), List.of(), List.of("6-8-10:relu"), List.of(4),
                List.of(1L), 1, 0, 0, 1, 0, 1));
        List<Grid.Point> points = grid.points();
        Path out = dir.resolve("spark");
        // point 1 fails: its metrics.csv is a folder
        Grid.Point broken = points.get(1);
        Files.createDirectories(out.resolve(broken.name()).resolve("metrics.csv"));
        List<String> args = List.of("--grid", gridFile.toString(), "--data", data.toString(), "--out", out.toString());
        String[] first = job(args);
        assertEquals("1", first[0], first[1]);
        List<Row> rows = parquet(out);
        assertEquals(List.of("finished", "failed", "finished"), rows.stream().map(r -> (String) r.getAs("status"))
                .toList(), first[1]);
        assertNotNull(rows.get(1).getAs("error"));
        assertNull(rows.get(0).getAs("error"));
        assertTrue(Files.readString(out.resolve(Sweep.TABLE_MD)).contains("Failed points"));
        Path done = out.resolve(points.get(0).name()).resolve(Checkpoint.FILE);
        byte[] doneBytes = Files.readAllBytes(done);
        FileTime doneTime = Files.getLastModifiedTime(done);
        // fixed, run again: only the failed point trains
        Files.delete(out.resolve(broken.name()).resolve("metrics.csv"));
        String[] second = job(args);
        assertEquals("0", second[0], second[1]);
        assertTrue(second[1].contains("2 finished before, 1 to run"), second[1]);
        assertTrue(second[1].contains("sweep: " + broken.name() + " finished"), second[1]);
        assertFalse(second[1].contains("sweep: " + points.get(0).name() + " finished"), second[1]);
        assertArrayEquals(doneBytes, Files.readAllBytes(done));
        assertEquals(doneTime, Files.getLastModifiedTime(done), "a finished point is not trained again");
        assertEquals(List.of("finished", "finished", "finished"), parquet(out).stream()
                .map(r -> (String) r.getAs("status")).toList());
        assertFalse(Files.readString(out.resolve(Sweep.TABLE_MD)).contains("Failed points"));
    }

    @Test
    void badArgumentsAreExitCodeTwoBeforeSparkIsAsked(@TempDir Path dir) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int code = SweepJob.execute(new String[] {"--optimizer", "nosuch", "--out", dir.toString()}, () -> {
            throw new AssertionError("no session for bad arguments");
        }, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertEquals(2, SweepJob.execute(new String[] {"--batch", "4"}, () -> {
            throw new AssertionError("no session without --out");
        }, new PrintStream(log, true, StandardCharsets.UTF_8)));
    }

    @Test
    void theTestsRunWithTheJvmOptionsSparksLauncherGivesEveryJvm() {
        List<String> jvm = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String option : JavaModuleOptions.defaultModuleOptionArray()) {
            assertTrue(jvm.contains(option), option + " (spark.module.args in spark/pom.xml)");
        }
    }
}
