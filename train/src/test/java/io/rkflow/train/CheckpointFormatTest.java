package io.rkflow.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.io.BadFileException;
import io.rkflow.solvers.optim.OptimizerState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint whose content is consistent (its CRC matches) but whose lengths are forged is an
 * error naming the file, raised before anything of that length is allocated; a checkpoint of the
 * earlier format is refused with what to do; the settings survive a round trip in order.
 */
class CheckpointFormatTest {

    private static Checkpoint sample() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("model", "2-3-2:relu");
        settings.put("optimizer", "rk4+h(0.1)");
        settings.put("batch", "4");
        settings.put("seed", "1");
        settings.put("data", "train 20 x 6, 10 classes, crc32 00000001");
        settings.put("run_id", "0123456789abcdef");
        OptimizerState state = new OptimizerState("rk4+h(0.1)", Map.of("v", new float[] {1, 2, 3}), Map.of("t", 2.0));
        return new Checkpoint(settings, 1, 2, 7, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
                state, 3, 0.5);
    }

    /** The content of {@code file} after its 20-byte header. */
    private static byte[] content(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return java.util.Arrays.copyOfRange(all, 20, all.length);
    }

    /** Writes {@code content} under a header whose length and CRC fit it (a forgery a CRC cannot catch). */
    private static void writeWithHeader(Path file, int version, byte[] content) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(content);
        ByteBuffer b = ByteBuffer.allocate(20 + content.length);
        b.putInt(0x524B434B).putInt(version).putLong(content.length).putInt((int) crc.getValue()).put(content);
        Files.write(file, b.array());
    }

    /** The offset in the content of the parameter count, found by reading the fields before it. */
    private static int parameterCountOffset(byte[] content) throws IOException {
        ByteArrayInputStream bytes = new ByteArrayInputStream(content);
        DataInputStream in = new DataInputStream(bytes);
        int settings = in.readInt();
        for (int i = 0; i < 2 * settings; i++) {
            in.readUTF();
        }
        in.readInt(); // epoch
        in.readInt(); // batch in epoch
        in.readLong(); // step
        in.readLong(); // window steps
        in.readDouble(); // window loss
        return content.length - bytes.available();
    }

    @Test
    void settingsSurviveARoundTripInOrder(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(Checkpoint.FILE);
        Checkpoint c = sample();
        c.write(file);
        Checkpoint back = Checkpoint.read(file);
        assertEquals(java.util.List.copyOf(c.settings().entrySet()), java.util.List.copyOf(back.settings().entrySet()));
        assertEquals(4, back.batch());
        assertEquals("2-3-2:relu", back.model());
        assertEquals(7, back.step());
    }

    @Test
    void aForgedParameterCountIsNamedNotAllocated(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(Checkpoint.FILE);
        sample().write(file);
        byte[] content = content(file);
        ByteBuffer.wrap(content).putInt(parameterCountOffset(content), Integer.MAX_VALUE - 8);
        writeWithHeader(file, 2, content);
        BadFileException e = assertThrows(BadFileException.class, () -> Checkpoint.read(file));
        assertTrue(e.getMessage().startsWith(file + ": damaged checkpoint: 2147483639 parameters"), e.getMessage());
    }

    @Test
    void aForgedOptimizerArrayLengthIsNamedNotAllocated(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(Checkpoint.FILE);
        sample().write(file);
        byte[] content = content(file);
        // the state's only array, "v", has 3 elements: its length is the int after the UTF name "v"
        byte[] marker = {0, 1, 'v', 0, 0, 0, 3};
        int at = indexOf(content, marker);
        assertTrue(at > 0);
        ByteBuffer.wrap(content).putInt(at + 3, 1 << 30);
        writeWithHeader(file, 2, content);
        BadFileException e = assertThrows(BadFileException.class, () -> Checkpoint.read(file));
        assertTrue(e.getMessage().startsWith(file + ": damaged checkpoint: corrupt optimizer state: 1073741824"
                + " elements of v"), e.getMessage());
    }

    @Test
    void aForgedSettingsCountIsNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(Checkpoint.FILE);
        sample().write(file);
        byte[] content = content(file);
        ByteBuffer.wrap(content).putInt(0, 1 << 28);
        writeWithHeader(file, 2, content);
        BadFileException e = assertThrows(BadFileException.class, () -> Checkpoint.read(file));
        assertTrue(e.getMessage().contains("damaged checkpoint: 268435456 settings"), e.getMessage());
    }

    @Test
    void aCheckpointOfTheEarlierFormatIsRefusedWithWhatToDo(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(Checkpoint.FILE);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeUTF("2-3-2:relu"); // version 1 began with the model, optimizer, batch and seed
        out.writeUTF("rk4+h(0.1)");
        out.writeInt(4);
        out.writeLong(1);
        writeWithHeader(file, 1, bytes.toByteArray());
        BadFileException e = assertThrows(BadFileException.class, () -> Checkpoint.read(file));
        assertTrue(e.getMessage().contains("format version 1") && e.getMessage().contains("start a new run"),
                e.getMessage());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
