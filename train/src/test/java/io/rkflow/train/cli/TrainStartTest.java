package io.rkflow.train.cli;

import static io.rkflow.train.cli.Rkflow.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.data.IdxFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A training start that cannot run is refused before any file is made: the error names the option
 * or data set and both values (exit code 2), the run folder is not created, and the same --out
 * then works for a run that can start.
 */
class TrainStartTest {

    private static int train(StringWriter err, String... args) {
        return train(err, new ByteArrayOutputStream(), args);
    }

    private static int train(StringWriter err, ByteArrayOutputStream out, String... args) {
        picocli.CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            return cl.execute(args);
        } finally {
            System.setOut(stdout);
        }
    }

    private static java.util.Map<String, String> contents(Path folder) throws IOException {
        java.util.Map<String, String> m = new java.util.TreeMap<>();
        try (var files = Files.list(folder)) {
            for (Path f : files.toList()) {
                m.put(f.getFileName().toString(), java.util.Arrays.toString(Files.readAllBytes(f)) + " "
                        + Files.getLastModifiedTime(f));
            }
        }
        return m;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--batch | 25 | 6-8-10:relu | --batch 25 is larger than the 20 training rows",
        "--model | 7-8-10:relu | 7-8-10:relu | takes 7 inputs but",
        "--model | 6-8-3:relu | 6-8-3:relu | has 3 outputs but",
    })
    void aStartThatCannotRunMakesNoFiles(String option, String value, String model, String message, @TempDir Path dir)
            throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data); // 20 train and 10 test images of 2 x 3, 10 classes
        Path out = dir.resolve("run");
        StringWriter err = new StringWriter();
        String batch = option.equals("--batch") ? value : "4";
        int code = train(err, "train", "--data", data.toString(), "--model", model, "--batch", batch, "--steps", "3",
                "--out", out.toString());
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains(message), err.toString());
        assertFalse(Files.exists(out), "no run folder is made for a start that fails");
        StringWriter err2 = new StringWriter();
        assertEquals(0, train(err2, "train", "--data", data.toString(), "--model", "6-8-10:relu", "--batch", "4",
                "--steps", "3", "--out", out.toString()), err2.toString());
        assertTrue(Files.exists(out.resolve("metrics.csv")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--lr | 0.01 | the step size is part of --optimizer, e.g. --optimizer 'rk4+h(0.01)' or --optimizer 'adam(lr=0.01)'",
        "-o | runs/x | -o is not an option: the run folder is --out runs/x, the optimizer --optimizer runs/x",
    })
    void optionsUsersGuessAreAnsweredWithTheRightOnes(String option, String value, String message, @TempDir Path dir) {
        StringWriter err = new StringWriter();
        assertEquals(2, train(err, "train", option, value, "--out", dir.resolve("run").toString()), err.toString());
        assertTrue(err.toString().contains(message), err.toString());
        assertFalse(Files.exists(dir.resolve("run")));
    }

    @ParameterizedTest(name = "--checkpoint-every {0}")
    @CsvSource(delimiter = '|', value = {
        "0 | no checkpoint was written before the run stopped",
        "1 | the last good checkpoint there holds step 1, loss ",
    })
    void aDivergedRunSaysWhichCheckpointItLeft(String every, String message, @TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        StringWriter ignored = new StringWriter();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stderr = System.err;
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = train(ignored, "train", "--data", data.toString(), "--model", "6-8-10:relu", "--batch", "4",
                    "--optimizer", "euler+h(1e30)", "--steps", "10", "--log-every", "1", "--checkpoint-every", every,
                    "--out", dir.resolve("run").toString());
        } finally {
            System.setErr(stderr);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(3, code, text);
        assertTrue(text.contains("θ became NaN or infinite") && text.contains(message), text);
    }

    @Test
    void aFinishedRunResumedWithTheSameTargetIsLeftAsItIs(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path run = dir.resolve("run");
        String[] common = {"--data", data.toString(), "--model", "6-8-10:relu", "--batch", "4", "--log-every", "1"};
        StringWriter err = new StringWriter();
        assertEquals(0, train(err, concat(new String[] {"train", "--steps", "3", "--out", run.toString()}, common)),
                err.toString());
        java.util.Map<String, String> before = contents(run);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, train(err, out, concat(new String[] {"train", "--resume", run.toString(), "--steps", "3"},
                common)), err.toString());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("is at step 3, and this run ends at step 3: nothing to do"),
                out.toString(StandardCharsets.UTF_8));
        assertEquals(before, contents(run), "no file of the finished run changed");
        // a larger target trains on from the checkpoint
        assertEquals(0, train(err, concat(new String[] {"train", "--resume", run.toString(), "--steps", "5"}, common)),
                err.toString());
        assertEquals(5, io.rkflow.train.Checkpoint.read(run.resolve("checkpoint.rkc")).step());
    }

    @Test
    void aStepsRunShorterThanItsLogIntervalEndsWithItsFinalEvaluation(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Path run = dir.resolve("run");
        StringWriter err = new StringWriter();
        assertEquals(0, train(err, "train", "--data", data.toString(), "--model", "6-8-10:relu", "--batch", "4",
                "--steps", "3", "--log-every", "100", "--out", run.toString()), err.toString());
        java.util.List<String> rows = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals(3, rows.size(), "header, the initial evaluation and the final row: " + rows);
        assertTrue(rows.get(1).startsWith("0,0.0000,"), rows.get(1));
        String[] last = rows.get(2).split(",", -1);
        assertEquals("3", last[0]);
        assertTrue(!last[3].isEmpty() && Double.parseDouble(last[3]) >= 0, "test accuracy in " + rows.get(2));
        assertEquals(3, Files.readAllLines(run.resolve("metrics.jsonl")).size() + 1);
        Path png = dir.resolve("plot.png");
        assertEquals(0, train(err, "plot", run.toString(), "--out", png.toString()), err.toString());
        assertTrue(Files.size(png) > 0);
    }
}
