package io.rkflow.train.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rkflow.models.data.IdxFiles;
import io.rkflow.train.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every run folder holds run.json, the record other tools read (settings, data identity, versions,
 * machine, times, how it ended, final metrics, one session per start or resume), and weights whose
 * metadata carry the model and the input preprocessing in a fixed order, byte-identical for
 * identical runs.
 */
class RunRecordTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static int train(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            picocli.CommandLine cl = Main.commandLine();
            cl.setErr(new PrintWriter(new StringWriter(), true));
            return cl.execute(args);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    private static String[] run(Path data, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--model", "6-8-10:relu",
                "--batch", "4", "--log-every", "1", "--optimizer", "rk4+adagrad+h(0.05)"));
        a.addAll(List.of(more));
        a.addAll(List.of("--out", out.toString()));
        return a.toArray(String[]::new);
    }

    @Test
    void aRunAndItsResumeAreRecorded(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path out = dir.resolve("run");
        assertEquals(0, train(run(data, out, "--steps", "3", "--validation", "4")));
        JsonNode first = JSON.readTree(out.resolve("run.json").toFile());
        assertEquals("finished", first.path("status").asText());
        assertEquals("rk4+h(0.05)+adagrad(delta=1)", first.path("settings").path("optimizer").asText());
        assertEquals(4, first.path("settings").path("batch").asInt());
        assertEquals(4, first.path("settings").path("validation").asInt());
        assertEquals("jvm", first.path("settings").path("device").asText().substring(0, 3));
        Checkpoint cp = Checkpoint.read(out.resolve(Checkpoint.FILE));
        assertEquals(cp.setting("data"), first.path("data").path("identity").asText());
        assertEquals(cp.setting("run_id"), first.path("run_id").asText());
        assertEquals(3, first.path("final").path("step").asLong());
        assertTrue(first.path("final").path("test_accuracy").isNumber());
        assertTrue(first.path("rkflow").path("version").isTextual());
        assertFalse(first.path("java").path("version").asText().isEmpty());
        assertTrue(first.path("machine").path("processors").asInt() >= 1);
        assertEquals(List.of("rkflow", "train", "--data"), List.of(first.path("command").get(0).asText(),
                first.path("command").get(1).asText(), first.path("command").get(2).asText()));
        assertFalse(first.path("ended").isNull());
        assertEquals(1, first.path("sessions").size());

        assertEquals(0, train("train", "--data", data.toString(), "--resume", out.toString(), "--steps", "5"));
        JsonNode second = JSON.readTree(out.resolve("run.json").toFile());
        assertEquals(first.path("run_id"), second.path("run_id"));
        assertEquals(first.path("started"), second.path("started"));
        assertEquals(5, second.path("final").path("step").asLong());
        assertEquals(2, second.path("sessions").size());
        assertEquals(3, second.path("sessions").get(1).path("from_step").asLong());
        assertEquals(5, second.path("sessions").get(1).path("to_step").asLong());
        assertEquals(5, second.path("settings").path("steps").asLong(), "the latest target");
    }

    @Test
    void aStoppedRunSaysWhyInItsRecord(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path out = dir.resolve("run");
        List<String> a = new ArrayList<>(List.of(run(data, out, "--steps", "5")));
        a.set(a.indexOf("rk4+adagrad+h(0.05)"), "euler+h(1e30)");
        assertEquals(3, train(a.toArray(String[]::new)));
        JsonNode r = JSON.readTree(out.resolve("run.json").toFile());
        assertEquals("stopped", r.path("status").asText());
        assertTrue(r.path("reason").asText().contains("NaN or infinite"), r.toString());
        assertTrue(r.path("final").isNull());
    }

    @Test
    void identicalRunsWriteIdenticalWeightsWithTheirPreprocessing(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        assertEquals(0, train(run(data, dir.resolve("a"), "--steps", "4")));
        assertEquals(0, train(run(data, dir.resolve("b"), "--steps", "4")));
        byte[] a = Files.readAllBytes(dir.resolve("a").resolve("model.safetensors"));
        byte[] b = Files.readAllBytes(dir.resolve("b").resolve("model.safetensors"));
        assertArrayEquals(a, b);
        long n = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode meta = JSON.readTree(new String(a, 8, (int) n, StandardCharsets.UTF_8)).path("__metadata__");
        List<String> keys = new ArrayList<>();
        meta.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("model", "optimizer", "seed", "steps", "test_accuracy", "input_format", "input_features",
                "input_preprocessing", "input_standardize", "input_mean", "input_std", "data"), keys);
        assertEquals("x = (pixel / 255 - input_mean) / input_std", meta.path("input_preprocessing").asText());
        assertEquals("idx", meta.path("input_format").asText());
        assertEquals("global", meta.path("input_standardize").asText());
        JsonNode record = JSON.readTree(dir.resolve("a").resolve("run.json").toFile());
        assertEquals(record.path("data").path("mean").floatValue(), Float.parseFloat(meta.path("input_mean").asText()));
        assertTrue(Float.parseFloat(meta.path("input_std").asText()) > 0);
        assertEquals("6-8-10:relu", meta.path("model").asText());
    }
}
