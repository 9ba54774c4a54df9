package io.rkflow.train.cli;

import static io.rkflow.train.cli.Rkflow.assertContains;
import static io.rkflow.train.cli.Rkflow.ok;
import static io.rkflow.train.cli.Rkflow.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.data.DataFiles;
import io.rkflow.models.data.IdxFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rkflow predict} and {@code rkflow eval} on a run trained on CSV data: eval's confusion
 * matrix counts every row and its diagonal is eval's accuracy; predict's probabilities sum to 1,
 * its class is their argmax, its accuracy and mean loss on the labelled test file are eval's, and
 * the same rows give the same predictions from a features-only CSV, an .npy file and IDX images;
 * bad input is refused by name with exit code 2.
 */
class PredictEvalTest {

    @TempDir
    static Path dir;
    private static Path csv;
    private static Path npy;
    private static Path idx;
    private static Path run;

    @BeforeAll
    static void trainOnCsv() throws IOException {
        csv = dir.resolve("csv");
        DataFiles.writeCsvFolder(csv);
        npy = dir.resolve("npy");
        DataFiles.writeNpyFolder(npy);
        idx = dir.resolve("idx");
        IdxFiles.writeFourFiles(idx);
        run = dir.resolve("run");
        Rkflow.Result r = Rkflow.run("train", "--data", csv.toString(), "--model", "6-8-10:relu", "--batch", "4",
                "--optimizer", "rk4+adagrad+h(0.3)", "--epochs", "4", "--out", run.toString());
        assertEquals(0, r.code(), r.err());
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), () -> "no " + regex + " in " + text);
        return m.group(1);
    }

    /** The confusion matrix printed after {@code title}'s accuracy line: rows of counts. */
    private static long[][] matrix(String out, String title) {
        int from = out.indexOf(title + ": accuracy");
        String rest = out.substring(out.indexOf("true\\pred", from));
        List<String> lines = rest.lines().skip(1).limit(10).toList();
        long[][] m = new long[10][];
        for (int t = 0; t < 10; t++) {
            long[] row = Arrays.stream(lines.get(t).trim().split(" +")).mapToLong(Long::parseLong).toArray();
            assertEquals(t, row[0]);
            m[t] = Arrays.copyOfRange(row, 1, 11);
        }
        return m;
    }

    @Test
    void evalsConfusionMatrixCountsEveryRowAndItsDiagonalIsTheAccuracy() {
        String out = ok("eval", run.toString(), "--train").out();
        for (String set : new String[] {"test.csv", "train.csv"}) {
            String title = csv.resolve(set).toString();
            double accuracy = Double.parseDouble(group(out, Pattern.quote(title) + ": accuracy ([0-9.]+)%"));
            long[][] m = matrix(out, title);
            long total = 0;
            long diagonal = 0;
            for (int t = 0; t < 10; t++) {
                for (int p = 0; p < 10; p++) total += m[t][p];
                diagonal += m[t][t];
                long rows = Arrays.stream(m[t]).sum();
                assertContains(out, String.format(java.util.Locale.ROOT, "class %d: %8d rows, %8d right, ", t, rows,
                        m[t][t]));
            }
            assertEquals(set.equals("test.csv") ? 10 : 20, total, "every row is counted once");
            assertEquals(accuracy, Math.round(10000.0 * diagonal / total) / 100.0, 1e-9, "the diagonal is the accuracy");
        }
    }

    /** The predictions file: header, then rows of row, class and probabilities. */
    private static List<double[]> predictions(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        assertEquals("row,class,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9", lines.get(0));
        List<double[]> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            rows.add(Arrays.stream(l.split(",")).mapToDouble(Double::parseDouble).toArray());
        }
        return rows;
    }

    @Test
    void predictionsAreProbabilitiesWhoseArgmaxIsTheClassWithEvalsAccuracyAndLoss() throws IOException {
        predictionsMatchEval(run, dir.resolve("out").resolve("p.csv"));
    }

    /** A CNN with dropout: eval and predict run it without dropout, and agree with each other. */
    @Test
    void aCnnRunPredictsWithEvalsAccuracyAndLoss() throws IOException {
        Path cnn = dir.resolve("cnn");
        ok("train", "--data", csv.toString(), "--model", "2x3x1:conv(4,2,pad=1)-relu-maxpool(2)-flatten-dropout(0.2)"
                + "-dense(10)", "--batch", "4", "--optimizer", "rk4+h(0.3)", "--epochs", "3", "--out", cnn.toString());
        predictionsMatchEval(cnn, dir.resolve("cnn-out").resolve("p.csv"));
    }

    private static void predictionsMatchEval(Path run, Path out) throws IOException {
        String eval = ok("eval", run.toString()).out();
        String title = Pattern.quote(csv.resolve("test.csv").toString());
        String accuracy = group(eval, title + ": accuracy ([0-9.]+%)");
        double loss = Double.parseDouble(group(eval, title + ": accuracy [0-9.]+%, loss ([0-9.]+)"));
        Rkflow.Result r = ok("predict", run.toString(), csv.resolve("test.csv").toString(), "--out", out.toString());
        assertContains(r.out(), "predicted 10 rows of " + csv.resolve("test.csv"), "accuracy " + accuracy
                + " (");
        assertEquals(List.of(out), Files.list(out.getParent()).toList(), "written atomically: no temporary file left");
        List<double[]> rows = predictions(out);
        assertEquals(10, rows.size());
        double nll = 0;
        for (int i = 0; i < rows.size(); i++) {
            double[] row = rows.get(i);
            assertEquals(i, (int) row[0]);
            double sum = 0;
            int argmax = 0;
            for (int j = 0; j < 10; j++) {
                assertTrue(row[2 + j] >= 0 && row[2 + j] <= 1, Arrays.toString(row));
                sum += row[2 + j];
                if (row[2 + j] > row[2 + argmax]) argmax = j;
            }
            assertEquals(1.0, sum, 1e-6, "row " + i);
            assertEquals(argmax, (int) row[1], "row " + i + ": the class is the most probable one");
            nll -= Math.log(row[2 + i % 10]); // the label of test row i is i mod 10
        }
        assertEquals(loss, nll / rows.size(), 1e-4, "the probabilities give eval's loss");
    }

    @Test
    void theSameRowsFromAFeaturesOnlyCsvAnNpyFileAndIdxImagesGiveTheSamePredictions() throws IOException {
        Path labelled = dir.resolve("labelled.csv");
        ok("predict", run.toString(), csv.resolve("test.csv").toString(), "--out", labelled.toString());
        String expected = Files.readString(labelled);
        // features only, no header: told by the number of fields
        Path features = dir.resolve("features.csv");
        Files.writeString(features, String.join("\n", Files.readAllLines(csv.resolve("test.csv")).stream().skip(1)
                .map(l -> l.substring(l.indexOf(',') + 1)).toList()) + "\n");
        Rkflow.Result r = ok("predict", run.toString(), features.toString());
        assertContains(r.out(), run.resolve("predictions-features.csv").toString());
        assertTrue(!r.out().contains("accuracy"), "no labels, no accuracy: " + r.out());
        assertEquals(expected, Files.readString(run.resolve("predictions-features.csv")));
        Path fromNpy = dir.resolve("npy.csv");
        String npyOut = ok("predict", run.toString(), npy.resolve("test_x.npy").toString(), "--labels",
                npy.resolve("test_y.npy").toString(), "--out", fromNpy.toString()).out();
        assertEquals(expected, Files.readString(fromNpy));
        Path fromIdx = dir.resolve("idx.csv");
        String idxOut = ok("predict", run.toString(), idx.resolve("t10k-images-idx3-ubyte.gz").toString(), "--labels",
                idx.resolve("t10k-labels-idx1-ubyte.gz").toString(), "--out", fromIdx.toString()).out();
        assertEquals(expected, Files.readString(fromIdx));
        String accuracy = group(ok("eval", run.toString()).out(), "accuracy ([0-9.]+%)");
        assertContains(npyOut, "accuracy " + accuracy);
        assertContains(idxOut, "accuracy " + accuracy);
    }

    @Test
    void badInputIsRefusedByName() throws IOException {
        Path wide = dir.resolve("wide.csv");
        Files.writeString(wide, "1,2,3,4,5,6,7,8\n");
        assertContains(refused("predict", run.toString(), wide.toString()), wide + ": line 1: 8 fields, but 6 features"
                + " are expected: 6 fields (features only) or 7 (a label and the features)");
        Path narrow = dir.resolve("narrow.npy");
        Files.write(narrow, DataFiles.npy(1, "<f4", false, new long[] {2, 5}, DataFiles.f4(new float[10])));
        assertContains(refused("predict", run.toString(), narrow.toString()), "model 6-8-10:relu takes 6 inputs but "
                + narrow + " has 5 features");
        assertContains(refused("predict", run.toString(), npy.resolve("test_x.npy").toString(), "--label-column", "0"),
                "--label-column and --header are for a CSV file");
        assertContains(refused("predict", run.toString(), csv.resolve("test.csv").toString(), "--labels",
                npy.resolve("test_y.npy").toString()), "--labels is for an .npy or IDX file");
        Path missing = dir.resolve("missing.csv");
        assertContains(refused("predict", run.toString(), missing.toString()), missing + ": no such file");
        Path bare = Files.createDirectories(dir.resolve("bare"));
        Files.copy(run.resolve("checkpoint.rkc"), bare.resolve("checkpoint.rkc"));
        assertContains(refused("predict", bare.toString(), csv.resolve("test.csv").toString()), bare + ": no run.json,"
                + " which records how the run standardized its inputs");
        assertContains(refused("predict", dir.resolve("nothing").toString(), csv.resolve("test.csv").toString()),
                "no such run folder");
        assertContains(ok("predict", "--help").out(), "Usage: rkflow predict", "p0 ... pK-1", "--labels", "--out");
    }
}
