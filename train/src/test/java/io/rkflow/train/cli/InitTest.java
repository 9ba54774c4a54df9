package io.rkflow.train.cli;

import static io.rkflow.train.cli.Rkflow.assertContains;
import static io.rkflow.train.cli.Rkflow.concat;
import static io.rkflow.train.cli.Rkflow.untimed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.models.data.IdxFiles;
import io.rkflow.models.io.SafeTensors;
import io.rkflow.models.nn.Network;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.train.Checkpoint;
import io.rkflow.train.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code train --init FILE}: a run starts from the file's weights, bit for bit; the weights a run
 * exports start another run that evaluates exactly as the first one ended; the file is checked
 * against the model before anything is written; the run records where its weights came from, and
 * a resume refuses another --init.
 */
class InitTest {

    private static final String MODEL = "6-8-10:relu";

    /** A CNN over the same 6 features read as a 2 × 3 image: every layer kind that has weights, and dropout. */
    private static final String CNN = "2x3x1:conv(4,2,pad=1)-relu-maxpool(2)-flatten-dropout(0.2)-dense(10)";

    private static String[] train(Path data, Path run, String... more) {
        return train(MODEL, data, run, more);
    }

    private static String[] train(String model, Path data, Path run, String... more) {
        String[] common = {"train", "--data", data.toString(), "--model", model, "--batch", "4", "--log-every", "1",
            "--out", run.toString()};
        return concat(common, more);
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @ParameterizedTest
    @ValueSource(strings = {MODEL, CNN})
    void aRunFromAnotherRunsWeightsStartsWhereThatRunEnded(String model, @TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path first = dir.resolve("first");
        Rkflow.ok(train(model, data, first, "--epochs", "2", "--seed", "3"));
        Path weights = first.resolve("model.safetensors");
        float[] exported = SafeTensors.parameters(SafeTensors.read(weights), ModelSpec.parse(model));
        assertArrayEquals(Checkpoint.read(first.resolve(Checkpoint.FILE)).theta(), exported,
                "the exported weights are the run's final θ, bit for bit");

        Path second = dir.resolve("second");
        Rkflow.ok(train(model, data, second, "--init", weights.toString(), "--steps", "1", "--seed", "9"));
        List<String> firstRows = untimed(first);
        String[] end = firstRows.get(firstRows.size() - 1).split(",", -1);
        String[] start = untimed(second).get(1).split(",", -1);
        assertEquals("0", start[0]);
        assertEquals(end[3] + "," + end[4], start[3] + "," + start[4],
                "step 0 of the second run: the first run's final test accuracy and loss");
        assertEquals(end[12], start[12], "and its train accuracy");

        JsonNode init = RunRecord.read(second).path("settings").path("init");
        assertEquals(weights.toAbsolutePath().normalize().toString(), init.path("file").asText());
        assertEquals(sha256(weights), init.path("sha256").asText());
        assertEquals(sha256(weights), Checkpoint.read(second.resolve(Checkpoint.FILE)).setting("init_sha256"));
        assertEquals(sha256(weights), SafeTensors.read(second.resolve("model.safetensors")).metadata()
                .get("init_sha256"));
        assertNull(Checkpoint.read(first.resolve(Checkpoint.FILE)).setting("init_sha256"), "a seeded run has none");
        assertFalse(RunRecord.read(first).path("settings").has("init"));
    }

    @Test
    void aRunFromTheSeededWeightsInAFileIsTheSeededRunBitForBitAndResumesAsOne(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        ModelSpec spec = ModelSpec.parse(MODEL);
        Path file = dir.resolve("seed5.safetensors");
        try (Device device = Devices.open("jvm")) {
            SafeTensors.write(file, spec, new Network(device, spec, 4, 1).initialParameters(5), Map.of());
        }
        Path seeded = dir.resolve("seeded");
        Path fromFile = dir.resolve("from-file");
        Path parts = dir.resolve("parts");
        String[] rk = {"--optimizer", "rk4+adagrad+momentum(0.9)", "--seed", "5", "--epochs", "3"};
        Rkflow.ok(train(data, seeded, concat(rk, "--steps", "8")));
        Rkflow.ok(train(data, fromFile, concat(rk, "--steps", "8", "--init", file.toString())));
        assertEquals(untimed(seeded), untimed(fromFile), "the same computation: every row, step 0 included");
        assertArrayEquals(Checkpoint.read(seeded.resolve(Checkpoint.FILE)).theta(),
                Checkpoint.read(fromFile.resolve(Checkpoint.FILE)).theta());

        // a run from --init stopped and resumed (without --init, or with the same file) is the uninterrupted one
        Rkflow.ok(train(data, parts, concat(rk, "--steps", "3", "--init", file.toString())));
        Rkflow.ok("train", "--data", data.toString(), "--resume", parts.toString(), "--steps", "5");
        Rkflow.ok("train", "--data", data.toString(), "--resume", parts.toString(), "--steps", "8", "--init",
                file.toString());
        assertEquals(untimed(fromFile), untimed(parts));
        assertArrayEquals(Checkpoint.read(fromFile.resolve(Checkpoint.FILE)).theta(),
                Checkpoint.read(parts.resolve(Checkpoint.FILE)).theta());
        assertEquals(sha256(file), RunRecord.read(parts).path("settings").path("init").path("sha256").asText(),
                "a resume keeps the record of the run's start");

        // another --init, or one for a seeded run, is refused and changes nothing
        byte[] before = Files.readAllBytes(parts.resolve(Checkpoint.FILE));
        Path other = seeded.resolve("model.safetensors");
        assertContains(Rkflow.refused("train", "--data", data.toString(), "--resume", parts.toString(), "--steps",
                "9", "--init", other.toString()), "--init " + other + " (SHA-256 " + sha256(other)
                + ") differs from the checkpoint's --init file (SHA-256 " + sha256(file) + ")", "drop --init");
        assertArrayEquals(before, Files.readAllBytes(parts.resolve(Checkpoint.FILE)));
        assertContains(Rkflow.refused("train", "--data", data.toString(), "--resume", seeded.toString(),
                "--steps", "9", "--init", file.toString()), "the seeded initialization (no --init)");
    }

    @Test
    void aFileThatDoesNotFitTheModelIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path file = dir.resolve("narrow.safetensors");
        ModelSpec narrow = ModelSpec.parse("6-4-10:relu");
        SafeTensors.write(file, narrow, new float[narrow.parameters()], Map.of());
        Path run = dir.resolve("run");
        assertContains(Rkflow.refused(train(data, run, "--init", file.toString())),
                file + ": layers.0.weight: the model 6-8-10:relu needs [8, 6], the file has [4, 6]");
        assertFalse(Files.exists(run));

        Path garbage = Files.writeString(dir.resolve("garbage.safetensors"), "not a safetensors file at all");
        assertContains(Rkflow.refused(train(data, run, "--init", garbage.toString())), garbage + ": the header"
                + " length");
        assertContains(Rkflow.refused(train(data, run, "--init", dir.resolve("none").toString())), "none: no such file");
        assertFalse(Files.exists(run));
    }
}
