package io.rkflow.train.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.data.IdxFiles;
import io.rkflow.train.Checkpoint;
import io.rkflow.train.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep runs its points in parallel with the numbers of separate runs, continues where it
 * stopped (finished points skipped, interrupted ones resumed, failed ones retried), keeps going
 * when a point fails, and writes one table.
 */
class SweepTest {

    private static Grid grid(List<String> optimizers, long steps) {
        return new Grid(optimizers, List.of(), List.of("6-8-10:relu"), List.of(2, 4), Grid.seeds(2), 3, steps, 4, 1,
                0, 1);
    }

    private static Sweep sweep(Grid grid, Path out, Path data, int workers) {
        return new Sweep(grid, new Sweep.Options(out, workers, "jvm:1", data, null), Main::train);
    }

    private static String run(Sweep s, List<Sweep.Result> into) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        into.addAll(s.run(new PrintStream(log, true, StandardCharsets.UTF_8)));
        return log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void parallelPointsHaveTheNumbersOfSeparateRunsAndOneTable(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Grid g = grid(List.of("rk4+h(0.1)", "adam(lr=1e-2)"), 5);
        List<Sweep.Result> results = new ArrayList<>();
        String log = run(sweep(g, dir.resolve("sweep"), data, 2), results);
        assertEquals(8, results.size(), log);
        for (Sweep.Result r : results) {
            assertEquals("finished", r.status(), r.point().name() + ": " + r.error());
            assertEquals(5, r.steps());
            assertTrue(r.finalValidation() >= 0 && r.testAccuracy() >= 0);
        }
        assertTrue(log.contains("sweep: 8/8 done (0 before), 0 running, 0 failed"), log);
        // one point again, alone, as rkflow train: the same parameters bit for bit
        Grid.Point p = results.get(5).point();
        Path alone = dir.resolve("alone");
        int code = Main.train(List.of("--data", data.toString(), "--model", p.model(), "--optimizer", p.optimizer(),
                "--batch", String.valueOf(p.batch()), "--seed", String.valueOf(p.seed()), "--validation", "4",
                "--log-every", "1", "--epochs", "3", "--steps", "5", "--device", "jvm:1", "--out", alone.toString()),
                new PrintStream(OutputStream.nullOutputStream()));
        assertEquals(0, code);
        assertArrayEquals(Checkpoint.read(alone.resolve(Checkpoint.FILE)).theta(),
                Checkpoint.read(dir.resolve("sweep").resolve(p.name()).resolve(Checkpoint.FILE)).theta());
        List<String> csv = Files.readAllLines(dir.resolve("sweep").resolve(Sweep.TABLE_CSV));
        assertEquals(9, csv.size());
        assertTrue(csv.get(0).startsWith("point,optimizer,lr,model,batch,seed,status,final_validation_accuracy,"
                + "best_validation_accuracy,test_accuracy,gradient_evaluations,steps,seconds"), csv.get(0));
        assertTrue(Files.readString(dir.resolve("sweep").resolve(Sweep.TABLE_MD)).contains("| adam-lr1e-2_b4_s2 |"));
        assertTrue(Files.isRegularFile(dir.resolve("sweep").resolve("sweep-batch.png")));
    }

