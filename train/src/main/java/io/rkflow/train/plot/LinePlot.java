package io.rkflow.train.plot;

import io.rkflow.models.io.AtomicFile;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * Line charts as PNG files, drawn by JFreeChart into an image in memory only (no window, no
 * display), so it works headless; {@code java.awt.headless} is set to true unless given.
 */
public final class LinePlot {

    static {
        // Before any AWT class looks at it; an explicit -Djava.awt.headless=... wins.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /**
     * One curve; NaN or infinite points are left out and break the line. Spread (nullable, same
     * length as y) draws a translucent band y ± spread under the lines.
     */
    public record Series(String label, double[] x, double[] y, double[] spread) {}

    /** The default width in pixels. */
    public static final int WIDTH = 900;
    /** The default height in pixels. */
    public static final int HEIGHT = 560;
    /** The smallest and the largest width or height accepted, in pixels. */
    public static final int MIN_SIZE = 200;
    public static final int MAX_SIZE = 10_000;

    /**
     * The image size and the axis scales. On a logarithmic axis, points with a value ≤ 0 are left
     * out, and {@link #write} says so in its notes.
     */
    public record Style(int width, int height, boolean logX, boolean logY) {

        /** 900×560, linear axes. */
        public static final Style DEFAULT = new Style(WIDTH, HEIGHT, false, false);

        public Style {
            if (width < MIN_SIZE || width > MAX_SIZE || height < MIN_SIZE || height > MAX_SIZE) {
                throw new IllegalArgumentException("the plot size " + width + "x" + height + " is out of range: width"
                        + " and height must be " + MIN_SIZE + " to " + MAX_SIZE + " pixels");
            }
        }
    }

    /** Okabe–Ito, colour-blind safe; yellow last (weak on white). */
    static final Color[] PALETTE = {
        new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
        new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442),
    };

    /** The opacity of a spread band: light enough that bands overlapping each other and the lines show through. */
    static final float BAND_ALPHA = 0.22f;

    /** After the palette's colours come round once, the same colours dashed, then dotted, ... */
    private static final float[][] DASHES = {null, {9f, 5f}, {2f, 4f}, {12f, 4f, 2f, 4f}};
    /** Series with at most this many points get a marker on each point. */
    private static final int MARKER_MAX_POINTS = 30;
    private static final Font TITLE_FONT = new Font("SansSerif", Font.BOLD, 18);
    private static final Font LABEL_FONT = new Font("SansSerif", Font.PLAIN, 15);
    private static final Font TICK_FONT = new Font("SansSerif", Font.PLAIN, 13);
    private static final Font LEGEND_FONT = new Font("SansSerif", Font.PLAIN, 13);
    private static final Color GRID = new Color(0xE3E3E3);

    private LinePlot() {
    }

    /** {@link #write(Path, String, String, String, List, Style)} at 900×560 with linear axes. */
    public static List<String> write(Path png, String title, String xLabel, String yLabel, List<Series> series)
            throws IOException {
        return write(png, title, xLabel, yLabel, series, Style.DEFAULT);
    }

    /**
     * Writes a PNG chart of the given size: title, axis labels, round-valued ticks, a grid, a legend
     * below the plot, one colour per series (a colour-blind-safe palette; dashed once it runs out),
     * spread bands translucent and under every line. The file is replaced atomically.
     *
     * @return notes on what was left out (points ≤ 0 on a logarithmic axis), one line each; empty
     *     when nothing was
     * @throws IllegalArgumentException when a series is malformed or nothing is left to plot
     */
    public static List<String> write(Path png, String title, String xLabel, String yLabel, List<Series> series,
            Style style) throws IOException {
        if (png == null) {
            throw new IllegalArgumentException("the PNG path is null");
        }
        List<String> notes = new ArrayList<>();
        JFreeChart chart = chart(title, xLabel, yLabel, series, style, notes);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(bytes, chart, style.width(), style.height());
        AtomicFile.write(png, ByteBuffer.wrap(bytes.toByteArray()));
        return List.copyOf(notes);
    }

