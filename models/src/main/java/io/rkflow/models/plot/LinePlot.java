package io.rkflow.models.plot;

import io.rkflow.models.io.AtomicFile;
import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Line charts as PNG files, drawn with Java2D into a {@link BufferedImage} only (no window, no
 * {@code Toolkit}), so it works headless and without a display.
 */
public final class LinePlot {

    static {
        // Before any AWT class looks at it; an explicit -Djava.awt.headless=... wins.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** One curve; spread (nullable, same length as y) draws a translucent band y ± spread. */
    public record Series(String label, double[] x, double[] y, double[] spread) {}

    static final int WIDTH = 900;
    static final int HEIGHT = 560;

    /** Okabe–Ito, colour-blind safe; yellow last (weak on white). */
    static final Color[] PALETTE = {
        new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
        new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442),
    };

    private static final float[][] DASHES = {null, {9f, 5f}, {2f, 4f}, {12f, 4f, 2f, 4f}};
    private static final int MARKER_MAX_POINTS = 30;
    private static final Font TITLE_FONT = new Font("SansSerif", Font.BOLD, 18);
    private static final Font LABEL_FONT = new Font("SansSerif", Font.PLAIN, 15);
    private static final Font TICK_FONT = new Font("SansSerif", Font.PLAIN, 13);
    private static final Font LEGEND_FONT = new Font("SansSerif", Font.PLAIN, 13);

    private LinePlot() {
    }

