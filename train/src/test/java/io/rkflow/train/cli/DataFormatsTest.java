package io.rkflow.train.cli;

import static io.rkflow.train.cli.Rkflow.assertContains;
import static io.rkflow.train.cli.Rkflow.ok;
import static io.rkflow.train.cli.Rkflow.refused;
import static io.rkflow.train.cli.Rkflow.untimed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rkflow.models.data.DataFiles;
import io.rkflow.models.data.DataFolder;
import io.rkflow.train.Checkpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code rkflow train --data DIR} on CSV and NPY folders, end to end: the same numbers train
 * exactly as their IDX files do; an NPY run with per-feature standardization resumes bit for bit
 * without being told where its data is, and refuses other data or another standardization; the
 * weights carry the standardization; data that does not fit the model, or that is malformed, is
 * refused before any file is made, naming the file and the place.
 */
class DataFormatsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String[] train(Path data, Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("train", "--model", "6-8-10:relu", "--batch", "4",
                "--log-every", "1", "--optimizer", "rk4+adagrad+h(0.05)", "--out", out.toString()));
        if (data != null) a.addAll(List.of("--data", data.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void csvAndNpyFoldersOfTheIdxNumbersTrainExactlyAsTheIdxFiles(@TempDir Path dir) throws IOException {
        Checkpoint reference = null;
        for (DataFolder.Format format : DataFolder.Format.values()) {
            Path data = DataFiles.writeFolder(dir.resolve(format.label()), format);
            Path run = dir.resolve("run-" + data.getFileName());
            ok(train(data, run, "--steps", "10", "--validation", "4"));
            Checkpoint cp = Checkpoint.read(run.resolve(Checkpoint.FILE));
            JsonNode record = JSON.readTree(run.resolve("run.json").toFile()).path("data");
            assertEquals(data.getFileName().toString(), record.path("format").asText());
            assertEquals(record.path("identity").asText(), cp.setting("data"));
            if (reference == null) {
                reference = cp;
                continue;
            }
            assertArrayEquals(reference.theta(), cp.theta(), data + " trains to the same parameters as the IDX files");
            assertEquals(reference.setting("data"), cp.setting("data"), "the same numbers are the same data");
            assertEquals(untimed(dir.resolve("run-idx")), untimed(run));
        }
    }

    @Test
    void anNpyRunResumesBitForBitFromItsRecordedFolderAndStandardization(@TempDir Path dir) throws IOException {
        Path npy = dir.resolve("npy");
        DataFiles.writeNpyFolder(npy);
        Path whole = dir.resolve("whole");
        Path parts = dir.resolve("parts");
        ok(train(npy, whole, "--standardize", "per-feature", "--steps", "8"));
        ok(train(npy, parts, "--standardize", "per-feature", "--steps", "4"));
        Rkflow.Result resumed = ok("train", "--resume", parts.toString(), "--steps", "8"); // no --data, no --standardize
        assertContains(resumed.out(), "resuming at step 4");
        Checkpoint a = Checkpoint.read(whole.resolve(Checkpoint.FILE));
        Checkpoint b = Checkpoint.read(parts.resolve(Checkpoint.FILE));
        assertEquals(8, b.step());
        assertArrayEquals(a.theta(), b.theta(), "the resumed run continues on the same data, standardized alike");
        assertEquals(untimed(whole), untimed(parts));
        assertEquals("per-feature", b.setting("standardize"));

        // the standardization is in run.json and in the weights, one mean and std per feature
        JsonNode data = JSON.readTree(parts.resolve("run.json").toFile()).path("data");
        assertEquals("per-feature", data.path("standardize").asText());
        assertEquals("x[j] = (feature[j] - input_mean[j]) / input_std[j]", data.path("preprocessing").asText());
        assertEquals(6, data.path("mean").size());
        byte[] weights = Files.readAllBytes(parts.resolve("model.safetensors"));
        long n = ByteBuffer.wrap(weights).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode meta = JSON.readTree(new String(weights, 8, (int) n, StandardCharsets.UTF_8)).path("__metadata__");
        assertEquals("npy", meta.path("input_format").asText());
        assertEquals("6", meta.path("input_features").asText());
        assertEquals("per-feature", meta.path("input_standardize").asText());
        JsonNode mean = JSON.readTree(meta.path("input_mean").asText());
        JsonNode std = JSON.readTree(meta.path("input_std").asText());
        for (int j = 0; j < 6; j++) {
            assertEquals(data.path("mean").get(j).floatValue(), mean.get(j).floatValue());
            assertEquals(data.path("std").get(j).floatValue(), std.get(j).floatValue());
            assertTrue(std.get(j).floatValue() > 0);
        }
    }

    @Test
    void aResumeRefusesAnotherStandardizationOtherDataAndAGoneFolder(@TempDir Path dir) throws IOException {
        Path npy = dir.resolve("npy");
        DataFiles.writeNpyFolder(npy);
        Path run = dir.resolve("run");
        ok(train(npy, run, "--standardize", "per-feature", "--steps", "3"));
        assertContains(refused("train", "--resume", run.toString(), "--steps", "6", "--standardize", "global"),
                "--standardize global differs from the checkpoint's per-feature");
        Path other = dir.resolve("other");
        DataFiles.writeNpyFolder(other);
        // other labels, the same shapes
        Files.write(other.resolve("train_y.npy"), DataFiles.npy(1, "<i8", false, new long[] {20},
                DataFiles.i8(new int[20])));
        String m = refused("train", "--resume", run.toString(), "--steps", "6", "--data", other.toString());
        assertContains(m, "is not the data the run in " + run + " was trained on");
        Files.move(npy, dir.resolve("moved"));
        assertContains(refused("train", "--resume", run.toString(), "--steps", "6"), "the run's data folder "
                + npy.toAbsolutePath().normalize() + " (from its run.json) is gone; give the folder of its NPY data with"
                + " --data");
        Rkflow.Result r = ok("train", "--resume", run.toString(), "--steps", "6", "--data",
                dir.resolve("moved").toString());
        assertContains(r.out(), "resuming at step 3");
    }

    @Test
    void aCsvLabelColumnByNameIsRecordedAndUsedAgain(@TempDir Path dir) throws IOException {
        Path csv = Files.createDirectories(dir.resolve("csv"));
        StringBuilder train = new StringBuilder("a,b,c,d,e,f,class\n");
        StringBuilder test = new StringBuilder("a,b,c,d,e,f,class\n");
        for (int i = 0; i < 30; i++) {
            StringBuilder row = new StringBuilder();
            for (int j = 0; j < 6; j++) row.append((i * 7 + j * 3) % 11).append(',');
            row.append(i % 3).append('\n');
            (i < 20 ? train : test).append(row);
        }
        Files.writeString(csv.resolve("train.csv"), train);
        Files.writeString(csv.resolve("test.csv"), test);
        Path run = dir.resolve("run");
        ok(train(csv, run, "--label-column", "class", "--steps", "3"));
        JsonNode data = JSON.readTree(run.resolve("run.json").toFile()).path("data");
        assertEquals("class", data.path("label_column").asText());
        assertEquals(3, data.path("classes").asInt());
        ok("train", "--resume", run.toString(), "--steps", "5");
        assertContains(ok("eval", run.toString()).out(), csv.resolve("test.csv") + ": accuracy ");
    }

    static Stream<Arguments> dataThatDoesNotFit() {
        return Stream.of(
                Arguments.of(DataFolder.Format.CSV, "7-8-10:relu", "model 7-8-10:relu takes 7 inputs but {data}/train.csv has 6"
                        + " features"),
                Arguments.of(DataFolder.Format.NPY, "5-8-10:relu", "model 5-8-10:relu takes 5 inputs but {data}/train_x.npy has 6"
                        + " features"),
                Arguments.of(DataFolder.Format.CSV, "2x2x2:conv(3,2)-flatten-dense(10)", "model"
                        + " 2x2x2:conv(3,2)-flatten-dense(10) takes 8 inputs (a 2x2x2 image) but {data}/train.csv has 6"
                        + " features"),
                Arguments.of(DataFolder.Format.CSV, "6-8-3:relu", "{data}/train.csv: line 5, column 1 ('label'): label 3 is out of"
                        + " range: expected a class 0..2 (the model 6-8-3:relu has 3 outputs)"),
                Arguments.of(DataFolder.Format.NPY, "6-8-3:relu", "{data}/train_y.npy: at byte offset 152: label [3]: label 3 is out of"
                        + " range: expected a class 0..2 (the model 6-8-3:relu has 3 outputs)"),
                Arguments.of(DataFolder.Format.IDX, "6-8-3:relu", "model 6-8-3:relu has 3 outputs but data train has 10 classes"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dataThatDoesNotFit")
    void dataThatDoesNotFitTheModelIsRefusedNamingBothBeforeAnyFile(DataFolder.Format format, String model,
            String message, @TempDir Path dir) throws IOException {
        Path data = DataFiles.writeFolder(dir.resolve("data"), format);
        Path run = dir.resolve("run");
        String m = refused("train", "--data", data.toString(), "--model", model, "--batch", "4", "--out",
                run.toString());
        assertContains(m, message.replace("{data}", data.toString()));
        assertFalse(Files.exists(run), "no run folder for a start that fails");
    }

    @Test
    void malformedDataAndOptionsThatDoNotApplyAreRefusedByName(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("csv");
        DataFiles.writeCsvFolder(csv);
        Files.writeString(csv.resolve("test.csv"), "label,f0,f1,f2,f3,f4,f5\n1,0,0,0,0,0,0\n2,0,0,zero,0,0,0\n");
        Path run = dir.resolve("run");
        assertContains(refused(train(csv, run)), csv.resolve("test.csv") + ": line 3, column 4 ('f2'): 'zero' is not a"
                + " number");
        Path npy = dir.resolve("npy");
        DataFiles.writeNpyFolder(npy);
        assertContains(refused(train(npy, run, "--label-column", "2")), "--label-column and --header are for CSV data; "
                + npy + " holds NPY data");
        assertContains(refused(train(npy, run, "--standardize", "minmax")), "--standardize minmax: expected global,"
                + " per-feature or none");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertContains(refused(train(empty, run)), "--data " + empty + ": no data files in it; expected the four IDX"
                + " files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,"
                + " t10k-labels-idx1-ubyte (each optionally .gz), or train.csv and test.csv (optionally .gz), or"
                + " train_x.npy, train_y.npy, test_x.npy, test_y.npy");
        Files.write(npy.resolve("test_x.npy"), Arrays.copyOf(Files.readAllBytes(npy.resolve("test_x.npy")), 150));
        assertContains(refused(train(npy, run)), npy.resolve("test_x.npy") + ": at byte offset 150: the data ends"
                + " early");
        assertFalse(Files.exists(run));
    }
}
