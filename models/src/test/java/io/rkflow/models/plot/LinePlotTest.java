package io.rkflow.models.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
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
        Set<Integer> colours = new HashSet<>();
        for (int yy = 0; yy < img.getHeight(); yy++) {
            for (int xx = 0; xx < img.getWidth(); xx++) {
                colours.add(img.getRGB(xx, yy) & 0xFFFFFF);
            }
        }
        assertTrue(colours.size() > 20, "only " + colours.size() + " colours: blank?");
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
    void ticksAreNiceRoundValues() {
        assertEquals(0.2, LinePlot.niceStep(1.0, 6), 1e-12);
        assertEquals(5000, LinePlot.niceStep(40000, 8), 1e-9);
        assertEquals(1, LinePlot.niceStep(7, 6), 1e-12);
        LinePlot.Axis a = LinePlot.axis(0, 100, 6);
        assertEquals(20, a.step(), 1e-12);
        assertArrayEquals(new double[] {0, 20, 40, 60, 80, 100}, a.ticks(), 1e-9);
        assertTrue(a.min() < 0 && a.max() > 100, "a margin around the data");
        LinePlot.Axis flat = LinePlot.axis(5, 5, 6);
        assertTrue(flat.min() < 5 && flat.max() > 5 && flat.ticks().length >= 2);
        assertArrayEquals(new String[] {"0", "20", "40", "60", "80", "100"}, LinePlot.tickLabels(a));
        assertArrayEquals(new String[] {"0.1", "0.2", "0.3"},
                LinePlot.tickLabels(new LinePlot.Axis(0.05, 0.35, new double[] {0.1, 0.2, 0.30000000000000004}, 0.1)));
        assertArrayEquals(new String[] {"0", "0.5e6", "1.0e6", "1.5e6"},
                LinePlot.tickLabels(new LinePlot.Axis(-1, 1.6e6, new double[] {0, 5e5, 1e6, 1.5e6}, 5e5)));
        assertArrayEquals(new String[] {"1e-4", "2e-4"},
                LinePlot.tickLabels(new LinePlot.Axis(0, 3e-4, new double[] {1e-4, 2e-4}, 1e-4)));
        assertArrayEquals(new String[] {"-1000", "0", "1000"},
                LinePlot.tickLabels(LinePlot.axis(-1000, 1000, 3)));
    }
}