    /**
     * The chart {@link #write} renders; what it leaves out is added to {@code notes}.
     *
     * @throws IllegalArgumentException when a series is malformed or nothing is left to plot
     */
    static JFreeChart chart(String title, String xLabel, String yLabel, List<Series> series, Style style,
            List<String> notes) {
        if (style == null) {
            throw new IllegalArgumentException("the plot style is null");
        }
        validate(title, xLabel, yLabel, series);
        List<Series> kept = forLogAxes(series, style, xLabel, yLabel, notes);
        // A band edge at or below 0 cannot be drawn on a log axis: it ends at the smallest y plotted.
        double floor = Double.NEGATIVE_INFINITY;
        if (style.logY()) {
            floor = Double.POSITIVE_INFINITY;
            for (Series ser : kept) {
                for (int i = 0; i < ser.y().length; i++) {
                    floor = finite(ser, i) ? Math.min(floor, ser.y()[i]) : floor;
                }
            }
        }
        boolean clipped = false;

        XYSeriesCollection lines = new XYSeriesCollection();
        YIntervalSeriesCollection bands = new YIntervalSeriesCollection();
        XYLineAndShapeRenderer lineRenderer = new XYLineAndShapeRenderer(true, false);
        DeviationRenderer bandRenderer = new DeviationRenderer(false, false);
        bandRenderer.setAlpha(BAND_ALPHA);
        bandRenderer.setDefaultSeriesVisibleInLegend(false);
        int band = 0;
        for (int s = 0; s < kept.size(); s++) {
            Series ser = kept.get(s);
            XYSeries xy = new XYSeries(new Key(s, ser.label()), false, true);
            int points = 0;
            boolean isolated = false;
            for (int i = 0; i < ser.y().length; i++) {
                if (finite(ser, i)) {
                    xy.add(ser.x()[i], ser.y()[i]);
                    points++;
                    isolated |= (i == 0 || !finite(ser, i - 1)) && (i == ser.y().length - 1 || !finite(ser, i + 1));
                } else if (!xy.isEmpty()) {
                    xy.add(xy.getX(xy.getItemCount() - 1), null); // a null y breaks the line
                }
            }
            lines.addSeries(xy);
            Color c = color(s);
            lineRenderer.setSeriesPaint(s, c);
            lineRenderer.setSeriesStroke(s, stroke(s, 2.2f));
            lineRenderer.setSeriesShape(s, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
            // A point between gaps has no line to show it.
            lineRenderer.setSeriesShapesVisible(s, points <= MARKER_MAX_POINTS || isolated);
            if (ser.spread() != null) {
                for (int i = 0; i < ser.y().length; i++) {
                    clipped |= finite(ser, i) && ser.y()[i] - ser.spread()[i] < floor;
                }
                for (YIntervalSeries segment : bandSegments(ser, band, floor)) {
                    bands.addSeries(segment);
                    bandRenderer.setSeriesPaint(band, c);
                    bandRenderer.setSeriesFillPaint(band, c);
                    band++;
                }
            }
        }

        if (clipped) {
            notes.add("bands that reach " + (yLabel.isEmpty() ? "y" : yLabel) + " <= 0 end at the smallest value"
                    + " plotted (log y axis)");
        }

        XYPlot plot = new XYPlot();
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setDomainAxis(axis(xLabel, style.logX(), range(kept, false, Double.NEGATIVE_INFINITY)));
        plot.setRangeAxis(axis(yLabel, style.logY(), range(kept, true, floor)));
        plot.setDataset(0, lines);
        plot.setRenderer(0, lineRenderer);
        plot.setDataset(1, bands);
        plot.setRenderer(1, bandRenderer);
        // REVERSE draws dataset 1 (the bands) first, so every band lies under every line.
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.REVERSE);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(new Color(0x555555));
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setDomainGridlineStroke(new BasicStroke(1f));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);

        JFreeChart chart = new JFreeChart(title.isEmpty() ? null : title, TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        chart.setPadding(new RectangleInsets(8, 8, 8, 16));
        TextTitle t = chart.getTitle();
        if (t != null) {
            t.setPaint(Color.BLACK);
        }
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setItemFont(LEGEND_FONT);
        legend.setBackgroundPaint(Color.WHITE);
        legend.setFrame(BlockBorder.NONE);
        return chart;
    }

    /** A series key: the index keeps two series with the same label apart. */
    private record Key(int index, String label) implements Comparable<Key> {

