package io.rkflow.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run folders and checkpoints that are missing or of the wrong kind are named, as bad input. */
class RunFolderPathsTest {

    @Test
    void aMissingRunFolderIsNamed(@TempDir Path dir) {
        Path run = dir.resolve("no-such-run");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.read(run.resolve(Checkpoint.FILE)));
        assertEquals(run + ": no such run folder", e.getMessage());
    }

    @Test
    void aRunFolderWithoutACheckpointSaysSo(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.read(dir.resolve(Checkpoint.FILE)));
        assertTrue(e.getMessage().startsWith(dir.resolve(Checkpoint.FILE) + ": no checkpoint there"), e.getMessage());
    }

    @Test
    void aCheckpointThatIsAFolderIsNamed(@TempDir Path dir) throws IOException {
        Path cp = Files.createDirectories(dir.resolve(Checkpoint.FILE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(cp));
        assertEquals(cp + " is a folder, not a checkpoint file", e.getMessage());
    }

    @Test
    void aRunFolderThatIsAFileIsNamed(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("run"), "not a folder");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.read(file.resolve(Checkpoint.FILE)));
        assertEquals(file + " is a file, not a run folder", e.getMessage());
        IllegalArgumentException out = assertThrows(IllegalArgumentException.class, () -> new Metrics(file, false));
        assertTrue(out.getMessage().startsWith("--out " + file + " is a file, not a folder"), out.getMessage());
        assertEquals("not a folder", Files.readString(file), "the file is left as it was");
        assertFalse(Files.isDirectory(file));
    }
}
