package io.rkflow.train.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinePlotTest {

    private static BufferedImage readPng(Path png) throws IOException {
        assertTrue(Files.isRegularFile(png), png + " was not written");
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, png + " is not a readable image");
        return img;
    }

    private static boolean hasColourNear(BufferedImage img, int rgb) {
        int r0 = (rgb >> 16) & 0xFF;
        int g0 = (rgb >> 8) & 0xFF;
        int b0 = rgb & 0xFF;
        for (int yy = 0; yy < img.getHeight(); yy++) {
            for (int xx = 0; xx < img.getWidth(); xx++) {
                int p = img.getRGB(xx, yy);
                if (Math.abs(((p >> 16) & 0xFF) - r0) + Math.abs(((p >> 8) & 0xFF) - g0) + Math.abs((p & 0xFF) - b0)
                        < 12) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void writesAPngWithSeveralSeriesBandsAndGaps(@TempDir Path dir) throws IOException {
        int n = 60;
        double[] x = new double[n];
        double[] a = new double[n];
        double[] b = new double[n];
        double[] c = new double[n];
        double[] spread = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i * 1000.0;
            a[i] = 90 - 60 * Math.exp(-i / 10.0);
            b[i] = 85 - 55 * Math.exp(-i / 15.0);
            c[i] = 80 - 50 * Math.exp(-i / 25.0);
            spread[i] = 2 + 0.05 * i;
        }
        a[20] = Double.NaN; // a gap
        b[30] = Double.NaN;
        spread[40] = Double.NaN;
        Path png = dir.resolve("sub/plot.png");
        LinePlot.write(png, "Test accuracy by gradient evaluations", "gradient evaluations", "test accuracy (%)",
                List.of(new LinePlot.Series("rk4", x, a, spread), new LinePlot.Series("euler", x, b, null),
                        new LinePlot.Series("dopri5", x, c, spread)));
        BufferedImage img = readPng(png);
        assertEquals(LinePlot.WIDTH, img.getWidth());
        assertEquals(LinePlot.HEIGHT, img.getHeight());
        assertTrue(colours(img) > 20, "only " + colours(img) + " colours: blank?");
        for (int s = 0; s < 3; s++) {
            int rgb = LinePlot.color(s).getRGB() & 0xFFFFFF;
            assertTrue(hasColourNear(img, rgb), "series " + s + "'s colour " + Integer.toHexString(rgb) + " missing");
        }
        try (var files = Files.list(png.getParent())) {
            assertEquals(List.of(png), files.toList(), "a temporary file was left behind");
        }
    }

    @Test
    void aSinglePointAndAllEqualValuesPlot(@TempDir Path dir) throws IOException {
        Path one = dir.resolve("one.png");
        LinePlot.write(one, "one point", "x", "y", List.of(new LinePlot.Series("p", new double[] {3},
                new double[] {0.5}, null)));
        assertTrue(hasColourNear(readPng(one), LinePlot.color(0).getRGB() & 0xFFFFFF), "the point is not drawn");
        Path flat = dir.resolve("flat.png");
        LinePlot.write(flat, "", "", "", List.of(new LinePlot.Series("flat", new double[] {0, 0, 0},
                new double[] {0, 0, 0}, new double[] {0, 0, 0})));
        assertEquals(LinePlot.WIDTH, readPng(flat).getWidth());
    }

    @Test
    void overwritesAnExistingFile(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("p.png");
        Files.writeString(png, "old");
        LinePlot.write(png, "t", "x", "y", List.of(new LinePlot.Series("s", new double[] {1, 2},
                new double[] {1, 4}, null)));
        assertEquals(LinePlot.WIDTH, readPng(png).getWidth());
    }

    @Test
    void rejectsBadSeries(@TempDir Path dir) {
        Path png = dir.resolve("p.png");
        var empty = assertThrows(IllegalArgumentException.class, () -> LinePlot.write(png, "t", "x", "y",
                List.of(new LinePlot.Series("ok", new double[] {1}, new double[] {1}, null),
                        new LinePlot.Series("lonely", new double[0], new double[0], null))));
        assertTrue(empty.getMessage().contains("'lonely'") && empty.getMessage().contains("empty"), empty.getMessage());
        var mismatch = assertThrows(IllegalArgumentException.class, () -> LinePlot.write(png, "t", "x", "y",
                List.of(new LinePlot.Series("skew", new double[] {1, 2, 3}, new double[] {1, 2}, null))));
        assertTrue(mismatch.getMessage().contains("'skew'") && mismatch.getMessage().contains("3 x values"),
                mismatch.getMessage());
        var spread = assertThrows(IllegalArgumentException.class, () -> LinePlot.write(png, "t", "x", "y",
                List.of(new LinePlot.Series("band", new double[] {1, 2}, new double[] {1, 2}, new double[] {1}))));
        assertTrue(spread.getMessage().contains("'band'") && spread.getMessage().contains("spread"),
                spread.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LinePlot.write(png, "t", "x", "y", List.of()));
        var allNaN = assertThrows(IllegalArgumentException.class, () -> LinePlot.write(png, "t", "x", "y",
                List.of(new LinePlot.Series("nan", new double[] {1}, new double[] {Double.NaN}, null))));
        assertTrue(allNaN.getMessage().contains("finite"), allNaN.getMessage());
        assertFalse(Files.exists(png));
    }

    @Test
    void writesTheRequestedSize(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("small.png");
        LinePlot.write(png, "t", "x", "y", List.of(new LinePlot.Series("s", new double[] {1, 2, 3},
                new double[] {1, 4, 9}, null)), new LinePlot.Style(640, 400, false, false));
        BufferedImage img = readPng(png);
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
        assertTrue(colours(img) > 10, "only " + colours(img) + " colours: blank?");
        var tiny = assertThrows(IllegalArgumentException.class, () -> new LinePlot.Style(50, 400, false, false));
        assertTrue(tiny.getMessage().contains("50x400"), tiny.getMessage());
    }

    /** Two series whose bands overlap each other and each other's line, rendered with the data area known. */
    @Test
    void bandsAreTranslucentUnderTheLinesInTheirSeriesColours() {
        double[] x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        double[] a = new double[x.length];
        double[] b = new double[x.length];
        double[] spread = new double[x.length];
        java.util.Arrays.fill(a, 50);
        java.util.Arrays.fill(b, 56);
        java.util.Arrays.fill(spread, 20);
        JFreeChart chart = LinePlot.chart("bands", "x", "y", List.of(new LinePlot.Series("a", x, a, spread),
                new LinePlot.Series("b", x, b, spread)), LinePlot.Style.DEFAULT, new java.util.ArrayList<>());
        ChartRenderingInfo info = new ChartRenderingInfo();
        BufferedImage img = chart.createBufferedImage(LinePlot.WIDTH, LinePlot.HEIGHT, info);
        XYPlot plot = chart.getXYPlot();
        Rectangle2D area = info.getPlotInfo().getDataArea();
        int px = (int) plot.getDomainAxis().valueToJava2D(4.3, area, plot.getDomainAxisEdge());
        java.util.function.DoubleToIntFunction py = v -> (int) plot.getRangeAxis().valueToJava2D(v, area,
                plot.getRangeAxisEdge());
        int colourA = LinePlot.color(0).getRGB() & 0xFFFFFF;
        int colourB = LinePlot.color(1).getRGB() & 0xFFFFFF;
        assertNotEquals(colourA, colourB, "the series share a colour");
        // Each line shows in its own colour, though it runs inside the other series' band.
        assertTrue(nearInColumn(img, px, py.applyAsInt(50), colourA), "line a is covered");
        assertTrue(nearInColumn(img, px, py.applyAsInt(56), colourB), "line b is covered");
        // A band alone is its series' colour over white at the band's opacity.
        int onlyA = img.getRGB(px, py.applyAsInt(33.3)) & 0xFFFFFF;
        int onlyB = img.getRGB(px, py.applyAsInt(73.7)) & 0xFFFFFF;
        assertTrue(distance(onlyA, overWhite(colourA)) < 12, Integer.toHexString(onlyA));
        assertTrue(distance(onlyB, overWhite(colourB)) < 12, Integer.toHexString(onlyB));
        // Where they overlap, both show: neither band hides the other.
        int both = img.getRGB(px, py.applyAsInt(41.3)) & 0xFFFFFF;
        assertTrue(distance(both, onlyA) > 20 && distance(both, onlyB) > 20, "overlap " + Integer.toHexString(both)
                + " looks like one band: a " + Integer.toHexString(onlyA) + ", b " + Integer.toHexString(onlyB));
        // The legend has one item per series, none for the bands.
        assertEquals(2, plot.getLegendItems().getItemCount());
    }

    @Test
    void logAxesLeaveOutPointsAtOrBelowZeroWithANote(@TempDir Path dir) throws IOException {
        double[] x = {0, 10, 100, 1000};
        double[] y = {2.3, 1.0, 0.0, 0.1};
        Path png = dir.resolve("log.png");
        List<String> notes = LinePlot.write(png, "t", "step", "loss", List.of(new LinePlot.Series("rk4", x, y, null)),
                new LinePlot.Style(LinePlot.WIDTH, LinePlot.HEIGHT, true, true));
        assertEquals(List.of("left out 1 point of 'rk4' with step <= 0 (log x axis)",
                "left out 1 point of 'rk4' with loss <= 0 (log y axis)"), notes);
        assertEquals(LinePlot.WIDTH, readPng(png).getWidth());
        assertEquals(List.of(), LinePlot.write(png, "t", "step", "loss",
                List.of(new LinePlot.Series("rk4", x, y, null))), "linear axes keep every point");

        JFreeChart chart = LinePlot.chart("t", "step", "loss", List.of(new LinePlot.Series("rk4", x, y, null),
                new LinePlot.Series("zero", new double[] {0}, new double[] {1}, null)),
                new LinePlot.Style(LinePlot.WIDTH, LinePlot.HEIGHT, true, false), new java.util.ArrayList<>());
        assertTrue(chart.getXYPlot().getDomainAxis() instanceof LogAxis);
        assertEquals(1, chart.getXYPlot().getDataset(0).getSeriesCount(), "a series with no point left is left out");

        var none = assertThrows(IllegalArgumentException.class, () -> LinePlot.write(png, "t", "step", "loss",
                List.of(new LinePlot.Series("rk4", new double[] {0, 1}, new double[] {-1, 0}, null)),
                new LinePlot.Style(LinePlot.WIDTH, LinePlot.HEIGHT, false, true)));
        assertTrue(none.getMessage().contains("loss > 0"), none.getMessage());
    }

    @Test
    void logTicksAreRoundValues() {
        assertEquals(List.of("1", "10", "100", "1000", "10000", "100000"), labels(LinePlot.logTicks(0.9, 1.2e5)));
        assertEquals(List.of("1000", "2000", "5000", "10000", "20000", "50000"), labels(LinePlot.logTicks(900, 6e4)));
        assertEquals(List.of("40", "50", "60", "70", "80", "90"), labels(LinePlot.logTicks(33, 97)));
        assertEquals(List.of("0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1", "2"),
                labels(LinePlot.logTicks(0.01, 2.3)));
        assertEquals(List.of("86", "88", "90", "92", "94"), labels(LinePlot.logTicks(85, 95)));
        assertEquals(List.of("1e-6", "1e-5", "0.0001", "0.001", "0.01"), labels(LinePlot.logTicks(1e-6, 1.01e-2)));
        assertEquals(List.of("1", "10", "100", "1000", "10000", "100000", "1000000", "1e7", "1e8", "1e9", "1e10",
                "1e11"), labels(LinePlot.logTicks(1, 2e11)));
        // Many decades: every second power of ten, so the labels stay apart.
        assertEquals(List.of("1e-10", "1e-8", "1e-6", "0.0001", "0.01", "1", "100", "10000", "1000000", "1e8",
                "1e10", "1e12", "1e14"), labels(LinePlot.logTicks(1e-10, 1e14)));
    }

    private static List<String> labels(List<java.math.BigDecimal> ticks) {
        return ticks.stream().map(LinePlot::tickLabel).toList();
    }

    private static int colours(BufferedImage img) {
        Set<Integer> colours = new HashSet<>();
        for (int yy = 0; yy < img.getHeight(); yy++) {
            for (int xx = 0; xx < img.getWidth(); xx++) {
                colours.add(img.getRGB(xx, yy) & 0xFFFFFF);
            }
        }
        return colours.size();
    }

    private static boolean nearInColumn(BufferedImage img, int x, int y, int rgb) {
        for (int yy = y - 2; yy <= y + 2; yy++) {
            if (distance(img.getRGB(x, yy) & 0xFFFFFF, rgb) < 12) {
                return true;
            }
        }
        return false;
    }

    private static int distance(int p, int q) {
        return Math.abs(((p >> 16) & 0xFF) - ((q >> 16) & 0xFF)) + Math.abs(((p >> 8) & 0xFF) - ((q >> 8) & 0xFF))
                + Math.abs((p & 0xFF) - (q & 0xFF));
    }

    /** The colour at the band opacity over white. */
    private static int overWhite(int rgb) {
        double a = LinePlot.BAND_ALPHA;
        int r = (int) Math.round(255 * (1 - a) + ((rgb >> 16) & 0xFF) * a);
        int g = (int) Math.round(255 * (1 - a) + ((rgb >> 8) & 0xFF) * a);
        int b = (int) Math.round(255 * (1 - a) + (rgb & 0xFF) * a);
        return (r << 16) | (g << 8) | b;
    }
}