        @Override
        public int compareTo(Key o) {
            return Integer.compare(index, o.index);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    // ---------------------------------------------------------------- validation

    private static void validate(String title, String xLabel, String yLabel, List<Series> series) {
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

    // ---------------------------------------------------------------- logarithmic axes

    /**
     * The series without their points ≤ 0 on a logarithmic axis, with a note for each series that
     * lost some. A series left with no point is dropped with a note; none left at all is an error.
     */
    private static List<Series> forLogAxes(List<Series> series, Style style, String xLabel, String yLabel,
            List<String> notes) {
        if (!style.logX() && !style.logY()) {
            return series;
        }
        String xName = xLabel.isEmpty() ? "x" : xLabel;
        String yName = yLabel.isEmpty() ? "y" : yLabel;
        List<Series> kept = new ArrayList<>();
        for (Series ser : series) {
            int n = ser.y().length;
            int badX = 0;
            int badY = 0;
            List<Integer> keep = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (!finite(ser, i)) {
                    keep.add(i); // stays a gap
                    continue;
                }
                boolean outX = style.logX() && ser.x()[i] <= 0;
                boolean outY = style.logY() && ser.y()[i] <= 0;
                badX += outX ? 1 : 0;
                badY += outY && !outX ? 1 : 0;
                if (!outX && !outY) {
                    keep.add(i);
                }
            }
            String label = ser.label().isEmpty() ? "the unnamed series" : "'" + ser.label() + "'";
            if (badX > 0) {
                notes.add(String.format(Locale.ROOT, "left out %d point%s of %s with %s <= 0 (log x axis)", badX,
                        badX == 1 ? "" : "s", label, xName));
            }
            if (badY > 0) {
                notes.add(String.format(Locale.ROOT, "left out %d point%s of %s with %s <= 0 (log y axis)", badY,
                        badY == 1 ? "" : "s", label, yName));
            }
            double[] x = new double[keep.size()];
            double[] y = new double[keep.size()];
            double[] spread = ser.spread() == null ? null : new double[keep.size()];
            boolean any = false;
            for (int k = 0; k < x.length; k++) {
                int i = keep.get(k);
                x[k] = ser.x()[i];
                y[k] = ser.y()[i];
                if (spread != null) {
                    spread[k] = ser.spread()[i];
                }
                any |= Double.isFinite(x[k]) && Double.isFinite(y[k]);
            }
            if (any) {
                kept.add(new Series(ser.label(), x, y, spread));
            } else {
                notes.add("left out " + label + ": no point of it has a positive value on the log axes");
            }
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("nothing to plot: no point has " + (style.logX() ? xName + " > 0" : "")
                    + (style.logX() && style.logY() ? " and " : "") + (style.logY() ? yName + " > 0" : "")
                    + " for the log axes");
        }
        return kept;
    }

    // ---------------------------------------------------------------- axes and bands

    /**
     * {min, max} of the finite x (or y) values; y with its bands, their lower edges no lower than
     * {@code floor}.
     */
    private static double[] range(List<Series> series, boolean y, double floor) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.y().length; i++) {
                if (finite(s, i)) {
                    double v = y ? s.y()[i] : s.x()[i];
                    double d = y ? spreadAt(s, i) : 0;
                    lo = Math.min(lo, Math.max(v - d, floor));
                    hi = Math.max(hi, v + d);
                }
            }
        }
        return new double[] {lo, hi};
    }

    /** A linear axis with round ticks (not forced to include 0), or a base-10 logarithmic one. */
    private static ValueAxis axis(String label, boolean log, double[] range) {
        double lo = range[0];
        double hi = range[1];
        ValueAxis axis;
        if (log) {
            axis = new Log10Axis(label);
        } else {
            NumberAxis a = new NumberAxis(label);
            a.setAutoRangeIncludesZero(false);
            a.setAutoRangeStickyZero(false); // the margin also below 0, so a point at 0 is not cut in half
            a.setStandardTickUnits(NumberAxis.createStandardTickUnits(Locale.ROOT));
            axis = a;
        }
        axis.setLabelFont(LABEL_FONT);
        axis.setTickLabelFont(TICK_FONT);
        axis.setLabelPaint(Color.BLACK);
        axis.setTickLabelPaint(new Color(0x333333));
        axis.setLowerMargin(0.03);
        axis.setUpperMargin(0.03);
        if (hi == lo) { // one value: a range around it rather than JFreeChart's tiny one
            if (log) {
                axis.setRange(lo / 2, lo * 2);
            } else {
                double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
                axis.setRange(lo - pad, lo + pad);
            }
        }
        return axis;
    }

    private static double spreadAt(Series s, int i) {
        if (s.spread() == null || !Double.isFinite(s.spread()[i])) {
            return 0;
        }
        return s.spread()[i];
    }

    /** One band per run of consecutive points with finite x, y and spread; no lower edge below floor. */
    private static List<YIntervalSeries> bandSegments(Series s, int firstIndex, double floor) {
        List<YIntervalSeries> out = new ArrayList<>();
        YIntervalSeries current = null;
        for (int i = 0; i < s.y().length; i++) {
            if (!finite(s, i) || !Double.isFinite(s.spread()[i])) {
                current = null;
                continue;
            }
            if (current == null) {
                current = new YIntervalSeries(new Key(firstIndex + out.size(), s.label()), false, true);
                out.add(current);
            }
            double y = s.y()[i];
            double d = s.spread()[i];
            current.add(s.x()[i], y, Math.max(y - d, floor), y + d);
        }
        return out;
    }

    /**
     * A base-10 logarithmic axis with round ticks labelled as plain numbers (JFreeChart's LogAxis
     * labels 10^1.95, its LogarithmicAxis only the powers of ten).
     */
    private static final class Log10Axis extends LogAxis {

        private static final long serialVersionUID = 1L;

        Log10Axis(String label) {
            super(label);
            setBase(10);
        }

        @Override
        protected List<NumberTick> refreshTicksHorizontal(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
            return ticks(edge == RectangleEdge.TOP ? TextAnchor.BOTTOM_CENTER : TextAnchor.TOP_CENTER);
        }

        @Override
        protected List<NumberTick> refreshTicksVertical(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
            return ticks(edge == RectangleEdge.RIGHT ? TextAnchor.CENTER_LEFT : TextAnchor.CENTER_RIGHT);
        }

        private List<NumberTick> ticks(TextAnchor anchor) {
            List<NumberTick> ticks = new ArrayList<>();
            for (BigDecimal v : logTicks(getLowerBound(), getUpperBound())) {
                ticks.add(new NumberTick(TickType.MAJOR, v.doubleValue(), tickLabel(v), anchor, TextAnchor.CENTER, 0));
            }
            return ticks;
        }
    }

    /**
     * Round ticks in [lo, hi] (0 < lo < hi) for a logarithmic axis: the powers of ten when the range
     * spans four decades or more (every second, third, ... one beyond twelve), else 1, 2 and 5 ×
     * 10^k, else 1 to 9 × 10^k; when that still gives fewer than three, evenly spaced round values.
     */
    static List<BigDecimal> logTicks(double lo, double hi) {
        double decades = Math.log10(hi / lo);
        int first = (int) Math.floor(Math.log10(lo));
        int last = (int) Math.ceil(Math.log10(hi));
        int[][] mantissas = {{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
        int from = decades >= 4 ? 0 : decades >= 1 ? 1 : 2;
        int every = Math.max(1, (int) Math.ceil(decades / 12));
        for (int m = from; m < mantissas.length; m++) {
            List<BigDecimal> ticks = new ArrayList<>();
            for (int k = first; k <= last; k++) {
                if (m == 0 && Math.floorMod(k, every) != 0) {
                    continue;
                }
                for (int mantissa : mantissas[m]) {
                    BigDecimal v = BigDecimal.valueOf(mantissa).scaleByPowerOfTen(k);
                    if (v.doubleValue() >= lo && v.doubleValue() <= hi) {
                        ticks.add(v);
                    }
                }
            }
            if (ticks.size() >= 3) {
                return ticks;
            }
        }
        // Less than a decade with fewer than three of 1..9 × 10^k in it: a linear step 1, 2 or 5 × 10^k.
        double raw = (hi - lo) / 5;
        int exp = (int) Math.floor(Math.log10(raw));
        double f = raw / Math.pow(10, exp);
        BigDecimal step = BigDecimal.valueOf(f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10).scaleByPowerOfTen(exp);
        List<BigDecimal> ticks = new ArrayList<>();
        BigDecimal v = step.multiply(BigDecimal.valueOf(Math.ceil(lo / step.doubleValue())));
        for (; v.doubleValue() <= hi; v = v.add(step)) {
            ticks.add(v);
        }
        return ticks;
    }

    /** A tick value as a plain number (0.001, 20, 50000), or as 1e-5 / 2e7 when very small or large. */
    static String tickLabel(BigDecimal v) {
        BigDecimal t = v.stripTrailingZeros();
        double a = Math.abs(t.doubleValue());
        if (a != 0 && (a < 1e-4 || a >= 1e7)) {
            return t.unscaledValue() + "e" + (-t.scale());
        }
        return t.toPlainString();
    }

    static Color color(int index) {
        return PALETTE[index % PALETTE.length];
    }

    private static BasicStroke stroke(int index, float width) {
        float[] dash = DASHES[(index / PALETTE.length) % DASHES.length];
        return new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, dash, 0f);
    }
}
