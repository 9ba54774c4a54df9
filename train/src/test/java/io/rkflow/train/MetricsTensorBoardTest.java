package io.rkflow.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.train.plot.MetricsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every run folder gets a TensorBoard event file holding the CSV's rows as scalars, kept in step
 * with the CSV by a resume and replaced by a --force run.
 */
class MetricsTensorBoardTest {

    private static final List<String> TAGS = List.of("loss", "test_accuracy", "test_loss", "validation_accuracy",
            "train_accuracy", "h", "ms_per_step", "samples_per_second", "gradient_evaluations");

    /** A row whose values the CSV holds exactly (binary fractions); evaluations every 5 steps. */
    private static Metrics.Row row(long step) {
        boolean eval = step % 5 == 0;
        return new Metrics.Row(step, step / 8.0, 1.0 / (1 << (step % 4)), eval ? 0.75 : Double.NaN,
                eval ? 0.5 : Double.NaN, 0.125, 4 * step, step, 0, 1.5, 1000, eval && step % 10 == 0 ? 0.625
                        : Double.NaN, eval ? 0.875 : Double.NaN, 1, 40);
    }

    private static void logged(Path folder, long from, long to) throws IOException {
        try (Metrics m = new Metrics(folder, false)) {
            for (long s = from; s <= to; s++) {
                m.write(row(s));
            }
        }
    }

    private static List<Long> eventSteps(Path folder) throws IOException {
        return EventFiles.summaries(EventFiles.read(EventFiles.only(folder))).stream().map(EventFiles.Event::step)
                .toList();
    }

    /** The CSV's rows as the scalars an event should hold: its non-empty cells of the tagged columns. */
    private static List<Map<String, Float>> csvScalars(Path folder) throws IOException {
        MetricsFile csv = MetricsFile.read(folder);
        int rows = csv.column("step").length;
        List<Map<String, Float>> all = new java.util.ArrayList<>();
        for (int i = 0; i < rows; i++) {
            Map<String, Float> m = new LinkedHashMap<>();
            for (String tag : TAGS) {
                double v = csv.column(tag)[i];
                if (!Double.isNaN(v)) {
                    m.put(tag, (float) v);
                }
            }
            all.add(m);
        }
        return all;
    }

    private static List<Long> csvSteps(Path folder) throws IOException {
        return java.util.Arrays.stream(MetricsFile.read(folder).column("step")).mapToObj(d -> (long) d).toList();
    }

    @Test
    void theEventsHoldTheCsvRows(@TempDir Path dir) throws IOException {
        double before = System.currentTimeMillis() / 1000.0;
        logged(dir, 1, 12);
        double after = System.currentTimeMillis() / 1000.0;
        List<EventFiles.Event> events = EventFiles.read(EventFiles.only(dir));
        assertEquals("brain.Event:2", events.getFirst().fileVersion());
        List<EventFiles.Event> summaries = EventFiles.summaries(events);
        assertEquals(csvSteps(dir), summaries.stream().map(EventFiles.Event::step).toList());
        assertEquals(csvScalars(dir), summaries.stream().map(EventFiles.Event::scalars).toList());
        assertEquals(List.of("loss", "h", "ms_per_step", "samples_per_second", "gradient_evaluations"),
                List.copyOf(summaries.getFirst().scalars().keySet()), "no NaN accuracies without an evaluation");
        assertEquals(TAGS, List.copyOf(summaries.get(9).scalars().keySet()), "step 10 has every scalar");
        double last = 0;
        for (EventFiles.Event e : summaries) {
            // the time each row was written (whole milliseconds around it, a second of slack for clock steps)
            assertTrue(e.wallTime() >= before - 1 && e.wallTime() <= after + 1 && e.wallTime() >= last,
                    e.wallTime() + " not in [" + before + ", " + after + "]");
            last = e.wallTime();
        }
    }

