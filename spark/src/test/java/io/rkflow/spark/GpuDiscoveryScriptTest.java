package io.rkflow.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/spark-gpu-discovery.sh prints Spark's resource JSON from nvidia-smi's GPU indices (a
 * fake nvidia-smi on PATH here: this machine has no GPU), and no addresses without a working one.
 */
class GpuDiscoveryScriptTest {

    static final Path SCRIPT = Path.of("..", "scripts", "spark-gpu-discovery.sh").toAbsolutePath().normalize();

    /** A fake nvidia-smi in {@code dir} that answers the script's query with {@code body} (sh). */
    static Path fakeNvidiaSmi(Path dir, String body) throws IOException {
        Files.createDirectories(dir);
        Path smi = dir.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\n[ \"$*\" = \"--query-gpu=index --format=csv,noheader\" ] || {\n"
                + "  echo \"unexpected arguments: $*\" >&2; exit 64; }\n" + body + "\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    /** The script's output with {@code path} as PATH; it must exit 0. */
    static JsonNode discover(String path) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
        pb.environment().put("PATH", path);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the script ends");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.endsWith("}\n") && out.lines().count() == 1, out);
        return new ObjectMapper().readTree(out);
    }

    static List<String> addresses(JsonNode json) {
        assertEquals("gpu", json.path("name").asText(), json.toString());
        assertTrue(json.path("addresses").isArray(), json.toString());
        return json.path("addresses").valueStream().map(JsonNode::asText).toList();
    }

    @Test
    void theGpusNvidiaSmiListsAreTheAddresses(@TempDir Path dir) throws Exception {
        Path bin = fakeNvidiaSmi(dir.resolve("bin"), "printf '0\\n1\\n2\\n3\\n'");
        assertEquals(List.of("0", "1", "2", "3"), addresses(discover(bin + ":/usr/bin:/bin")));
        Path one = fakeNvidiaSmi(dir.resolve("one"), "printf '0\\r\\n'");
        assertEquals(List.of("0"), addresses(discover(one + ":/usr/bin:/bin")));
    }

    @Test
    void noNvidiaSmiOrAFailingOneIsNoAddresses(@TempDir Path dir) throws Exception {
        assertEquals(List.of(), addresses(discover("/usr/bin:/bin")));
        Path failing = fakeNvidiaSmi(dir.resolve("bin"), "echo 'NVIDIA-SMI has failed because it couldn'\"'\"'t"
                + " communicate with the NVIDIA driver.'; exit 9");
        assertEquals(List.of(), addresses(discover(failing + ":/usr/bin:/bin")));
        Path noGpus = fakeNvidiaSmi(dir.resolve("none"), "echo 'No devices were found'");
        assertEquals(List.of(), addresses(discover(noGpus + ":/usr/bin:/bin")));
    }
}
