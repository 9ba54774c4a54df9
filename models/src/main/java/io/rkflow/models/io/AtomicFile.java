package io.rkflow.models.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that readers see the old content or the new, never a mix: a temporary file in
 * the same folder, fsync, then a rename over the target. A failed write leaves the target as it
 * was and removes the temporary file.
 */
public final class AtomicFile {

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private AtomicFile() {}

    /** Writes the remaining bytes of {@code parts}, in order, to {@code file}. */
    public static void write(Path file, ByteBuffer... parts) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        // not Files.createTempFile, which makes the file 0600: a new file gets the permissions every
        // other file of the run gets (0644 under the usual umask)
        Path tmp;
        FileChannel opened;
        while (true) {
            tmp = dir.resolve("." + target.getFileName() + Long.toUnsignedString(RANDOM.nextLong()) + ".tmp");
            try {
                opened = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                break;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another name
            }
        }
        try {
            try (FileChannel ch = opened) {
                for (ByteBuffer part : parts) {
                    while (part.hasRemaining()) {
                        ch.write(part);
                    }
                }
                ch.force(true);
            } catch (IOException e) { // "No space left on device" says nothing of where
                throw new IOException(target + ": could not write it (" + e.getMessage() + "); the file is as it"
                        + " was before", e);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
