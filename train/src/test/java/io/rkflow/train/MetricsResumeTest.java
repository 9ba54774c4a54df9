package io.rkflow.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a crash or a damaged file leaves in a run folder does not stop a resume with an unreadable
 * error: a torn last line and blank lines are dropped, a damaged row elsewhere is named by file and
 * line (and the files are left as they were), and the temporary files of interrupted writes go.
 */
class MetricsResumeTest {

    private static Metrics.Row row(long step) {
        return new Metrics.Row(step, step / 10.0, 1.0 / step, Double.NaN, Double.NaN, 0.1, 4 * step, step, 0, 1.5, 1000,
                Double.NaN, Double.NaN, 1, 40);
    }

    /** A run folder whose metrics hold steps 1..rows. */
    private static void logged(Path folder, int rows) throws IOException {
        try (Metrics m = new Metrics(folder, false)) {
            for (int s = 1; s <= rows; s++) {
                m.write(row(s));
            }
        }
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    @Test
    void aTornLastLineAndBlankLinesAreDropped(@TempDir Path dir) throws IOException {
        logged(dir, 6);
        Path csv = dir.resolve("metrics.csv");
        Path jsonl = dir.resolve("metrics.jsonl");
        // a blank line inside, and the half line a crash leaves at the end
        List<String> c = new java.util.ArrayList<>(lines(csv));
        c.add(3, "");
        Files.write(csv, c, StandardCharsets.UTF_8);
        Files.writeString(csv, "7,0.70", StandardOpenOption.APPEND);
        Files.writeString(jsonl, "\n{\"ste", StandardOpenOption.APPEND);
        try (Metrics m = Metrics.resume(dir, 4)) {
            m.write(row(5));
        }
        List<String> after = lines(csv);
        assertEquals(Metrics.HEADER, after.get(0));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), after.subList(1, after.size()).stream()
                .map(l -> Long.parseLong(l.substring(0, l.indexOf(',')))).toList(), "csv steps: " + after);
        List<String> json = lines(jsonl);
        assertEquals(5, json.size(), "jsonl: " + json);
        assertTrue(json.get(4).startsWith("{\"step\":5,"), json.get(4));
    }

    @Test
    void aDamagedRowIsNamedAndNothingIsRewritten(@TempDir Path dir) throws IOException {
        logged(dir, 6);
        Path csv = dir.resolve("metrics.csv");
        List<String> c = new java.util.ArrayList<>(lines(csv));
        c.set(3, "garbage without a comma");
        Files.write(csv, c, StandardCharsets.UTF_8);
        byte[] csvBefore = Files.readAllBytes(csv);
        byte[] jsonBefore = Files.readAllBytes(dir.resolve("metrics.jsonl"));
        IOException e = assertThrows(IOException.class, () -> Metrics.resume(dir, 4));
        assertTrue(e.getMessage().contains(csv.toString()) && e.getMessage().contains("line 4")
                && e.getMessage().contains("garbage"), e.getMessage());
        assertArrayEquals(csvBefore, Files.readAllBytes(csv));
        assertArrayEquals(jsonBefore, Files.readAllBytes(dir.resolve("metrics.jsonl")));
    }

    @Test
    void temporaryFilesOfInterruptedWritesAreRemoved(@TempDir Path dir) throws IOException {
        logged(dir, 3);
        Path tmp1 = Files.writeString(dir.resolve(".checkpoint.rkc1234567.tmp"), "half a checkpoint");
        Path tmp2 = Files.writeString(dir.resolve(".model.safetensors99.tmp"), "half the weights");
        Path mine = Files.writeString(dir.resolve("notes.tmp"), "a user's file, not hidden");
        try (Metrics m = Metrics.resume(dir, 3)) {
            m.write(row(4));
        }
        assertFalse(Files.exists(tmp1));
        assertFalse(Files.exists(tmp2));
        assertTrue(Files.exists(mine), "only the hidden temporary files of atomic writes go");
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no hidden files left");
        }
    }
}
