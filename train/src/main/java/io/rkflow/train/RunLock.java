package io.rkflow.train;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one writer of a run folder: an operating-system lock on {@value #FILE} in the folder, held
 * while the run trains. A second run on the same folder (another resume, another {@code --force})
 * is refused while the first holds it; the lock goes with the process that held it, so a crashed
 * run leaves no stale lock behind (the file itself stays, unlocked, and names the last holder).
 */
public final class RunLock implements AutoCloseable {

    /** The lock file's name in a run folder. */
    public static final String FILE = ".rkflow.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock of {@code folder} (creating the folder), or fails naming the folder and its holder. */
    public static RunLock acquire(Path folder) throws IOException {
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            throw new IllegalArgumentException("--out " + folder + " is a file, not a folder; name a folder for the run");
        }
        Files.createDirectories(folder);
        Path file = folder.resolve(FILE);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null; // held by a run in this JVM
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (l == null) {
            String holder;
            try {
                holder = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                holder = "";
            }
            ch.close();
            throw new IllegalArgumentException("run folder " + folder + " is in use by another run"
                    + (holder.isEmpty() ? "" : " (" + holder + ")") + "; wait for it to end, or choose another --out");
        }
        ch.truncate(0);
        ch.write(java.nio.ByteBuffer.wrap(("process " + ProcessHandle.current().pid() + " since "
                + java.time.Instant.now() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        return new RunLock(ch, l);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
