package io.rkflow.train.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsFileTest {

    static final String HEADER = "step,epoch,loss,test_accuracy,test_loss,h,gradient_evaluations,accepted,rejected,"
            + "ms_per_step,samples_per_second";

    @Test
    void readsColumnsWithEmptyCellsAsNaN(@TempDir Path dir) throws IOException {
        Path run = Files.createDirectories(dir.resolve("rk4-seed1"));
        Files.writeString(run.resolve("metrics.csv"), HEADER + "\n"
                + "100,0.2133,1.234567,,,0.1,400,100,0,3.250,39384.6\n"
                + "469,1.0000,0.512345,0.812300,0.534100,0.1,1876,469,0,3.100,41290.3\n");
        MetricsFile m = MetricsFile.read(run);
        assertEquals("rk4-seed1", m.runName());
        assertEquals(run.resolve("metrics.csv"), m.file());
        assertEquals(2, m.rows());
        assertEquals(11, m.columns().size());
        assertArrayEquals(new double[] {100, 469}, m.column("step"));
        assertArrayEquals(new double[] {400, 1876}, m.column("gradient_evaluations"));
        double[] acc = m.column("test_accuracy");
        assertTrue(Double.isNaN(acc[0]));
        assertEquals(0.8123, acc[1], 1e-12);
        assertEquals("rk4-seed1", MetricsFile.read(run.resolve("metrics.csv")).runName());
    }

    @Test
    void pointsSkipRowsWithNaNAndKeepAStepZeroEvaluation(@TempDir Path dir) throws IOException {
        Path run = Files.createDirectories(dir.resolve("run"));
        // As the trainer logs: a step-0 evaluation of the initial weights (no training loss yet),
        // then evaluation columns empty between evaluations.
        Files.writeString(run.resolve("metrics.csv"), HEADER + "\n"
                + "0,0.0000,,0.101000,2.302000,0.1,0,0,0,0.000,0.0\n"
                + "100,0.5000,1.234567,,,0.1,400,100,0,3.250,39384.6\n"
                + "200,1.0000,0.512345,0.812300,0.534100,0.1,800,200,0,3.100,41290.3\n"
                + "300,1.5000,nan,,,0.1,1200,300,0,3.100,41290.3\n");
        MetricsFile m = MetricsFile.read(run);
        double[][] acc = m.points("step", "test_accuracy");
        assertArrayEquals(new double[] {0, 200}, acc[0]);
        assertArrayEquals(new double[] {0.101, 0.8123}, acc[1], 1e-12);
        double[][] loss = m.points("epoch", "loss");
        assertArrayEquals(new double[] {0.5, 1.0}, loss[0]);
        assertArrayEquals(new double[] {1.234567, 0.512345}, loss[1], 1e-12);
        var e = assertThrows(IllegalArgumentException.class, () -> m.points("step", "accuracy"));
        assertTrue(e.getMessage().contains("'accuracy'"), e.getMessage());
    }

    @Test
    void namesTheFileAndLineOfAMalformedNumber(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("metrics.csv");
        Files.writeString(csv, HEADER + "\n1,0.1,2.0,,,0.1,4,1,0,1.0,10.0\n2,0.2,oops,,,0.1,8,2,0,1.0,10.0\n");
        var e = assertThrows(IllegalArgumentException.class, () -> MetricsFile.read(csv));
        assertTrue(e.getMessage().contains(csv + ":3") && e.getMessage().contains("'loss'")
                && e.getMessage().contains("oops"), e.getMessage());
    }

    @Test
    void namesTheFileOfAMissingColumnOrField(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("metrics.csv");
        Files.writeString(csv, "step,loss\n1,2.0\n");
        MetricsFile m = MetricsFile.read(csv);
        var e = assertThrows(IllegalArgumentException.class, () -> m.column("test_accuracy"));
        assertTrue(e.getMessage().contains(csv.toString()) && e.getMessage().contains("'test_accuracy'")
                && e.getMessage().contains("step, loss"), e.getMessage());
        Files.writeString(csv, "step,loss\n1,2.0\n2\n");
        var short_ = assertThrows(IllegalArgumentException.class, () -> MetricsFile.read(csv));
        assertTrue(short_.getMessage().contains(csv + ":3") && short_.getMessage().contains("1 fields"),
                short_.getMessage());
    }

    @Test
    void namesAMissingFileOrFolder(@TempDir Path dir) throws IOException {
        var none = assertThrows(IllegalArgumentException.class, () -> MetricsFile.read(dir.resolve("nope")));
        assertTrue(none.getMessage().contains("nope") && none.getMessage().contains("does not exist"),
                none.getMessage());
        Path empty = Files.createDirectories(dir.resolve("empty-run"));
        var noCsv = assertThrows(IllegalArgumentException.class, () -> MetricsFile.read(empty));
        assertTrue(noCsv.getMessage().contains("empty-run") && noCsv.getMessage().contains("metrics.csv"),
                noCsv.getMessage());
        Files.writeString(empty.resolve("metrics.csv"), "");
        var blank = assertThrows(IllegalArgumentException.class, () -> MetricsFile.read(empty));
        assertTrue(blank.getMessage().contains("empty"), blank.getMessage());
    }
}
