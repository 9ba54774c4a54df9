package io.rkflow.train.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.io.BadFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A grid is the cartesian product of its axes, with readable, unique point names. */
class GridTest {

    private static Grid grid(List<String> optimizers, List<Double> lrs, List<Integer> batches, int seeds) {
        return new Grid(optimizers, lrs, List.of("784-128-10:relu"), batches, Grid.seeds(seeds), 2, 0, 5000, 100,
                0, 500);
    }

    @Test
    void pointsAreTheProductInAxisOrderWithReadableNames() {
        List<Grid.Point> points = grid(List.of("rk4+adagrad+dal(p=2,c=0.5)+momentum(0.9)", "adam(lr=1e-3)"),
                List.of(), List.of(32, 1024), 2).points();
        assertEquals(8, points.size());
        assertEquals(List.of("rk4+adagrad+dal-p2-c0.5+momentum0.9_b32_s1", "rk4+adagrad+dal-p2-c0.5+momentum0.9_b32_s2",
                "rk4+adagrad+dal-p2-c0.5+momentum0.9_b1024_s1", "rk4+adagrad+dal-p2-c0.5+momentum0.9_b1024_s2",
                "adam-lr1e-3_b32_s1", "adam-lr1e-3_b32_s2", "adam-lr1e-3_b1024_s1", "adam-lr1e-3_b1024_s2"),
                points.stream().map(Grid.Point::name).toList());
        assertEquals(io.rkflow.solvers.optim.Spec.parse("adam(lr=1e-3)").toString(), points.get(4).optimizer());
    }

    @Test
    void anLrAxisSetsEachOptimizersStepSizeAndLeavesItOutOfTheName() {
        List<Grid.Point> points = grid(List.of("rk4+h(0.1)", "adam(lr=1e-3,beta1=0.8)", "rk4+dal(c=0.5)"),
                List.of(0.01, 0.1), List.of(128), 1).points();
        assertEquals(List.of("rk4_lr0.01_b128_s1", "rk4_lr0.1_b128_s1", "adam-beta10.8_lr0.01_b128_s1",
                "adam-beta10.8_lr0.1_b128_s1", "rk4+dal-c0.5_lr0.01_b128_s1", "rk4+dal-c0.5_lr0.1_b128_s1"),
                points.stream().map(Grid.Point::name).toList());
        assertEquals("rk4+h(0.01)", points.get(0).optimizer());
        assertTrue(points.get(3).optimizer().startsWith("adam(lr=0.1,beta1=0.8,"), points.get(3).optimizer());
        assertTrue(points.get(4).optimizer().contains("dal(c=0.01,"), points.get(4).optimizer());
        assertEquals("rk4", points.get(0).optimizerLabel());
    }

    @Test
    void badGridsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Grid(List.of("rk4"), List.of(0.1, 0.3), List.of("784-10"), List.of(32), List.of(1L), 1, 0,
                        0, 100, 0, 500));
        assertTrue(e.getMessage().contains("never by test accuracy: give --validation"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> grid(List.of("rk4+h(0.1)", "rk4+h(0.2)"),
                List.of(0.1), List.of(32), 1));
        assertTrue(e.getMessage().contains("differ only in the step size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> grid(List.of("rk4"), List.of(), List.of(32, 32), 1));
        assertTrue(e.getMessage().contains("batch axis repeats a value"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> grid(List.of("rk5"), List.of(), List.of(32), 1));
        assertTrue(e.getMessage().contains("rk5"), e.getMessage());
    }

    @Test
    void aGridFileGivesTheAxesAndItsErrorsNameTheFileAndKey(@TempDir Path dir) throws IOException {
        Grid defaults = grid(List.of("rk4+h(0.1)"), List.of(), List.of(128), 1);
        Path file = dir.resolve("grid.json");
        Files.writeString(file, "{\"optimizer\": [\"rk4+h(0.1)\", \"adam(lr=1e-3)\"], \"batch\": [32, 1024],"
                + " \"seeds\": 3, \"epochs\": 1, \"lr\": [0.001, 0.01]}");
        Grid g = Grid.read(file, defaults);
        assertEquals(2 * 2 * 2 * 3, g.points().size());
        assertEquals(1, g.epochs());
        assertEquals(5000, g.validation(), "a default");
        Files.writeString(file, "{\"batches\": [32]}");
        BadFileException e = assertThrows(BadFileException.class, () -> Grid.read(file, defaults));
        assertTrue(e.getMessage().startsWith(file + ": unknown key 'batches'; valid: "), e.getMessage());
        Files.writeString(file, "{\"batch\": [\"32\"]}");
        e = assertThrows(BadFileException.class, () -> Grid.read(file, defaults));
        assertTrue(e.getMessage().contains("'batch' takes whole numbers, not \"32\""), e.getMessage());
        Files.writeString(file, "{\"batch\": [32,");
        e = assertThrows(BadFileException.class, () -> Grid.read(file, defaults));
        assertTrue(e.getMessage().startsWith(file + ": not a JSON grid file"), e.getMessage());
        e = assertThrows(BadFileException.class, () -> Grid.read(dir.resolve("none.json"), defaults));
        assertTrue(e.getMessage().contains("no such grid file"), e.getMessage());
    }
}
