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
        SweepComparison.assertSameAsSweep(spark, out, reference, SweepComparison.rkflowSweep(gridArgs, grid, reference));
        assertTrue(Files.readString(out.resolve(Sweep.TABLE_MD)).contains("| adam-lr1e-2_b4_s2 |"));
    }

    /** A CSV file's lines without its {@code seconds} column (wall time is the one number allowed to differ). */
    private static List<String> withoutSeconds(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        int col = List.of(lines.get(0).split(",")).indexOf("seconds");
        assertTrue(col >= 0, lines.get(0));
        return lines.stream().map(l -> {
            List<String> f = new ArrayList<>(List.of(l.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", -1)));
            f.remove(col);
            return String.join(",", f);
        }).toList();
    }

    @Test
    void theIngredientsExperimentOnSparkHasTheNumbersOfTheLocalOne(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        List<String> settings = List.of("--model", "6-8-10:relu", "--batch", "4", "--epochs", "1", "--seeds", "2",
                "--validation", "4", "--data", data.toString());
        Path out = dir.resolve("spark");
        List<String> args = new ArrayList<>(settings);
        args.addAll(List.of("--out", out.toString()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = IngredientsJob.execute(args.toArray(String[]::new), () -> spark,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, log);
        assertTrue(log.contains("points on Spark in"), log);
        int searchRuns = io.rkflow.train.experiment.Ingredients.methods().stream().mapToInt(m -> m.lrs().size()).sum();
        assertTrue(log.contains("0 finished before, " + searchRuns + " to run, 2 at a time on jvm:1 (spark.task.cpus)"),
                log);
        Path local = dir.resolve("local");
        List<String> localArgs = new ArrayList<>(List.of("experiment", "ingredients"));
        localArgs.addAll(settings);
        localArgs.addAll(List.of("--workers", "2", "--device", "jvm:1", "--out", local.toString()));
        assertEquals(0, Main.commandLine().execute(localArgs.toArray(String[]::new)), "rkflow " + localArgs);
        for (String file : List.of("ingredients.md", "ingredients.csv")) {
            assertEquals(Files.readString(local.resolve(file)), Files.readString(out.resolve(file)), file);
        }
        for (String file : List.of("search.csv", "seeds.csv")) {
            assertEquals(withoutSeconds(local.resolve(file)), withoutSeconds(out.resolve(file)), file);
        }
    }

    @Test
    void aFailedPointIsListedTheOthersFinishAndARunAgainRunsOnlyWhatIsNotFinished(@TempDir Path dir)
            throws Exception {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path gridFile = dir.resolve("grid.json");
        Grid grid = SweepComparison.gridFile(gridFile, "{\"optimizer\": [\"rk4+h(0.1)\"], \"model\": \"6-8-10:relu\","
                + " \"batch\": [4], \"seeds\": 3, \"epochs\": 3, \"steps\": 4, \"validation\": 4, \"log_every\": 1,"
                + " \"checkpoint_every\": 1}");
        List<Grid.Point> points = grid.points();
        Path out = dir.resolve("spark");
        // point 1 fails: its metrics.csv is a folder
        Grid.Point broken = points.get(1);
        Files.createDirectories(out.resolve(broken.name()).resolve("metrics.csv"));
        List<String> args = List.of("--grid", gridFile.toString(), "--data", data.toString(), "--out", out.toString());
        String[] first = job(args);
        assertEquals("1", first[0], first[1]);
        List<Row> rows = SweepComparison.parquet(spark, out);
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
        assertEquals(List.of("finished", "finished", "finished"), SweepComparison.parquet(spark, out).stream()
                .map(r -> (String) r.getAs("status")).toList());
        assertFalse(Files.readString(out.resolve(Sweep.TABLE_MD)).contains("Failed points"));
    }

    @Test
    void aSparkJobThatAbortsFailsTheUnfinishedPointsWithItsError(@TempDir Path dir) {
        Grid grid = new Grid(List.of("rk4"), List.of(), List.of("6-8-10:relu"), List.of(4), Grid.seeds(2), 1, 1, 0, 1,
                0, 1);
        Sweep sweep = new Sweep(grid, new Sweep.Options(dir, 2, "jvm:1", null, null), Main::train);
        java.util.Map<String, String> errors = SweepJob.runTasks(spark, i -> {
            throw new IllegalStateException("a task that never ends well");
        }, sweep, grid.points(), new PrintStream(java.io.OutputStream.nullOutputStream()));
        assertEquals(grid.points().stream().map(Grid.Point::name).collect(java.util.stream.Collectors.toSet()),
                errors.keySet());
        errors.values().forEach(e -> assertTrue(e.startsWith("the Spark job failed: ")
                && e.contains("a task that never ends well") && !e.contains("\n"), e));
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
