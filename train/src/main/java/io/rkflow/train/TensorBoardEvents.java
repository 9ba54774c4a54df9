package io.rkflow.train;

import io.rkflow.models.io.AtomicFile;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A run's scalars as a TensorBoard event file, so that {@code tensorboard --logdir runs} shows
 * every run. The file ({@code events.out.tfevents.<epoch seconds>.<host>.rkflow}) is a sequence of
 * TFRecords: the data length (uint64), its masked CRC-32C (uint32), the data, the data's masked
 * CRC-32C (uint32), all little-endian, where {@code masked = ((crc >>> 15) | (crc << 17)) +
 * 0xa282ead8}. Each record holds one {@code tensorflow.Event} protobuf: wall time (field 1,
 * double, seconds since the epoch), step (2, varint) and one of file version (3, string), summary
 * (5) or session log (7). The first event of a file is the file version {@value #FILE_VERSION},
 * the second a session log START at step 0; then one summary per {@link #write} whose values are
 * (tag (1), simple_value (2, float)) pairs.
 *
 * <p>The START event is TensorBoard's restart marker: a TensorBoard that is already showing the
 * run drops what it read before it. A resume that drops events writes the kept ones to a new
 * file, named to sort after the old one, and removes the old one: TensorBoard opens each event
 * file once and reads on from where it was, so it would never see a file rewritten in place,
 * while it does read a new file and, at its START event (or, in the Rust data server, at its
 * repeated steps), replaces what the old file had shown.
 */
public final class TensorBoardEvents implements AutoCloseable {

    /** The file version TensorBoard expects in the first event of a file. */
    public static final String FILE_VERSION = "brain.Event:2";

    private static final String PREFIX = "events.out.tfevents.";
    private static final String SUFFIX = ".rkflow";
    private static final int MASK_DELTA = 0xa282ead8;
    /** SessionLog.SessionStatus.START. */
    private static final int SESSION_START = 1;

    private final Path file;
    private final OutputStream out;

    private TensorBoardEvents(Path file, boolean append) throws IOException {
        this.file = file;
        this.out = new BufferedOutputStream(append
                ? Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                : Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    }

    /**
     * Starts a new event file in {@code folder} (its file version and START events, flushed) and
     * removes the event files of an earlier run there: the new one has a name of its own that
     * sorts after theirs, so that a TensorBoard reading the folder moves on to it (it would go on
     * reading a removed file under a reused name).
     */
    public static TensorBoardEvents create(Path folder) throws IOException {
        List<Path> earlier = files(folder);
        TensorBoardEvents events = new TensorBoardEvents(folder.resolve(nextName(earlier)), false);
        try {
            events.out.write(header(wallTime(Instant.now())));
            events.out.flush();
            for (Path p : earlier) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException e) {
            try (events) {
                throw e;
            }
        }
        return events;
    }

    /**
     * Continues the events of the run in {@code folder} after a resume from {@code step}: keeps
     * the summaries at steps before {@code step} and, when {@code regularAt}, the first at
     * {@code step} itself (the same rule as {@code Metrics.resume} for the metrics rows), then
     * appends. A last record cut short (the torn write of a crash) is dropped; any other record
     * that is not intact is an error naming the file and the byte offset, and then no file is
     * changed. When nothing is dropped the file is appended to as it is; otherwise the kept events
     * go, atomically, to a new file that sorts after the old one, and the old one is removed. A
     * run without an event file (one logged before they were written) starts a new one. Of
     * several event files the last by name is the run's (the others are what a crash between
     * writing the new file and removing the old leaves) and the others are removed.
     */
    public static TensorBoardEvents resume(Path folder, long step, boolean regularAt) throws IOException {
        List<Path> all = files(folder);
        if (all.isEmpty()) {
            return create(folder);
        }
        Path last = all.getLast();
        byte[] bytes = Files.readAllBytes(last);
        Decoded decoded = decode(last, bytes);
        List<ByteBuffer> kept = new ArrayList<>();
        long keptBytes = 0;
        boolean atStep = false; // a summary at step itself was kept
        for (Event e : decoded.events()) {
            if (e.summary()) {
                if (!(e.step() < step || e.step() == step && regularAt && !atStep)) {
                    continue;
                }
                atStep |= e.step() == step;
            }
            kept.add(ByteBuffer.wrap(bytes, (int) e.offset(), e.length()));
            keptBytes += e.length();
        }
        TensorBoardEvents events;
        if (keptBytes == bytes.length) {
            events = new TensorBoardEvents(last, true);
        } else {
            List<Event> ev = decoded.events();
            if (ev.isEmpty() || ev.getFirst().fileVersion() == null) {
                kept.addFirst(ByteBuffer.wrap(header(wallTime(Instant.now())))); // the file lost its first event
            }
            Path next = folder.resolve(nextName(all));
            AtomicFile.write(next, kept.toArray(ByteBuffer[]::new));
            Files.deleteIfExists(last);
            events = new TensorBoardEvents(next, true);
        }
        for (Path p : all) {
            if (!p.equals(last)) {
                Files.deleteIfExists(p);
            }
        }
        return events;
    }

    /** The event files this class wrote in {@code folder}, sorted by name (TensorBoard's reading order). */
    public static List<Path> files(Path folder) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return found;
        }
        try (var dir = Files.newDirectoryStream(folder, PREFIX + "*" + SUFFIX)) {
            for (Path p : dir) {
                if (Files.isRegularFile(p)) {
                    found.add(p);
                }
            }
        }
        found.sort(null);
        return found;
    }

    /** This writer's file. */
    public Path file() {
        return file;
    }

    /**
     * Writes one event at {@code step} holding the scalars (tag to value, in the map's order) and
     * flushes it; NaN values are left out, and nothing is written when all are NaN.
     *
     * @param wallTime seconds since the epoch, see {@link #wallTime(Instant)}
     */
    public void write(long step, double wallTime, Map<String, Double> scalars) throws IOException {
        Proto summary = new Proto();
        for (Map.Entry<String, Double> s : scalars.entrySet()) {
            if (!Double.isNaN(s.getValue())) {
                summary.message(1, new Proto().string(1, s.getKey()).float32(2, s.getValue().floatValue()));
            }
        }
        if (summary.size() == 0) {
            return;
        }
        out.write(record(new Proto().float64(1, wallTime).varint(2, step).message(5, summary).bytes()));
        out.flush();
    }

    /** An instant as TensorBoard's wall time: seconds since the epoch. */
    public static double wallTime(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /**
     * A new file's name: now in epoch seconds, or one more than the newest of {@code others} so that
     * the new file sorts after them (TensorBoard reads a run's files in name order).
     */
    private static String nextName(List<Path> others) {
        long seconds = Instant.now().getEpochSecond();
        for (Path p : others) {
            seconds = Math.max(seconds, secondsOf(p) + 1);
        }
        return PREFIX + seconds + "." + host() + SUFFIX;
    }

    /** The epoch seconds in an event file's name, or -1 for a name without them. */
    private static long secondsOf(Path file) {
        String n = file.getFileName().toString().substring(PREFIX.length());
        int dot = n.indexOf('.');
        try {
            return Long.parseLong(dot < 0 ? n : n.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String host() {
        String h;
        try {
            h = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException | SecurityException e) {
            h = "localhost";
        }
        h = h.replaceAll("[^A-Za-z0-9._-]", "_");
        return h.isEmpty() ? "localhost" : h;
    }

    /** The file version event and the START session log, as records. */
    private static byte[] header(double wallTime) {
        byte[] version = record(new Proto().float64(1, wallTime).varint(2, 0).string(3, FILE_VERSION).bytes());
        byte[] start = record(new Proto().float64(1, wallTime).varint(2, 0)
                .message(7, new Proto().varint(1, SESSION_START)).bytes());
        byte[] both = new byte[version.length + start.length];
        System.arraycopy(version, 0, both, 0, version.length);
        System.arraycopy(start, 0, both, version.length, start.length);
        return both;
    }

    /** {@code data} framed as a TFRecord. */
    static byte[] record(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(data.length);
        b.putInt(maskedCrc(b.array(), 0, 8));
        b.put(data);
        b.putInt(maskedCrc(data, 0, data.length));
        return b.array();
    }

    static int maskedCrc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    /**
     * One decoded record: where it is in the file ({@code offset}, {@code length} in bytes, framing
     * included), its step, its file version (null for other events) and whether it is a summary.
     */
    record Event(long offset, int length, long step, String fileVersion, boolean summary) {}

    /** The intact records of a file, and the length of the torn record after them (0 when none). */
    record Decoded(List<Event> events, int tornBytes) {}

    /**
     * Reads the records of {@code bytes} (the content of {@code file}); a last record cut short is
     * left out; any other defect is an {@link IOException} naming the file and the offset.
     */
    static Decoded decode(Path file, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            if (bytes.length - at < 12) {
                return new Decoded(events, bytes.length - at);
            }
            long length = b.getLong(at);
            if (b.getInt(at + 8) != maskedCrc(bytes, at, 8)) {
                throw damaged(file, at, "the length's checksum does not match");
            }
            if (length < 0) {
                throw damaged(file, at, "record length " + Long.toUnsignedString(length));
            }
            if (length > bytes.length - at - 16L) {
                return new Decoded(events, bytes.length - at); // the torn last record of a crash
            }
            int n = (int) length;
            if (b.getInt(at + 12 + n) != maskedCrc(bytes, at + 12, n)) {
                throw damaged(file, at, "the data's checksum does not match");
            }
            events.add(event(file, at, bytes, at + 12, n));
            at += 16 + n;
        }
        return new Decoded(events, 0);
    }

    /** The fields of an Event protobuf that a resume needs; unknown fields are skipped. */
    private static Event event(Path file, int recordAt, byte[] bytes, int from, int length) throws IOException {
        Proto.Reader r = new Proto.Reader(bytes, from, from + length);
        long step = 0;
        String version = null;
        boolean summary = false;
        try {
            while (r.more()) {
                long key = r.varint();
                int field = (int) (key >>> 3);
                int wire = (int) (key & 7);
                if (field == 2 && wire == 0) {
                    step = r.varint();
                } else if (field == 3 && wire == 2) {
                    int start = r.skipped(wire);
                    version = new String(bytes, start, r.last(), StandardCharsets.UTF_8);
                } else {
                    summary |= field == 5 && wire == 2;
                    r.skipped(wire);
                }
            }
        } catch (IllegalStateException e) {
            throw damaged(file, recordAt, "not an event (" + e.getMessage() + ")");
        }
        return new Event(recordAt, 16 + length, step, version, summary);
    }

    private static IOException damaged(Path file, long offset, String what) {
        return new IOException(String.format(Locale.ROOT, "%s, byte %d: not an intact TensorBoard event record (%s);"
                + " the run's events are damaged, so it cannot be resumed safely (move the file out of the folder to"
                + " resume without its earlier events)", file, offset, what));
    }

    /** Protobuf encoding of the few field kinds an event needs, and a reader that skips by wire type. */
    private static final class Proto {

        private final java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();

        Proto varint(int field, long v) {
            key(field, 0);
            raw(v);
            return this;
        }

        Proto float64(int field, double v) {
            key(field, 1);
            long bits = Double.doubleToRawLongBits(v);
            for (int i = 0; i < 8; i++) {
                b.write((int) (bits >>> (8 * i)));
            }
            return this;
        }

        Proto float32(int field, float v) {
            key(field, 5);
            int bits = Float.floatToRawIntBits(v);
            for (int i = 0; i < 4; i++) {
                b.write(bits >>> (8 * i));
            }
            return this;
        }

        Proto string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto m) {
            return bytes(field, m.bytes());
        }

        private Proto bytes(int field, byte[] data) {
            key(field, 2);
            raw(data.length);
            b.writeBytes(data);
            return this;
        }

        int size() {
            return b.size();
        }

        byte[] bytes() {
            return b.toByteArray();
        }

        private void key(int field, int wire) {
            raw((long) field << 3 | wire);
        }

        private void raw(long v) {
            while ((v & ~0x7fL) != 0) {
                b.write((int) (v & 0x7f) | 0x80);
                v >>>= 7;
            }
            b.write((int) v);
        }

        /** Reads fields from {@code bytes[from, to)}; a malformed field is an IllegalStateException. */
        static final class Reader {
            private final byte[] bytes;
            private final int to;
            private int at;
            private int last; // the length of the last length-delimited field skipped

            Reader(byte[] bytes, int from, int to) {
                this.bytes = bytes;
                this.at = from;
                this.to = to;
            }

            boolean more() {
                return at < to;
            }

            long varint() {
                long v = 0;
                for (int shift = 0; shift < 64; shift += 7) {
                    if (at >= to) {
                        throw new IllegalStateException("a varint runs past the record");
                    }
                    int x = bytes[at++];
                    v |= (long) (x & 0x7f) << shift;
                    if ((x & 0x80) == 0) {
                        return v;
                    }
                }
                throw new IllegalStateException("a varint longer than 10 bytes");
            }

            /** Skips a field of {@code wire} type and returns where its value began. */
            int skipped(int wire) {
                int start = at;
                long n = switch (wire) {
                    case 0 -> {
                        varint();
                        yield 0;
                    }
                    case 1 -> 8;
                    case 2 -> {
                        long len = varint();
                        start = at;
                        last = (int) Math.min(len, Integer.MAX_VALUE);
                        yield len;
                    }
                    case 5 -> 4;
                    default -> throw new IllegalStateException("wire type " + wire);
                };
                if (n < 0 || n > to - at) {
                    throw new IllegalStateException("a field runs past the record");
                }
                at += (int) n;
                return start;
            }

            int last() {
                return last;
            }
        }
    }
}
