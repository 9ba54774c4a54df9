package io.rkflow.models.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic writes replace a file whole, leave no temporary file, and give a new file the permissions
 * any other new file of the folder gets (checkpoints and weights were 0600 beside 0644 metrics).
 */
class AtomicFileTest {

    @Test
    void aNewFileGetsTheFoldersUsualPermissionsAndNoTemporaryFileStays(@TempDir Path dir) throws IOException {
        Path plain = Files.writeString(dir.resolve("metrics.csv"), "step\n");
        Path atomic = dir.resolve("checkpoint.rkc");
        AtomicFile.write(atomic, ByteBuffer.wrap("one".getBytes(StandardCharsets.UTF_8)));
        AtomicFile.write(atomic, ByteBuffer.wrap("two".getBytes(StandardCharsets.UTF_8)));
        assertEquals("two", Files.readString(atomic));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
        try (var files = Files.list(dir)) {
            assertTrue(files.allMatch(p -> p.equals(plain) || p.equals(atomic)), "no temporary file left");
        }
    }
}
