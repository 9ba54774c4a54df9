package io.rkflow.train.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.kernels.jvm.JvmDevice;
import io.rkflow.models.data.Clusters;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.train.plot.LinePlot;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Figure1Test {

    static final String HEADER = "step,epoch,loss,test_accuracy,test_loss,h,gradient_evaluations,accepted,rejected,"
            + "ms_per_step,samples_per_second,validation_accuracy,train_accuracy,executes_per_step,kernels_per_step";

    @Test
    void aStepZeroEvaluationIsEpochZeroOfTheCurve(@TempDir Path dir) throws IOException {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve("metrics.csv"), HEADER + "\n"
                + "0,0.0000,,0.100000,2.302000,0.1,0,0,0,0.000,0.0,,0.100000,0.00,0.0\n"
                + "5,0.5000,1.200000,,,0.1,20,5,0,1.000,100.0,,,1.00,4.0\n"
                + "10,1.0000,0.900000,0.700000,0.800000,0.1,40,10,0,1.000,100.0,,0.710000,1.00,4.0\n"
                + "20,2.0000,0.600000,0.800000,0.600000,0.1,80,20,0,1.000,100.0,,0.820000,1.00,4.0\n");
        double[][] rows = Figure1.epochRows(run);
        assertArrayEquals(new double[] {0, 1, 2}, rows[0], "epochs as logged, the initial evaluation at 0");
        assertArrayEquals(new double[] {0, 40, 80}, rows[1]);
        assertArrayEquals(new double[] {0.1, 0.7, 0.8}, rows[2], 1e-12);

        Figure1.Curve c = Figure1.summarize("rk4", 32, new double[][] {rows[0], rows[0]},
                new double[][] {rows[1], rows[1]}, new double[][] {rows[2], {0.2, 0.7, 0.8}});
        assertArrayEquals(new double[] {0, 1, 2}, c.epochs());
        assertArrayEquals(new double[] {0.15, 0.7, 0.8}, c.mean(), 1e-12);
        assertEquals(Math.sqrt(0.005), c.std()[0], 1e-12);
    }

    @Test
    void printsOneProgressLinePerRunAndWritesThePlots(@TempDir Path dir) throws IOException {
        Dataset train = Clusters.of(192, 6, 3, 1);
        Dataset test = Clusters.of(96, 6, 3, 2);
        Figure1.Settings settings = new Figure1.Settings(ModelSpec.parse("6-8-3:relu"), "rk4+h(0.1)", "adam(lr=0.01)",
                16, 64, 1, 2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> table;
        try (JvmDevice device = new JvmDevice(1);
                PrintStream log = new PrintStream(bytes, false, StandardCharsets.UTF_8)) {
            table = new Figure1(settings).run(device, train, test, dir, false, log);
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        String[][] expected = {{"rk4+h(0.1)", "16", "1"}, {"rk4+h(0.1)", "16", "2"}, {"rk4+h(0.1)", "64", "1"},
            {"rk4+h(0.1)", "64", "2"}, {"adam(lr=0.01)", "16", "1"}, {"adam(lr=0.01)", "16", "2"},
            {"adam(lr=0.01)", "64", "1"}, {"adam(lr=0.01)", "64", "2"}};
        assertEquals(expected.length, lines.size(), String.join("\n", lines));
        for (int i = 0; i < expected.length; i++) {
            Pattern p = Pattern.compile("\\s*run " + (i + 1) + "/8: " + Pattern.quote(expected[i][0]) + "\\s+batch\\s+"
                    + expected[i][1] + " seed " + expected[i][2] + ": test accuracy \\d+\\.\\d\\d% \\(\\d+\\.\\d s\\)");
            assertTrue(p.matcher(lines.get(i)).matches(), "line " + (i + 1) + ": " + lines.get(i));
        }
        assertEquals(2 + 4 + 1, table.size(), String.join("\n", table));
        for (String png : List.of("figure1-epochs.png", "figure1-gradient-evaluations.png")) {
            BufferedImage img = ImageIO.read(dir.resolve(png).toFile());
            assertNotNull(img, png);
            assertEquals(LinePlot.WIDTH, img.getWidth());
            assertEquals(LinePlot.HEIGHT, img.getHeight());
        }
    }
}
