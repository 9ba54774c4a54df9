package io.rkflow.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per run folder: a second run is refused while the first holds the lock, in this JVM or another. */
class RunLockTest {

    @Test
    void aSecondRunInThisJvmIsRefusedUntilTheFirstEnds(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("run");
        try (RunLock first = RunLock.acquire(run)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunLock.acquire(run));
            assertTrue(e.getMessage().startsWith("run folder " + run + " is in use by another run (process "
                    + ProcessHandle.current().pid()), e.getMessage());
        }
        try (RunLock again = RunLock.acquire(run)) {
            assertTrue(Files.readString(run.resolve(RunLock.FILE)).startsWith("process "));
        }
    }

    @Test
    void aRunInAnotherProcessHoldsTheFolderAndItsDeathFreesIt(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                RunLockHolder.class.getName(), run.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunLock.acquire(run));
            assertTrue(e.getMessage().contains("is in use by another run (process " + holder.pid()), e.getMessage());
        } finally {
            holder.destroyForcibly(); // as a kill -9 would: the lock goes with the process
            holder.waitFor(30, TimeUnit.SECONDS);
        }
        try (RunLock mine = RunLock.acquire(run)) {
            assertTrue(Files.readString(run.resolve(RunLock.FILE)).startsWith("process " + ProcessHandle.current().pid()));
        }
    }
}
