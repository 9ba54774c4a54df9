package io.rkflow.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Event files decode, with an independent reader, to what was written; a resume keeps the events
 * up to its step, survives a torn last record, names a damaged one by file and offset, and leaves
 * one file that sorts after the one it replaced.
 */
class TensorBoardEventsTest {

    private static Map<String, Double> scalars(double loss, double accuracy) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", loss);
        m.put("test_accuracy", accuracy);
        return m;
    }

    /** A file with events at steps 1..n (accuracy at even steps only). */
    private static Path logged(Path dir, int n) throws IOException {
        try (TensorBoardEvents e = TensorBoardEvents.create(dir)) {
            for (int s = 1; s <= n; s++) {
                e.write(s, 1000 + s, scalars(1.0 / s, s % 2 == 0 ? 0.5 : Double.NaN));
            }
            return e.file();
        }
    }

    private static List<Long> steps(Path file) throws IOException {
        return EventFiles.summaries(EventFiles.read(file)).stream().map(EventFiles.Event::step).toList();
    }

    @Test
    void theMaskedChecksumIsTensorFlows() {
        // a record of a real TensorFlow event file: Event(file_version="CRC test, one two"), masked CRC 0x5794d08a
        byte[] data = "\u001a\u0011CRC test, one two".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(0x5794d08a, TensorBoardEvents.maskedCrc(data, 0, data.length));
        assertEquals(0x5794d08aL, EventFiles.masked(data, 0, data.length));
        // RFC 3720 B.4: CRC-32C of 32 zero bytes is 0x8a9136aa; masked by the formula, in 32 bits
        long crc = 0x8a9136aaL;
        long masked = ((((crc >>> 15) | (crc << 17)) & 0xffffffffL) + 0xa282ead8L) & 0xffffffffL;
        assertEquals((int) masked, TensorBoardEvents.maskedCrc(new byte[32], 0, 32));
    }

    @Test
    void writtenEventsDecodeToWhatWasWritten(@TempDir Path dir) throws IOException {
        Path file;
        try (TensorBoardEvents e = TensorBoardEvents.create(dir)) {
            file = e.file();
            e.write(10, 1.7e9 + 0.25, scalars(0.75, Double.NaN));
            e.write(20, 1.7e9 + 1.5, scalars(0.5, 0.875));
            e.write(30, 1.7e9 + 2, scalars(Double.NaN, Double.NaN)); // nothing to show: no event
            e.write(1L << 40, 1.7e9 + 3, scalars(0.1, 1)); // a step past 32 bits
        }
        String name = file.getFileName().toString();
        assertTrue(name.matches("events\\.out\\.tfevents\\.\\d{10}\\.[A-Za-z0-9._-]+\\.rkflow"), name);
        assertEquals(file, EventFiles.only(dir));
        List<EventFiles.Event> events = EventFiles.read(file);
        assertEquals(5, events.size(), events.toString());
        assertEquals(TensorBoardEvents.FILE_VERSION, events.get(0).fileVersion());
        assertEquals(0, events.get(0).step());
        assertEquals(1L, events.get(1).sessionStatus(), "a START session log second");
        assertEquals(0, events.get(1).step());
        assertEquals(events.get(0).wallTime(), events.get(1).wallTime());
        EventFiles.Event a = events.get(2), b = events.get(3), c = events.get(4);
        assertNull(a.fileVersion());
        assertEquals(10, a.step());
        assertEquals(1.7e9 + 0.25, a.wallTime());
        assertEquals(Map.of("loss", 0.75f), a.scalars());
        assertEquals(20, b.step());
        assertEquals(1.7e9 + 1.5, b.wallTime());
        assertEquals(List.of("loss", "test_accuracy"), List.copyOf(b.scalars().keySet()));
        assertEquals(List.of(0.5f, 0.875f), List.copyOf(b.scalars().values()));
        assertEquals(1L << 40, c.step());
        assertEquals(0.1f, c.scalars().get("loss"));
    }

    @Test
    void aResumeKeepsTheEventsUpToItsStepInANewFileThatSortsLast(@TempDir Path dir) throws IOException {
        Path old = logged(dir, 30);
        byte[] before = Files.readAllBytes(old);
        Path now;
        try (TensorBoardEvents e = TensorBoardEvents.resume(dir, 20, true)) {
            now = e.file();
            e.write(21, 2000, scalars(0.25, Double.NaN));
        }
        assertEquals(now, EventFiles.only(dir), "the old file is gone");
        assertTrue(now.getFileName().toString().compareTo(old.getFileName().toString()) > 0,
                now + " sorts after " + old);
        List<Long> expected = new java.util.ArrayList<>();
        for (long s = 1; s <= 21; s++) {
            expected.add(s);
        }
        assertEquals(expected, steps(now));
        List<EventFiles.Event> events = EventFiles.read(now);
        assertEquals(TensorBoardEvents.FILE_VERSION, events.get(0).fileVersion());
        assertEquals(1L, events.get(1).sessionStatus());
        // the kept records are the old ones, byte for byte (their wall times stay)
        byte[] after = Files.readAllBytes(now);
        int kept = (int) events.get(events.size() - 1).offset();
        assertArrayEquals(Arrays.copyOf(before, kept), Arrays.copyOf(after, kept));
    }

    @Test
    void anIrregularRowAtTheStepIsDroppedAndOnlyTheFirstRegularOneKept(@TempDir Path dir) throws IOException {
        Path file;
        try (TensorBoardEvents e = TensorBoardEvents.create(dir)) {
            for (int s = 1; s <= 4; s++) {
                e.write(s, 1000 + s, scalars(1, Double.NaN));
            }
            e.write(4, 1005, scalars(1, 0.5)); // a second row at step 4, the final evaluation of a stopped run
            file = e.file();
        }
        byte[] all = Files.readAllBytes(file);
        try (TensorBoardEvents e = TensorBoardEvents.resume(dir, 4, true)) {
            assertEquals(List.of(1L, 2L, 3L, 4L), steps(e.file()));
            assertFalse(EventFiles.summaries(EventFiles.read(e.file())).getLast().scalars()
                    .containsKey("test_accuracy"), "the first row at step 4 is kept");
        }
        Files.delete(EventFiles.only(dir));
        Files.write(file, all);
        try (TensorBoardEvents e = TensorBoardEvents.resume(dir, 4, false)) {
            assertEquals(List.of(1L, 2L, 3L), steps(e.file()));
        }
    }

    @Test
    void aResumeThatDropsNothingAppendsToTheSameFile(@TempDir Path dir) throws IOException {
        Path file = logged(dir, 5);
        byte[] before = Files.readAllBytes(file);
        try (TensorBoardEvents e = TensorBoardEvents.resume(dir, 5, true)) {
            assertEquals(file, e.file());
            e.write(6, 2000, scalars(0.5, Double.NaN));
        }
        byte[] after = Files.readAllBytes(file);
        assertArrayEquals(before, Arrays.copyOf(after, before.length));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps(file));
    }

    /** Cuts the last record (5 of them + header) at {@code cut} bytes from its start. */
    @ParameterizedTest(name = "cut at {0}")
    @ValueSource(ints = {1, 8, 11, 12, 20, -1})
    void aTornLastRecordIsDropped(int cut, @TempDir Path dir) throws IOException {
        Path file = logged(dir, 5);
        List<EventFiles.Event> events = EventFiles.read(file);
        long lastAt = events.getLast().offset();
        long size = Files.size(file);
        long keep = cut > 0 ? lastAt + cut : size - 1; // -1: all but the last byte of the data CRC
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(keep);
        }
        TensorBoardEvents.Decoded d = TensorBoardEvents.decode(file, Files.readAllBytes(file));
        assertEquals(keep - lastAt, d.tornBytes());
        try (TensorBoardEvents e = TensorBoardEvents.resume(dir, 5, true)) {
            e.write(5, 3000, scalars(0.125, Double.NaN)); // the torn row, logged again
        }
        Path now = EventFiles.only(dir);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), steps(now));
        assertEquals(3000.0, EventFiles.read(now).getLast().wallTime());
    }

    @ParameterizedTest(name = "byte {0} of the third row's record")
    @ValueSource(ints = {0, 9, 14, -1})
    void aDamagedRecordBeforeTheEndIsNamedWithItsOffsetAndNothingChanges(int at, @TempDir Path dir)
            throws IOException {
        Path file = logged(dir, 5);
        EventFiles.Event third = EventFiles.summaries(EventFiles.read(file)).get(2);
        long record = third.offset();
        int next = (int) EventFiles.summaries(EventFiles.read(file)).get(3).offset();
        byte[] b = Files.readAllBytes(file);
        int flip = at >= 0 ? (int) record + at : next - 1; // in the length, its CRC, the data, the data's CRC
        b[flip] ^= 0x10;
        Files.write(file, b);
        IOException e = assertThrows(IOException.class, () -> TensorBoardEvents.resume(dir, 3, true));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(", byte " + record + ":"),
                e.getMessage());
        assertEquals(file, EventFiles.only(dir));
        assertArrayEquals(b, Files.readAllBytes(file), "the file is as it was");
    }

    @Test
    void aRecordThatIsNotAnEventIsDamaged(@TempDir Path dir) throws IOException {
        Path file = logged(dir, 2);
        byte[] junk = TensorBoardEvents.record(new byte[] {(byte) 0x0b, 1, 2}); // field 1, wire type 3 (a group)
        byte[] b = Files.readAllBytes(file);
        byte[] two = Arrays.copyOf(b, b.length + junk.length + b.length);
        System.arraycopy(junk, 0, two, b.length, junk.length);
        System.arraycopy(b, 0, two, b.length + junk.length, b.length);
        Files.write(file, two);
        IOException e = assertThrows(IOException.class, () -> TensorBoardEvents.resume(dir, 2, true));
        assertTrue(e.getMessage().contains("byte " + b.length) && e.getMessage().contains("wire type 3"),
                e.getMessage());
    }

    @Test
    void theLeftoverOfAnInterruptedRewriteGoesAndTheNewestFileIsTheRuns(@TempDir Path dir) throws IOException {
        Path old = logged(dir, 6);
        byte[] oldBytes = Files.readAllBytes(old);
        Path rewritten;
        try (TensorBoardEvents e = TensorBoardEvents.resume(dir, 4, true)) {
            rewritten = e.file();
        }
        Files.write(old, oldBytes); // as if the rewrite had stopped before removing the old file
        assertNotEquals(old, rewritten);
        try (TensorBoardEvents e = TensorBoardEvents.resume(dir, 4, true)) {
            assertEquals(rewritten, e.file());
        }
        assertEquals(rewritten, EventFiles.only(dir));
        assertEquals(List.of(1L, 2L, 3L, 4L), steps(rewritten));
    }

    @Test
    void aRunWithoutAnEventFileStartsOne(@TempDir Path dir) throws IOException {
        try (TensorBoardEvents e = TensorBoardEvents.resume(dir, 7, true)) {
            e.write(8, 100, scalars(0.5, Double.NaN));
        }
        List<EventFiles.Event> events = EventFiles.read(EventFiles.only(dir));
        assertEquals(TensorBoardEvents.FILE_VERSION, events.getFirst().fileVersion());
        assertEquals(List.of(8L), steps(EventFiles.only(dir)));
    }

    @Test
    void aFileWhoseFirstRecordIsTornGetsAFreshHeader(@TempDir Path dir) throws IOException {
        Path file = logged(dir, 0);
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(10); // a crash while the header was written
        }
        try (TensorBoardEvents e = TensorBoardEvents.resume(dir, 0, true)) {
            e.write(1, 100, scalars(0.5, Double.NaN));
        }
        List<EventFiles.Event> events = EventFiles.read(EventFiles.only(dir));
        assertEquals(TensorBoardEvents.FILE_VERSION, events.getFirst().fileVersion());
        assertEquals(1L, events.get(1).sessionStatus());
        assertEquals(List.of(1L), steps(EventFiles.only(dir)));
    }

    @Test
    void aNewFileReplacesTheEarlierRunsUnderANameThatSortsLast(@TempDir Path dir) throws IOException {
        Path old = logged(dir, 2);
        Path other = Files.writeString(dir.resolve("events.out.tfevents.123.host"), "another writer's");
        Path csv = Files.writeString(dir.resolve("metrics.csv"), "step\n");
        Path now;
        try (TensorBoardEvents e = TensorBoardEvents.create(dir)) {
            now = e.file();
        }
        assertEquals(List.of(now), TensorBoardEvents.files(dir));
        assertTrue(now.getFileName().toString().compareTo(old.getFileName().toString()) > 0, now + " after " + old);
        assertTrue(Files.exists(other) && Files.exists(csv), "only this writer's event files go");
        assertEquals(List.of(), steps(now));
    }
}
