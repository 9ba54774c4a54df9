package io.rkflow.train.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's JVMs start quietly: the "Using incubator modules" warning of every start is
 * dropped, everything else a command prints and its exit status pass through, and every JVM the
 * launcher starts goes through that filter.
 */
class LauncherTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theIncubatorWarningIsDroppedAndTheRestPassesThrough(@TempDir Path dir) throws Exception {
        String command = ". scripts/java-env.sh; rkflow_run_java sh -c 'echo \"WARNING: Using incubator modules:"
                + " jdk.incubator.vector\" >&2; echo \"rkflow train: --batch 0 must be at least 1\" >&2; echo"
                + " step 100; exit 2'";
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process p = new ProcessBuilder("bash", "-c", command).directory(ROOT.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), "the command's exit status");
        assertEquals(List.of("step 100"), Files.readAllLines(out));
        assertEquals(List.of("rkflow train: --batch 0 must be at least 1"), Files.readAllLines(err));
    }

    @Test
    void everyJvmTheLauncherStartsIsFiltered() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("rkflow"), StandardCharsets.UTF_8);
        long javaStarts = lines.stream().filter(l -> l.contains("\"$JAVA_HOME/bin/java\" ")
                && !l.contains("-version")).count();
        long filtered = lines.stream().filter(l -> l.strip().startsWith("run_java \"$JAVA_HOME/bin/java\"")).count();
        assertTrue(javaStarts >= 2, "the plain and the TornadoVM launch");
        assertEquals(javaStarts, filtered, "every java start goes through run_java");
        assertFalse(lines.stream().anyMatch(l -> l.strip().startsWith("exec \"$JAVA_HOME/bin/java\"")));
    }
}
