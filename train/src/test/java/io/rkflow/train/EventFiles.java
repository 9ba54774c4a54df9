package io.rkflow.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A strict TensorBoard event file reader for tests, written from the published layout and sharing
 * no code with {@link TensorBoardEvents}: TFRecords (uint64 LE length, uint32 LE masked CRC-32C of
 * the length bytes, the data, uint32 LE masked CRC-32C of the data), each a tensorflow.Event with
 * wall_time (1, fixed64 double), step (2, varint), file_version (3, string), summary (5) or
 * session_log (7); Summary.value (1) holds tag (1, string) and simple_value (2, fixed32 float),
 * SessionLog.status (1, varint). Any other field, wire type, checksum or length fails the test.
 */
public final class EventFiles {

    /** One event: its summary values in file order (null when it has no summary), or its file version or session status. */
    public record Event(long offset, double wallTime, long step, String fileVersion, Long sessionStatus,
            Map<String, Float> scalars) {}

    private EventFiles() {}

    /** The masked CRC-32C, computed in unsigned 64-bit arithmetic from the formula. */
    public static long masked(byte[] b, int from, int length) {
        CRC32C c = new CRC32C();
        c.update(b, from, length);
        long crc = c.getValue();
        long rotated = ((crc >>> 15) | (crc << 17)) & 0xffffffffL;
        return (rotated + 0xa282ead8L) & 0xffffffffL;
    }

    /** The one event file TensorBoard would read in {@code folder} (a name containing "tfevents"). */
    public static Path only(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            List<Path> events = files.filter(p -> p.getFileName().toString().contains("tfevents")).toList();
            assertEquals(1, events.size(), "event files in " + folder + ": " + events);
            return events.getFirst();
        }
    }

    public static List<Event> read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        List<Event> events = new ArrayList<>();
        int at = 0;
        while (at < b.length) {
            if (b.length - at < 16) {
                fail(file + ": " + (b.length - at) + " bytes left at " + at + ", too few for a record");
            }
            long length = le(b, at, 8);
            assertEquals(masked(b, at, 8), le(b, at + 8, 4), "length CRC of the record at " + at);
            if (length > b.length - at - 16) {
                fail(file + ": the record at " + at + " of " + length + " bytes runs past the end");
            }
            int n = (int) length;
            assertEquals(masked(b, at + 12, n), le(b, at + 12 + n, 4), "data CRC of the record at " + at);
            events.add(event(at, new Cursor(b, at + 12, at + 12 + n)));
            at += 16 + n;
        }
        return events;
    }

    /** The events that hold summaries. */
    public static List<Event> summaries(List<Event> events) {
        return events.stream().filter(e -> e.scalars() != null).toList();
    }

    private static Event event(long offset, Cursor c) {
        double wallTime = Double.NaN;
        long step = 0;
        String version = null;
        Long status = null;
        Map<String, Float> scalars = null;
        int what = 0;
        while (c.more()) {
            long key = c.varint();
            int field = (int) (key >>> 3), wire = (int) (key & 7);
            switch (field) {
                case 1 -> {
                    assertEquals(1, wire, "wall_time wire type");
                    wallTime = Double.longBitsToDouble(c.fixed(8));
                }
                case 2 -> {
                    assertEquals(0, wire, "step wire type");
                    step = c.varint();
                }
                case 3 -> {
                    assertEquals(2, wire, "file_version wire type");
                    version = new String(c.delimited().rest(), StandardCharsets.UTF_8);
                    what++;
                }
                case 5 -> {
                    assertEquals(2, wire, "summary wire type");
                    scalars = summary(c.delimited());
                    what++;
                }
                case 7 -> {
                    assertEquals(2, wire, "session_log wire type");
                    Cursor s = c.delimited();
                    assertEquals(1 << 3, s.varint(), "SessionLog.status key");
                    status = s.varint();
                    assertEquals(false, s.more(), "SessionLog holds only its status");
                    what++;
                }
                default -> fail("Event field " + field + " at " + offset);
            }
        }
        assertEquals(1, what, "one of file_version, summary, session_log in the event at " + offset);
        return new Event(offset, wallTime, step, version, status, scalars);
    }

    private static Map<String, Float> summary(Cursor c) {
        Map<String, Float> values = new LinkedHashMap<>();
        while (c.more()) {
            assertEquals(1 << 3 | 2, c.varint(), "Summary.value key");
            Cursor v = c.delimited();
            assertEquals(1 << 3 | 2, v.varint(), "Value.tag key");
            String tag = new String(v.delimited().rest(), StandardCharsets.UTF_8);
            assertEquals(2 << 3 | 5, v.varint(), "Value.simple_value key");
            float value = Float.intBitsToFloat((int) v.fixed(4));
            assertEquals(false, v.more(), "Value holds only tag and simple_value");
            assertEquals(null, values.put(tag, value), "tag " + tag + " twice in one event");
        }
        return values;
    }

    private static long le(byte[] b, int at, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = v << 8 | (b[at + i] & 0xff);
        }
        return v;
    }

    private static final class Cursor {
        final byte[] b;
        int at;
        final int end;

        Cursor(byte[] b, int at, int end) {
            this.b = b;
            this.at = at;
            this.end = end;
        }

        boolean more() {
            return at < end;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                if (at >= end || shift > 63) {
                    fail("bad varint at " + at);
                }
                int x = b[at++] & 0xff;
                v |= (long) (x & 0x7f) << shift;
                if (x < 0x80) {
                    return v;
                }
            }
        }

        long fixed(int n) {
            if (end - at < n) {
                fail("fixed field past the end at " + at);
            }
            long v = le(b, at, n);
            at += n;
            return v;
        }

        Cursor delimited() {
            long n = varint();
            if (n > end - at) {
                fail("length-delimited field past the end at " + at);
            }
            Cursor c = new Cursor(b, at, at + (int) n);
            at += (int) n;
            return c;
        }

        byte[] rest() {
            byte[] r = java.util.Arrays.copyOfRange(b, at, end);
            at = end;
            return r;
        }
    }
}
