package io.rkflow.train.cli;

import static io.rkflow.train.cli.Rkflow.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.data.IdxFiles;
import io.rkflow.train.Checkpoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resume continues only the run its checkpoint belongs to: the checkpoint records every setting
 * and the data's identity; a resume takes the recorded settings, refuses other data, a checkpoint
 * of another run and a checkpoint older than the folder's metrics, and each refusal names what
 * differs, exits with 2 and changes no file.
 */
class ResumeIdentityTest {

    private static Rkflow.Result train(String... args) {
        return Rkflow.run(args);
    }

    /** A new run into {@code run}, with the options after the common ones. */
    private static String[] args(Path data, Path run, String... more) {
        String[] common = {"train", "--data", data.toString(), "--model", "6-8-10:relu", "--batch", "4",
            "--epochs", "3", "--out", run.toString()};
        boolean logEvery = java.util.Arrays.asList(more).contains("--log-every");
        return concat(concat(common, logEvery ? new String[0] : new String[] {"--log-every", "1"}), more);
    }

    /** A resume of {@code run} on {@code data}, with only the options given. */
    private static String[] resume(Path data, Path run, String... more) {
        return concat(new String[] {"train", "--data", data.toString(), "--resume", run.toString(), "--epochs", "3"},
                more);
    }

    private static Map<String, String> contents(Path folder) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (var files = Files.list(folder)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals(".rkflow.lock")) {
                    m.put(f.getFileName().toString(), java.util.Arrays.toString(Files.readAllBytes(f)));
                }
            }
        }
        return m;
    }

    @Test
    void aResumeWithoutTheOptionsTakesTheRecordedSplitAndGridAndMatchesAnUninterruptedRun(@TempDir Path dir)
            throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path whole = dir.resolve("whole");
        Path parts = dir.resolve("parts");
        assertEquals(0, train(args(data, whole, "--validation", "5", "--eval-every", "2", "--steps", "6")).code());
        assertEquals(0, train(args(data, parts, "--validation", "5", "--eval-every", "2", "--steps", "3")).code());
        Rkflow.Result resumed = train(resume(data, parts, "--steps", "6"));
        assertEquals(0, resumed.code(), resumed.err());
        Checkpoint a = Checkpoint.read(whole.resolve(Checkpoint.FILE));
        Checkpoint b = Checkpoint.read(parts.resolve(Checkpoint.FILE));
        assertEquals("5", b.setting("validation"));
        assertEquals("2", b.setting("eval_every"));
        assertArrayEquals(a.theta(), b.theta(), "the resumed run trains on the same 15 rows as the uninterrupted one");
        assertEquals(Files.readString(whole.resolve("metrics.csv")).lines().map(l -> l.split(",")[12]).toList(),
                Files.readString(parts.resolve("metrics.csv")).lines().map(l -> l.split(",")[12]).toList(),
                "validation accuracy is reported at the same steps");
    }

    @Test
    void anExplicitOtherGridIsRefusedByName(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path run = dir.resolve("run");
        assertEquals(0, train(args(data, run, "--steps", "3")).code());
        Map<String, String> before = contents(run);
        Rkflow.Result r = train(resume(data, run, "--steps", "6", "--log-every", "2"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--log-every 2 differs from the checkpoint's 1"), r.err());
        assertEquals(before, contents(run));
    }

    @Test
    void otherDataIsRefusedNamingBothAndTheSameDataElsewhereIsAccepted(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path other = dir.resolve("other");
        IdxFiles.writeFourFilesWithOtherLabels(other, 3);
        Path run = dir.resolve("run");
        assertEquals(0, train(args(data, run, "--steps", "3")).code());
        Map<String, String> before = contents(run);
        Rkflow.Result r = train(resume(other, run, "--steps", "6"));
        assertEquals(2, r.code(), r.err());
        String recorded = Checkpoint.read(run.resolve(Checkpoint.FILE)).setting("data");
        assertTrue(r.err().contains("is not the data the run in") && r.err().contains(recorded)
                && r.err().contains("train 20 x 6, 10 classes, crc32 "), r.err());
        assertFalse(r.err().contains("this data is " + recorded), r.err());
        assertEquals(before, contents(run), "a refused resume changes no file");
        // the same content, uncompressed, in another folder is the same data
        Path plain = dir.resolve("plain");
        Files.createDirectories(plain);
        try (var files = Files.list(data)) {
            for (Path f : files.toList()) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
                    Files.write(plain.resolve(f.getFileName().toString().replace(".gz", "")), in.readAllBytes());
                }
            }
        }
        Rkflow.Result ok = train(resume(plain, run, "--steps", "6"));
        assertEquals(0, ok.code(), ok.err());
        assertEquals(6, Checkpoint.read(run.resolve(Checkpoint.FILE)).step());
    }

    @Test
    void aCheckpointOfAnotherRunInTheFolderIsRefused(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        assertEquals(0, train(args(data, a, "--steps", "3")).code());
        assertEquals(0, train(args(data, b, "--steps", "2", "--seed", "7")).code());
        Files.copy(b.resolve(Checkpoint.FILE), a.resolve(Checkpoint.FILE), StandardCopyOption.REPLACE_EXISTING);
        Map<String, String> before = contents(a);
        Rkflow.Result r = train(resume(data, a, "--steps", "6"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("belongs to an earlier run") || r.err().contains("belongs to another run"),
                r.err());
        assertEquals(before, contents(a), "a refused resume changes no file");
    }

    @Test
    void aForcedRunDropsTheOldCheckpointSoAResumeCannotContinueTheOldRun(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path run = dir.resolve("run");
        assertEquals(0, train(args(data, run, "--steps", "5")).code());
        Path old = dir.resolve("old.rkc");
        Files.copy(run.resolve(Checkpoint.FILE), old);
        // a new run in the same folder that stops before its first checkpoint
        Rkflow.Result forced = train(args(data, run, "--force", "--optimizer", "euler+h(1e30)", "--steps", "5",
                "--checkpoint-every", "0"));
        assertEquals(3, forced.code(), forced.err());
        assertFalse(Files.exists(run.resolve(Checkpoint.FILE)), "the earlier run's checkpoint is gone");
        Rkflow.Result r = train(resume(data, run, "--steps", "8"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("no checkpoint there"), r.err());
        // and where the old checkpoint survived (a crash between the two, an older rkflow), the run id refuses it
        Files.copy(old, run.resolve(Checkpoint.FILE));
        Map<String, String> before = contents(run);
        Rkflow.Result r2 = train(resume(data, run, "--steps", "8"));
        assertEquals(2, r2.code(), r2.err());
        assertTrue(r2.err().contains("belongs to an earlier run"), r2.err());
        assertEquals(before, contents(run));
    }

    @Test
    void aTableauFileEditedBetweenTheRunAndItsResumeIsRefused(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path tableau = dir.resolve("mine.tab");
        Files.writeString(tableau, "name = mine\norder = 2\n  0 |   0   0\n2/3 | 2/3   0\n----+--------\n    | 1/4 3/4\n");
        Path run = dir.resolve("run");
        Rkflow.Result first = train(args(data, run, "--optimizer", tableau + "+h(0.1)", "--steps", "3"));
        assertEquals(0, first.code(), first.err());
        Files.writeString(tableau, "name = mine\norder = 2\n  0 |   0   0\n  1 |   1   0\n----+--------\n    | 1/2 1/2\n");
        Map<String, String> before = contents(run);
        Rkflow.Result r = train(resume(data, run, "--steps", "6"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("other settings: tableau_sha256: the checkpoint's "), r.err());
        assertEquals(before, contents(run));
    }
}