    @Test
    void aSweepRunAgainSkipsFinishedPointsResumesInterruptedOnesAndRetriesFailedOnes(@TempDir Path dir)
            throws Exception {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path out = dir.resolve("sweep");
        Grid g = grid(List.of("rk4+h(0.1)"), 6);
        List<Grid.Point> points = g.points();
        // point 1 "interrupted": it ran 3 of its 6 steps; point 2 "fails": its metrics.csv is a folder
        Grid.Point interrupted = points.get(1);
        assertEquals(0, Main.train(new Sweep(grid(List.of("rk4+h(0.1)"), 3), new Sweep.Options(out, 1, "jvm:1", data,
                null), Main::train).arguments(interrupted), new PrintStream(OutputStream.nullOutputStream())));
        Grid.Point broken = points.get(2);
        Files.createDirectories(out.resolve(broken.name()).resolve("metrics.csv"));
        List<Sweep.Result> first = new ArrayList<>();
        run(sweep(g, out, data, 2), first);
        assertEquals(3, Checkpoint.read(out.resolve(interrupted.name()).resolve(Checkpoint.FILE)).step() - 3,
                "resumed from step 3 to 6");
        Sweep.Result failed = first.get(2);
        assertEquals("failed", failed.status());
        assertNotNull(failed.error());
        assertEquals(List.of("finished", "finished", "failed", "finished"),
                first.stream().map(Sweep.Result::status).toList(), "a failed point does not stop the others");
        assertTrue(Files.readString(out.resolve(Sweep.TABLE_MD)).contains("Failed points"));
        // its theta is the uninterrupted one's
        Path whole = dir.resolve("whole");
        List<Sweep.Result> wholeResults = new ArrayList<>();
        run(sweep(g, whole, data, 1), wholeResults);
        assertArrayEquals(Checkpoint.read(whole.resolve(interrupted.name()).resolve(Checkpoint.FILE)).theta(),
                Checkpoint.read(out.resolve(interrupted.name()).resolve(Checkpoint.FILE)).theta());
        // fixed, run again: only the failed point runs
        Files.delete(out.resolve(broken.name()).resolve("metrics.csv"));
        List<Sweep.Result> second = new ArrayList<>();
        String log = run(sweep(g, out, data, 2), second);
        assertTrue(log.contains("3 finished before, 1 to run"), log);
        assertEquals(List.of("finished", "finished", "finished", "finished"),
                second.stream().map(Sweep.Result::status).toList());
        assertNull(second.get(2).error());
        assertFalse(Files.readString(out.resolve(Sweep.TABLE_MD)).contains("Failed points"));
    }

    @Test
    void aDivergedPointIsAResultNotAFailure(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Grid g = new Grid(List.of("euler"), List.of(0.1, 1e30), List.of("6-8-10:relu"), List.of(4), List.of(1L), 1, 3,
                4, 1, 0, 1);
        List<Sweep.Result> results = new ArrayList<>();
        run(sweep(g, dir.resolve("sweep"), data, 1), results);
        assertEquals(List.of("finished", "diverged"), results.stream().map(Sweep.Result::status).toList());
        assertNull(results.get(1).error());
        String md = Files.readString(dir.resolve("sweep").resolve(Sweep.TABLE_MD));
        // the diverged rate is never chosen, even where it logged an accuracy before it stopped; 0.1 is
        // the smallest rate tried, so the table flags it as the grid's edge
        assertTrue(md.contains("| euler | 6-8-10:relu | 4 | 0.1 (grid edge) |"), md);
        // a result, not something left to do: run again, nothing trains, the diverged point stays diverged
        List<Sweep.Result> again = new ArrayList<>();
        String log = run(sweep(g, dir.resolve("sweep"), data, 1), again);
        assertTrue(log.contains("2 finished before, 0 to run"), log);
        assertEquals(List.of("finished", "diverged"), again.stream().map(Sweep.Result::status).toList());
    }

    @Test
    void twoSweepsCannotShareAFolder(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("sweep");
        try (io.rkflow.train.RunLock held = io.rkflow.train.RunLock.acquire(out)) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> sweep(grid(List.of("rk4"), 1), out, dir, 1).run(new PrintStream(OutputStream.nullOutputStream())));
            assertTrue(e.getMessage().contains("is in use by another run"), e.getMessage());
        }
    }

    @Test
    void theCoresAreDividedAmongTheWorkers() throws IOException {
        Sweep s = new Sweep(grid(List.of("rk4"), 1), new Sweep.Options(Path.of("x"), 2, null, null, null), Main::train);
        assertEquals("jvm:" + Math.max(1, Runtime.getRuntime().availableProcessors() / 2), s.device());
    }
}
