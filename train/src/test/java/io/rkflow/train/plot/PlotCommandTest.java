package io.rkflow.train.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.train.cli.PlotCommand;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PlotCommandTest {

    /** A run folder with a metrics.csv like the trainer's: evaluations every 5th row only. */
    static Path run(Path dir, String name, double rate) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        StringBuilder sb = new StringBuilder(MetricsFileTest.HEADER).append('\n');
        for (int i = 1; i <= 20; i++) {
            double loss = 2.3 * Math.exp(-rate * i);
            String eval = i % 5 == 0 ? String.format(Locale.ROOT, "%.6f,%.6f", 1 - 0.9 * Math.exp(-rate * i), loss * 1.1)
                    : ",";
            sb.append(String.format(Locale.ROOT, "%d,%.4f,%.6f,%s,0.1,%d,%d,0,3.0,40000.0%n", i * 100, i / 4.0, loss,
                    eval, i * 400, i * 100));
        }
        Files.writeString(folder.resolve("metrics.csv"), sb);
        return folder;
    }

    record Result(int code, String out, String err) {}

    static Result execute(String... args) {
        CommandLine cl = new CommandLine(new PlotCommand());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        // As Main does: an IllegalArgumentException is exit code 2 with its message.
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("rkflow " + cmd.getCommandName() + ": " + e.getMessage());
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void plotsRunsEndToEnd(@TempDir Path dir) throws IOException {
        Path a = run(dir, "rk4", 0.2);
        Path b = run(dir, "euler", 0.1);
        Path png = dir.resolve("out/accuracy.png");
        Result r = execute("--out", png.toString(), a.toString(), b.resolve("metrics.csv").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(png.getFileName().toString()), r.out());
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img);
        assertEquals(LinePlot.WIDTH, img.getWidth());
        assertEquals(LinePlot.HEIGHT, img.getHeight());

        Path loss = dir.resolve("loss.png");
        assertEquals(0, execute("--x", "step", "--y", "loss", "--title", "Loss", "--out", loss.toString(),
                a.toString()).code());
        assertTrue(Files.isRegularFile(loss));
    }

    @Test
    void plainCommandLineFailsOnABadY(@TempDir Path dir) throws IOException {
        Path a = run(dir, "rk4", 0.2);
        CommandLine cl = new CommandLine(new PlotCommand());
        cl.setErr(new PrintWriter(new StringWriter()));
        assertNotEquals(0, cl.execute("--y", "accuracy", "--out", dir.resolve("p.png").toString(), a.toString()));
        assertTrue(!Files.exists(dir.resolve("p.png")));
    }

    @Test
    void clearErrors(@TempDir Path dir) throws IOException {
        Path a = run(dir, "rk4", 0.2);
        String out = dir.resolve("p.png").toString();
        // An unknown column names the option, the file and every column it has.
        String columns = MetricsFileTest.HEADER.replace(",", ", ");
        Result badY = execute("--y", "accuracy", "--out", out, a.toString());
        assertEquals(2, badY.code());
        assertTrue(badY.err().contains("--y accuracy") && badY.err().contains(a.resolve("metrics.csv").toString())
                && badY.err().contains(columns), badY.err());
        Result badX = execute("--x", "time", "--out", out, a.toString());
        assertEquals(2, badX.code());
        assertTrue(badX.err().contains("--x time") && badX.err().contains(columns), badX.err());
        Result badSize = execute("--width", "20", "--out", out, a.toString());
        assertEquals(2, badSize.code());
        assertTrue(badSize.err().contains("--width 20"), badSize.err());
        Result missing = execute("--out", out, dir.resolve("ghost").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("ghost"), missing.err());

        Path noEval = Files.createDirectories(dir.resolve("no-eval"));
        Files.writeString(noEval.resolve("metrics.csv"), MetricsFileTest.HEADER + "\n100,0.1,2.0,,,0.1,400,100,0,3.0,1.0\n");
        Result none = execute("--out", out, noEval.toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains(noEval.resolve("metrics.csv").toString()) && none.err().contains("test_accuracy"),
                none.err());

        Path partial = Files.createDirectories(dir.resolve("partial"));
        Files.writeString(partial.resolve("metrics.csv"), "step,loss\n1,2.0\n");
        Result noColumn = execute("--out", out, partial.toString());
        assertEquals(2, noColumn.code());
        assertTrue(noColumn.err().contains(partial.resolve("metrics.csv").toString())
                && noColumn.err().contains("gradient_evaluations"), noColumn.err());
        assertTrue(!Files.exists(Path.of(out)));
    }

    /** A PNG decoded by javax.imageio: its size, and at least {@code minColours} colours (not blank). */
    static BufferedImage decode(Path png, int width, int height, int minColours) throws IOException {
        assertTrue(Files.isRegularFile(png), png + " was not written");
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, png + " is not a PNG javax.imageio reads");
        assertEquals(width, img.getWidth());
        assertEquals(height, img.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int yy = 0; yy < img.getHeight(); yy++) {
            for (int xx = 0; xx < img.getWidth(); xx++) {
                colours.add(img.getRGB(xx, yy) & 0xFFFFFF);
            }
        }
        assertTrue(colours.size() >= minColours, "only " + colours.size() + " colours: blank?");
        return img;
    }

    @Test
    void writesAValidPngOfTheRequestedSize(@TempDir Path dir) throws IOException {
        Path a = run(dir, "rk4", 0.2);
        Path png = dir.resolve("small.png");
        Result r = execute("--width", "640", "--height", "360", "--out", png.toString(), a.toString());
        assertEquals(0, r.code(), r.err());
        decode(png, 640, 360, 10);
    }

    @Test
    void anyColumnOfTheMetricsCanBeEitherAxis(@TempDir Path dir) throws IOException {
        Path a = run(dir, "rk4", 0.2);
        Path b = run(dir, "euler", 0.1);
        for (String[] xy : new String[][] {{"epoch", "ms_per_step"}, {"loss", "h"}, {"step", "samples_per_second"},
            {"accepted", "test_loss"}}) {
            Path png = dir.resolve(xy[0] + "-" + xy[1] + ".png");
            Result r = execute("--x", xy[0], "--y", xy[1], "--out", png.toString(), a.toString(), b.toString());
            assertEquals(0, r.code(), String.join(" ", xy) + ": " + r.err());
            assertTrue(r.out().contains(xy[1] + " by " + xy[0]), r.out());
            decode(png, LinePlot.WIDTH, LinePlot.HEIGHT, 10);
        }
    }

    /** A run whose metrics start with a step-0 evaluation of the initial weights, as the trainer logs. */
    static Path runWithStepZero(Path dir, String name) throws IOException {
        Path folder = run(dir, name, 0.2);
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(folder.resolve("metrics.csv")));
        lines.add(1, "0,0.0000,,0.100000,2.302585,0.1,0,0,0,0.000,0.0");
        Files.write(folder.resolve("metrics.csv"), lines);
        return folder;
    }

    @Test
    void aStepZeroEvaluationIsPlottedAndLeftOutOnALogAxisWithANote(@TempDir Path dir) throws IOException {
        Path a = runWithStepZero(dir, "rk4");
        Path png = dir.resolve("acc.png");
        Result linear = execute("--x", "step", "--out", png.toString(), a.toString());
        assertEquals(0, linear.code(), linear.err());
        assertTrue(!linear.err().contains("note"), linear.err());

        // The note shows the step-0 point reached the chart: on a log x axis it cannot be drawn.
        Result logX = execute("--x", "step", "--log-x", "--out", png.toString(), a.toString());
        assertEquals(0, logX.code(), logX.err());
        assertTrue(logX.err().contains("note: left out 1 point of 'rk4' with step <= 0 (log x axis)"), logX.err());
        decode(png, LinePlot.WIDTH, LinePlot.HEIGHT, 10);

        Result logBoth = execute("--x", "gradient_evaluations", "--y", "loss", "--log-x", "--log-y", "--out",
                png.toString(), a.toString());
        assertEquals(0, logBoth.code(), logBoth.err());
        // The step-0 row has no loss: nothing of it to leave out.
        assertTrue(!logBoth.err().contains("note"), logBoth.err());

        Path zeros = Files.createDirectories(dir.resolve("zeros"));
        Files.writeString(zeros.resolve("metrics.csv"), MetricsFileTest.HEADER + "\n"
                + "100,0.1,2.0,,,0.1,400,100,0,3.0,1.0\n200,0.2,1.0,,,0.1,800,200,0,3.0,1.0\n");
        Result none = execute("--x", "step", "--y", "rejected", "--log-y", "--out", png.toString(),
                zeros.toString());
        assertEquals(2, none.code(), none.err());
        assertTrue(none.err().contains("rejected > 0"), none.err());
    }

    @Test
    void withoutOutThePngGoesIntoTheFirstRunsFolder(@TempDir Path dir) throws IOException {
        Path a = run(dir, "rk4", 0.2);
        Path b = run(dir, "euler", 0.1);
        Result r = execute(a.toString(), b.toString());
        assertEquals(0, r.code(), r.err());
        Path png = a.resolve("plot.png");
        decode(png, LinePlot.WIDTH, LinePlot.HEIGHT, 10);
        assertTrue(r.out().contains(png.toAbsolutePath().toString()) && r.out().contains("first run's folder"),
                r.out());
        assertTrue(!Files.exists(b.resolve("plot.png")) && !Files.exists(Path.of("plot.png")));

        Result csv = execute(b.resolve("metrics.csv").toString());
        assertEquals(0, csv.code(), csv.err());
        assertTrue(Files.isRegularFile(b.resolve("plot.png")), "a metrics.csv given: its folder");

        String help = execute("--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("Without --out the PNG is plot.png in the first RUN's folder, also when several runs"
                + " are given"), help);
    }

    @Test
    void curvesAreLabelledByTheOptimizerOfRunJson(@TempDir Path dir) throws IOException {
        Path a = RunLabelsTest.run(dir, "20261202-060000", "\"optimizer\": \"rk4+h(0.1)\", \"batch\": 32");
        Path b = RunLabelsTest.run(dir, "20261202-061500", "\"optimizer\": \"rk4+h(0.1)\", \"batch\": 1024");
        Path png = dir.resolve("p.png");
        Result r = execute("--out", png.toString(), a.toString(), b.toString());
        assertEquals(0, r.code(), r.err());
        Files.writeString(a.resolve(RunSettings.FILE), "{");
        Result bad = execute("--out", png.toString(), a.toString(), b.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains(a.resolve(RunSettings.FILE).toString()), bad.err());
    }

    /**
     * The launcher's way, in a JVM of its own that is told of a display that does not exist and not
     * told to be headless: plot must not need one.
     */
    @Test
    void plotsWithoutADisplay(@TempDir Path dir) throws Exception {
        Path a = run(dir, "rk4", 0.2);
        Path png = dir.resolve("headless.png");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "io.rkflow.train.cli.Main", "plot", "--out", png.toString(), a.toString());
        pb.environment().put("DISPLAY", ":97");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        decode(png, LinePlot.WIDTH, LinePlot.HEIGHT, 10);
    }
}
