package io.rkflow.models.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.cli.PlotCommand;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
        Result badY = execute("--y", "accuracy", "--out", out, a.toString());
        assertEquals(2, badY.code());
        assertTrue(badY.err().contains("loss, test_accuracy, test_loss, h"), badY.err());
        Result badX = execute("--x", "time", "--out", out, a.toString());
        assertEquals(2, badX.code());
        assertTrue(badX.err().contains("step, epoch, gradient_evaluations"), badX.err());
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
}