    @Test
    void aResumeKeepsTheEventsUpToTheCheckpointAndAppends(@TempDir Path dir) throws IOException {
        logged(dir, 0, 30);
        try (Metrics m = Metrics.resume(dir, 20, true)) {
            for (long s = 21; s <= 25; s++) {
                m.write(row(s));
            }
        }
        List<Long> expected = java.util.stream.LongStream.rangeClosed(0, 25).boxed().toList();
        assertEquals(expected, eventSteps(dir), "0..20, then the new rows, no duplicates");
        assertEquals(csvSteps(dir), eventSteps(dir));
        assertEquals(csvScalars(dir), EventFiles.summaries(EventFiles.read(EventFiles.only(dir))).stream()
                .map(EventFiles.Event::scalars).toList());
        assertEquals("brain.Event:2", EventFiles.read(EventFiles.only(dir)).getFirst().fileVersion());
    }

    @Test
    void aResumeDropsTheFinalEvaluationRowAsTheCsvDoes(@TempDir Path dir) throws IOException {
        try (Metrics m = new Metrics(dir, false)) {
            for (long s = 1; s <= 7; s++) {
                m.write(row(s));
            }
            m.write(row(10)); // a run stopped by --steps at 7 writes its final evaluation as one more row
        }
        try (Metrics m = Metrics.resume(dir, 7, false)) {
            m.write(row(8));
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 8L), eventSteps(dir));
        assertEquals(csvSteps(dir), eventSteps(dir));
    }

    @Test
    void aTornLastEventIsDroppedAndTheResumeGoesOn(@TempDir Path dir) throws IOException {
        logged(dir, 1, 6);
        Path events = EventFiles.only(dir);
        try (var ch = java.nio.channels.FileChannel.open(events, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(events) - 7); // kill -9 in the middle of the last record
        }
        try (Metrics m = Metrics.resume(dir, 6, true)) {
            m.write(row(7));
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 7L), eventSteps(dir), "the torn row 6 is gone");
    }

    @Test
    void aDamagedEventFileStopsTheResumeBeforeAnyFileIsRewritten(@TempDir Path dir) throws IOException {
        logged(dir, 1, 6);
        Path events = EventFiles.only(dir);
        long third = EventFiles.summaries(EventFiles.read(events)).get(2).offset();
        byte[] b = Files.readAllBytes(events);
        b[(int) third + 20] ^= 1; // inside the data of the third row's record
        Files.write(events, b);
        byte[] csv = Files.readAllBytes(dir.resolve("metrics.csv"));
        byte[] jsonl = Files.readAllBytes(dir.resolve("metrics.jsonl"));
        IOException e = assertThrows(IOException.class, () -> Metrics.resume(dir, 4));
        assertTrue(e.getMessage().contains(events.toString()) && e.getMessage().contains("byte " + third),
                e.getMessage());
        assertArrayEquals(csv, Files.readAllBytes(dir.resolve("metrics.csv")));
        assertArrayEquals(jsonl, Files.readAllBytes(dir.resolve("metrics.jsonl")));
        assertArrayEquals(b, Files.readAllBytes(events));
    }

    @Test
    void forceRemovesTheEarlierRunsEvents(@TempDir Path dir) throws IOException {
        logged(dir, 1, 9);
        Path old = EventFiles.only(dir);
        try (Metrics m = new Metrics(dir, true)) {
            m.write(row(1));
            m.write(row(2));
            assertTrue(!m.eventsFile().equals(old), "a new file, not the old one truncated");
        }
        assertEquals(List.of(1L, 2L), eventSteps(dir));
    }

    @Test
    void anEarlierRunsEventFileAloneIsAnErrorWithoutForce(@TempDir Path dir) throws IOException {
        logged(dir, 1, 2);
        Path events = EventFiles.only(dir);
        Files.delete(dir.resolve("metrics.csv"));
        Files.delete(dir.resolve("metrics.jsonl"));
        IOException e = assertThrows(IOException.class, () -> new Metrics(dir, false));
        assertTrue(e.getMessage().contains(events.toString()) && e.getMessage().contains("--force"), e.getMessage());
        assertEquals(events, EventFiles.only(dir));
    }

    @Test
    void aRunLoggedBeforeEventFilesResumesIntoANewOne(@TempDir Path dir) throws IOException {
        logged(dir, 1, 4);
        Files.delete(EventFiles.only(dir));
        try (Metrics m = Metrics.resume(dir, 4)) {
            m.write(row(5));
        }
        assertEquals(List.of(5L), eventSteps(dir));
    }
}