    /**
     * Writes a PNG chart (about 900×560) with title, axis labels, ticks with nice round values, a
     * grid, a legend, one colour per series (a colour-blind-safe palette), NaN points skipped (a gap
     * in the line).
     */
    public static void write(Path png, String title, String xLabel, String yLabel, List<Series> series)
            throws IOException {
        validate(png, title, xLabel, yLabel, series);
        BufferedImage image = render(title, xLabel, yLabel, series);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", bytes)) {
            throw new IOException("no PNG writer available to write " + png);
        }
        AtomicFile.write(png, ByteBuffer.wrap(bytes.toByteArray()));
    }

    // ---------------------------------------------------------------- validation

    private static void validate(Path png, String title, String xLabel, String yLabel, List<Series> series) {
        if (png == null) {
            throw new IllegalArgumentException("the PNG path is null");
        }
        if (title == null || xLabel == null || yLabel == null) {
            throw new IllegalArgumentException("the title and the axis labels must not be null (use \"\" for none)");
        }
        if (series == null || series.isEmpty()) {
            throw new IllegalArgumentException("no series to plot");
        }
        boolean anyFinite = false;
        for (int s = 0; s < series.size(); s++) {
            Series ser = series.get(s);
            if (ser == null) {
                throw new IllegalArgumentException("series " + s + " is null");
            }
            String name = ser.label() == null ? "series " + s : "series '" + ser.label() + "'";
            if (ser.label() == null) {
                throw new IllegalArgumentException(name + " has a null label");
            }
            if (ser.x() == null || ser.y() == null) {
                throw new IllegalArgumentException(name + " has null " + (ser.x() == null ? "x" : "y") + " values");
            }
            if (ser.x().length != ser.y().length) {
                throw new IllegalArgumentException(name + " has " + ser.x().length + " x values but " + ser.y().length
                        + " y values");
            }
            if (ser.spread() != null && ser.spread().length != ser.y().length) {
                throw new IllegalArgumentException(name + " has " + ser.spread().length + " spread values but "
                        + ser.y().length + " y values");
            }
            if (ser.y().length == 0) {
                throw new IllegalArgumentException(name + " is empty (no points)");
            }
            for (int i = 0; i < ser.y().length; i++) {
                if (ser.spread() != null && ser.spread()[i] < 0) {
                    throw new IllegalArgumentException(name + " has a negative spread " + ser.spread()[i]
                            + " at index " + i);
                }
                anyFinite |= finite(ser, i);
            }
        }
        if (!anyFinite) {
            throw new IllegalArgumentException("no series has a finite point (x and y both finite) to plot");
        }
    }

    private static boolean finite(Series s, int i) {
        return Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i]);
    }

    // ---------------------------------------------------------------- ticks and ranges

    /** An axis: the visible range and its ticks. */
    record Axis(double min, double max, double[] ticks, double step) {

        double frac(double v) {
            return (v - min) / (max - min);
        }
    }

    /** A nice step (1, 2 or 5 × 10^k) close to {@code range / target}. */
    static double niceStep(double range, int target) {
        double raw = range / target;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
        return nice * mag;
    }

    /** The axis over [lo, hi] (data), widened by a small margin, with nice ticks inside it. */
    static Axis axis(double lo, double hi, int targetTicks) {
        if (hi < lo) {
            throw new IllegalArgumentException("empty range " + lo + " .. " + hi);
        }
        if (hi == lo) {
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        } else {
            double margin = 0.04 * (hi - lo);
            lo -= margin;
            hi += margin;
        }
        double step = niceStep(hi - lo, targetTicks);
        long first = (long) Math.ceil(lo / step - 1e-9);
        long last = (long) Math.floor(hi / step + 1e-9);
        List<Double> ticks = new ArrayList<>();
        for (long k = first; k <= last; k++) {
            double t = k * step;
            ticks.add(Math.abs(t) < step * 1e-9 ? 0.0 : t);
        }
        double[] out = new double[ticks.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ticks.get(i);
        }
        return new Axis(lo, hi, out, step);
    }

    /**
     * The axis's tick labels with just the decimals its step needs; when the ticks reach 10^6 or
     * stay below 10^-3, all in one power of ten (0.5e6, 1.0e6, 1.5e6) so the labels read alike.
     */
    static String[] tickLabels(Axis a) {
        double maxAbs = 0;
        for (double t : a.ticks()) {
            maxAbs = Math.max(maxAbs, Math.abs(t));
        }
        int stepExp = (int) Math.floor(Math.log10(a.step()) + 1e-9);
        String[] out = new String[a.ticks().length];
        boolean scientific = maxAbs >= 1e6 || (maxAbs > 0 && maxAbs < 1e-3);
        int exp = scientific ? (int) Math.floor(Math.log10(maxAbs) + 1e-9) : 0;
        int decimals = Math.max(0, exp - stepExp);
        for (int i = 0; i < out.length; i++) {
            double t = a.ticks()[i];
            if (t == 0) {
                out[i] = "0";
            } else {
                BigDecimal m = new BigDecimal(t).movePointLeft(exp).setScale(decimals, RoundingMode.HALF_EVEN);
                out[i] = m.toPlainString() + (scientific ? "e" + exp : "");
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- drawing

    static BufferedImage render(String title, String xLabel, String yLabel, List<Series> series) {
        double xLo = Double.POSITIVE_INFINITY;
        double xHi = Double.NEGATIVE_INFINITY;
        double yLo = Double.POSITIVE_INFINITY;
        double yHi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.y().length; i++) {
                if (!finite(s, i)) {
                    continue;
                }
                double d = spreadAt(s, i);
                xLo = Math.min(xLo, s.x()[i]);
                xHi = Math.max(xHi, s.x()[i]);
                yLo = Math.min(yLo, s.y()[i] - d);
                yHi = Math.max(yHi, s.y()[i] + d);
            }
        }
        Axis ax = axis(xLo, xHi, 8);
        Axis ay = axis(yLo, yHi, 6);

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);

            String[] yTicks = tickLabels(ay);
            String[] xTicks = tickLabels(ax);
            int yTickWidth = 0;
            FontMetrics tickFm = g.getFontMetrics(TICK_FONT);
            for (String t : yTicks) {
                yTickWidth = Math.max(yTickWidth, tickFm.stringWidth(t));
            }
            FontMetrics labelFm = g.getFontMetrics(LABEL_FONT);
            FontMetrics titleFm = g.getFontMetrics(TITLE_FONT);
            int left = 18 + (yLabel.isEmpty() ? 0 : labelFm.getHeight() + 8) + yTickWidth + 8;
            int top = title.isEmpty() ? 20 : 20 + titleFm.getHeight() + 6;
            int bottom = 12 + tickFm.getHeight() + 6 + (xLabel.isEmpty() ? 0 : labelFm.getHeight() + 4);
            int right = 28;
            Rectangle plot = new Rectangle(left, top, WIDTH - left - right, HEIGHT - top - bottom);

            // Title, centred over the plot area.
            g.setColor(Color.BLACK);
            if (!title.isEmpty()) {
                g.setFont(TITLE_FONT);
                String t = fit(title, titleFm, WIDTH - 20);
                g.drawString(t, plot.x + (plot.width - titleFm.stringWidth(t)) / 2f, 16 + titleFm.getAscent());
            }

            // Grid and ticks.
            g.setFont(TICK_FONT);
            Color grid = new Color(0xE3E3E3);
            Color tickText = new Color(0x333333);
            g.setStroke(new BasicStroke(1f));
            for (int i = 0; i < ay.ticks().length; i++) {
                float py = (float) (plot.y + plot.height * (1 - ay.frac(ay.ticks()[i])));
                g.setColor(grid);
                g.draw(new java.awt.geom.Line2D.Float(plot.x, py, plot.x + plot.width, py));
                g.setColor(tickText);
                g.draw(new java.awt.geom.Line2D.Float(plot.x - 5, py, plot.x, py));
                g.drawString(yTicks[i], plot.x - 8 - tickFm.stringWidth(yTicks[i]),
                        py + tickFm.getAscent() / 2f - 2);
            }
            float lastRight = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < ax.ticks().length; i++) {
                double t = ax.ticks()[i];
                float px = (float) (plot.x + plot.width * ax.frac(t));
                g.setColor(grid);
                g.draw(new java.awt.geom.Line2D.Float(px, plot.y, px, plot.y + plot.height));
                g.setColor(tickText);
                g.draw(new java.awt.geom.Line2D.Float(px, plot.y + plot.height, px, plot.y + plot.height + 5));
                String label = xTicks[i];
                float w = tickFm.stringWidth(label);
                float lx = Math.min(Math.max(px - w / 2, 2), WIDTH - 2 - w);
                if (lx > lastRight + 6) { // skip a label that would overlap its neighbour
                    g.drawString(label, lx, plot.y + plot.height + 8 + tickFm.getAscent());
                    lastRight = lx + w;
                }
            }

            // Axis labels.
            g.setColor(Color.BLACK);
            g.setFont(LABEL_FONT);
            if (!xLabel.isEmpty()) {
                String t = fit(xLabel, labelFm, plot.width);
                g.drawString(t, plot.x + (plot.width - labelFm.stringWidth(t)) / 2f,
                        HEIGHT - 10 - labelFm.getDescent());
            }
            if (!yLabel.isEmpty()) {
                String t = fit(yLabel, labelFm, plot.height);
                AffineTransform saved = g.getTransform();
                g.translate(16 + labelFm.getAscent(), plot.y + (plot.height + labelFm.stringWidth(t)) / 2.0);
                g.rotate(-Math.PI / 2);
                g.drawString(t, 0, 0);
                g.setTransform(saved);
            }

            // Bands, then lines, clipped to the plot area.
            Shape clip = g.getClip();
            g.setClip(plot);
            List<Path2D> lines = new ArrayList<>();
            List<Path2D> allBands = new ArrayList<>();
            for (int s = 0; s < series.size(); s++) {
                Series ser = series.get(s);
                if (ser.spread() != null) {
                    Color c = color(s);
                    g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 56));
                    for (Path2D band : bands(ser, plot, ax, ay)) {
                        allBands.add(band);
                        g.fill(band);
                    }
                }
            }
            for (int s = 0; s < series.size(); s++) {
                Series ser = series.get(s);
                Path2D line = new Path2D.Double();
                int finiteCount = 0;
                boolean pen = false;
                for (int i = 0; i < ser.y().length; i++) {
                    if (!finite(ser, i)) {
                        pen = false;
                        continue;
                    }
                    finiteCount++;
                    double px = plot.x + plot.width * ax.frac(ser.x()[i]);
                    double py = plot.y + plot.height * (1 - ay.frac(ser.y()[i]));
                    if (pen) {
                        line.lineTo(px, py);
                    } else {
                        line.moveTo(px, py);
                        pen = true;
                    }
                }
                lines.add(line);
                g.setColor(color(s));
                g.setStroke(stroke(s, 2.2f));
                g.draw(line);
                for (int i = 0; i < ser.y().length; i++) {
                    if (!finite(ser, i)) {
                        continue;
                    }
                    boolean isolated = (i == 0 || !finite(ser, i - 1)) && (i == ser.y().length - 1
                            || !finite(ser, i + 1));
                    if (isolated || finiteCount <= MARKER_MAX_POINTS) {
                        double px = plot.x + plot.width * ax.frac(ser.x()[i]);
                        double py = plot.y + plot.height * (1 - ay.frac(ser.y()[i]));
                        double r = isolated ? 4 : 3;
                        g.fill(new Ellipse2D.Double(px - r, py - r, 2 * r, 2 * r));
                    }
                }
            }
            g.setClip(clip);

            // Frame.
            g.setColor(new Color(0x555555));
            g.setStroke(new BasicStroke(1f));
            g.drawRect(plot.x, plot.y, plot.width, plot.height);

            legend(g, series, plot, lines, allBands);
        } finally {
            g.dispose();
        }
        return image;
    }

    private static double spreadAt(Series s, int i) {
        if (s.spread() == null || !Double.isFinite(s.spread()[i])) {
            return 0;
        }
        return s.spread()[i];
    }

    /** One polygon per run of consecutive points with finite x, y and spread. */
    private static List<Path2D> bands(Series s, Rectangle plot, Axis ax, Axis ay) {
        List<Path2D> out = new ArrayList<>();
        int n = s.y().length;
        int i = 0;
        while (i < n) {
            if (!finite(s, i) || !Double.isFinite(s.spread()[i])) {
                i++;
                continue;
            }
            int j = i;
            while (j + 1 < n && finite(s, j + 1) && Double.isFinite(s.spread()[j + 1])) {
                j++;
            }
            Path2D p = new Path2D.Double();
            for (int k = i; k <= j; k++) {
                double px = plot.x + plot.width * ax.frac(s.x()[k]);
                double py = plot.y + plot.height * (1 - ay.frac(s.y()[k] + s.spread()[k]));
                if (k == i) {
                    p.moveTo(px, py);
                } else {
                    p.lineTo(px, py);
                }
            }
            for (int k = j; k >= i; k--) {
                double px = plot.x + plot.width * ax.frac(s.x()[k]);
                p.lineTo(px, plot.y + plot.height * (1 - ay.frac(s.y()[k] - s.spread()[k])));
            }
            p.closePath();
            if (i == j) { // a lone point: a short vertical bar
                double px = plot.x + plot.width * ax.frac(s.x()[i]);
                double y1 = plot.y + plot.height * (1 - ay.frac(s.y()[i] + s.spread()[i]));
                double y2 = plot.y + plot.height * (1 - ay.frac(s.y()[i] - s.spread()[i]));
                p = new Path2D.Double(new Rectangle2D.Double(px - 3, y1, 6, Math.max(1, y2 - y1)));
            }
            out.add(p);
            i = j + 1;
        }
        return out;
    }

    /** The legend in the inner corner that covers the fewest line pixels, then the least band area. */
    private static void legend(Graphics2D g, List<Series> series, Rectangle plot, List<Path2D> lines,
            List<Path2D> bands) {
        FontMetrics fm = g.getFontMetrics(LEGEND_FONT);
        int maxText = plot.width / 2 - 60;
        List<String> labels = new ArrayList<>();
        int textWidth = 0;
        for (Series s : series) {
            String t = fit(s.label().isEmpty() ? " " : s.label(), fm, maxText);
            labels.add(t);
            textWidth = Math.max(textWidth, fm.stringWidth(t));
        }
        int swatch = 28;
        int pad = 8;
        int rowH = fm.getHeight() + 2;
        int rows = Math.min(series.size(), Math.max(1, (plot.height - 2 * pad - 20) / rowH));
        int w = pad + swatch + 8 + textWidth + pad;
        int h = pad + rows * rowH + pad - 2;
        int inset = 10;
        int[][] corners = {
            {plot.x + plot.width - inset - w, plot.y + inset}, // upper right
            {plot.x + inset, plot.y + inset}, // upper left
            {plot.x + plot.width - inset - w, plot.y + plot.height - inset - h}, // lower right
            {plot.x + inset, plot.y + plot.height - inset - h}, // lower left
        };
        int best = 0;
        long bestCost = Long.MAX_VALUE;
        for (int c = 0; c < corners.length; c++) {
            Rectangle box = new Rectangle(corners[c][0] - 4, corners[c][1] - 4, w + 8, h + 8);
            long cost = 0;
            for (Path2D line : lines) {
                cost += 16 * covered(line, box);
            }
            for (Path2D band : bands) {
                if (band.intersects(box)) {
                    for (int yy = box.y; yy < box.y + box.height; yy += 4) {
                        for (int xx = box.x; xx < box.x + box.width; xx += 4) {
                            cost += band.contains(xx, yy) ? 1 : 0;
                        }
                    }
                }
            }
            if (cost < bestCost) {
                bestCost = cost;
                best = c;
            }
        }
        int lx = corners[best][0];
        int ly = corners[best][1];
        java.awt.Composite saved = g.getComposite();
        g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.88f));
        g.setColor(Color.WHITE);
        g.fillRoundRect(lx, ly, w, h, 8, 8);
        g.setComposite(saved);
        g.setColor(new Color(0xBBBBBB));
        g.setStroke(new BasicStroke(1f));
        g.drawRoundRect(lx, ly, w, h, 8, 8);
        g.setFont(LEGEND_FONT);
        for (int i = 0; i < rows; i++) {
            int baseline = ly + pad + i * rowH + fm.getAscent();
            float mid = baseline - fm.getAscent() / 2f + 2;
            String text = labels.get(i);
            if (i == rows - 1 && rows < series.size()) {
                text = "… and " + (series.size() - rows + 1) + " more";
                g.setColor(Color.DARK_GRAY);
            } else {
                Color c = color(i);
                if (series.get(i).spread() != null) {
                    g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 56));
                    g.fill(new Rectangle2D.Float(lx + pad, mid - 6, swatch, 12));
                }
                g.setColor(c);
                g.setStroke(stroke(i, 2.5f));
                g.draw(new java.awt.geom.Line2D.Float(lx + pad, mid, lx + pad + swatch, mid));
                g.setColor(Color.BLACK);
            }
            g.drawString(text, lx + pad + swatch + 8, baseline);
        }
    }

    /** How many sample points along the path (every 2 px) fall into the box. */
    private static long covered(Path2D path, Rectangle box) {
        long count = 0;
        double[] c = new double[6];
        double px = 0;
        double py = 0;
        for (var it = path.getPathIterator(null); !it.isDone(); it.next()) {
            int type = it.currentSegment(c);
            if (type == java.awt.geom.PathIterator.SEG_MOVETO) {
                if (box.contains(c[0], c[1])) {
                    count += 3;
                }
            } else if (type == java.awt.geom.PathIterator.SEG_LINETO) {
                double len = Math.hypot(c[0] - px, c[1] - py);
                int steps = Math.max(1, (int) (len / 2));
                for (int k = 1; k <= steps; k++) {
                    double t = (double) k / steps;
                    if (box.contains(px + t * (c[0] - px), py + t * (c[1] - py))) {
                        count++;
                    }
                }
            }
            px = c[0];
            py = c[1];
        }
        return count;
    }

    static Color color(int index) {
        return PALETTE[index % PALETTE.length];
    }

    private static BasicStroke stroke(int index, float width) {
        float[] dash = DASHES[(index / PALETTE.length) % DASHES.length];
        return new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, dash, 0f);
    }

    /** The text, shortened with an ellipsis to fit {@code width} pixels. */
    private static String fit(String text, FontMetrics fm, int width) {
        Objects.requireNonNull(text);
        if (fm.stringWidth(text) <= width) {
            return text;
        }
        String t = text;
        while (!t.isEmpty() && fm.stringWidth(t + "…") > width) {
            t = t.substring(0, t.length() - 1);
        }
        return t + "…";
    }
}
