package io.rkflow.train.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.data.IdxFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures end with a message that names what is wrong and the exit code that says whose it is:
 * 2 for bad input (options, missing, unreadable or damaged files), 1 for the machine (out of
 * memory), never a stack trace.
 */
class ExitCodeTest {

    private record Result(int code, String err) {}

    private static Result rkflow(String... args) {
        Rkflow.Result r = Rkflow.run(args);
        return new Result(r.code(), r.err());
    }

    @Test
    void aDataFileThatIsAFolderIsNamedAsSuch(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Files.delete(data.resolve("t10k-labels-idx1-ubyte.gz"));
        Files.createDirectories(data.resolve("t10k-labels-idx1-ubyte.gz"));
        Result r = rkflow("train", "--data", data.toString(), "--model", "6-8-10:relu", "--batch", "4", "--out",
                dir.resolve("run").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("t10k-labels-idx1-ubyte.gz is a folder, not a file"), r.err());
        assertFalse(Files.exists(dir.resolve("run")));
    }

    @Test
    void aDataOptionThatIsAFileIsNamedAsSuch(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("data.gz");
        Files.writeString(file, "not a folder");
        Result r = rkflow("train", "--data", file.toString(), "--out", dir.resolve("run").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--data " + file + ": a file, not a folder"), r.err());
    }

    @Test
    void anUnreadableDataFileIsNamedAsSuch(@TempDir Path dir) throws IOException {
        // root reads any file: this case can only be seen by another user
        org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                "running as root, which reads unreadable files");
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path labels = data.resolve("train-labels-idx1-ubyte.gz");
        Files.setPosixFilePermissions(labels, java.util.Set.of());
        Result r = rkflow("train", "--data", data.toString(), "--model", "6-8-10:relu", "--out",
                dir.resolve("run").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(labels + ": not readable (permission denied)"), r.err());
    }

    @Test
    void aDamagedDataFileIsBadInput(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Files.write(data.resolve("train-images-idx3-ubyte.gz"), new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});
        Result r = rkflow("train", "--data", data.toString(), "--model", "6-8-10:relu", "--out",
                dir.resolve("run").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("train-images-idx3-ubyte.gz: at byte offset"), r.err());
    }

    @Test
    void outOfMemoryIsAMessageWithTheHeapAndHowToGiveMoreNotATrace(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        String java = ProcessHandle.current().info().command().orElse("java");
        // 6-20000-20000-10: 400 million parameters, 1.6 GB for θ alone, in a 64 MB heap
        Process p = new ProcessBuilder(java, "-Xmx64m", "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "train", "--data", data.toString(),
                "--model", "6-20000-20000-10:relu", "--batch", "4", "--steps", "1", "--out",
                dir.resolve("run").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("rkflow: out of memory") && out.contains("with a heap of 64 MB")
                && out.contains("RKFLOW_JAVA_OPTS=-Xmx"), out);
        assertFalse(out.contains("\tat ") || out.contains("Exception in thread"), out);
        List<String> lines = out.lines().filter(l -> l.startsWith("rkflow:")).toList();
        assertEquals(1, lines.size(), out);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "metrics.csv | could not write its header (No space left on device)",
        "metrics.jsonl | could not write the metrics row of step 0 (No space left on device)",
    })
    void aFullDiskNamesTheFileItCouldNotWrite(String file, String message, @TempDir Path dir) throws IOException {
        Path full = Path.of("/dev/full"); // every write fails with ENOSPC
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(full), "no /dev/full here");
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        Files.createSymbolicLink(run.resolve(file), full);
        Result r = rkflow("train", "--data", data.toString(), "--model", "6-8-10:relu", "--batch", "4", "--steps", "2",
                "--force", "--out", run.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains(run.resolve(file) + ": " + message), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }
}
