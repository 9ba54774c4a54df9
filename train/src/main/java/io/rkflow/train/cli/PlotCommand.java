package io.rkflow.train.cli;

import io.rkflow.train.plot.LinePlot;
import io.rkflow.train.plot.MetricsFile;
import io.rkflow.train.plot.RunLabels;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "plot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Plot a column of one or more runs' metrics against another as a PNG.",
            "Each RUN is a run folder (with metrics.csv) or a metrics.csv file. A curve is labelled by its optimizer"
                + " (settings.optimizer in the folder's run.json), else by its folder's name; runs with the same"
                + " optimizer are told apart by the settings that differ (model, batch, seed).",
            "Rows whose x or y is empty or NaN are skipped (evaluation columns are empty between evaluations).",
            "Without --out the PNG is plot.png in the first RUN's folder, also when several runs are given."})
public final class PlotCommand implements Callable<Integer> {

    /** Axis labels of the columns the trainer writes; any other column is labelled by its name. */
    static final Map<String, String> LABELS = new LinkedHashMap<>();

    static {
        LABELS.put("step", "step");
        LABELS.put("epoch", "epoch");
        LABELS.put("gradient_evaluations", "gradient evaluations");
        LABELS.put("loss", "training loss");
        LABELS.put("test_accuracy", "test accuracy (%)");
        LABELS.put("test_loss", "test loss");
        LABELS.put("validation_accuracy", "validation accuracy (%)");
        LABELS.put("train_accuracy", "train accuracy (%)");
        LABELS.put("h", "step size h");
        LABELS.put("ms_per_step", "ms per step");
    }

    @Option(names = "--x", defaultValue = "gradient_evaluations", paramLabel = "COLUMN",
            description = "x axis: any column of the metrics files, such as step, epoch or gradient_evaluations"
                + " (default: ${DEFAULT-VALUE}).")
    String x;

    @Option(names = "--y", defaultValue = "test_accuracy", paramLabel = "COLUMN",
            description = "y axis: any column, such as loss, test_accuracy, test_loss, train_accuracy or h;"
                + " accuracies in percent (default: ${DEFAULT-VALUE}).")
    String y;

    @Option(names = "--log-x", description = "Logarithmic x axis; points with x <= 0 (a step-0 row) are left out,"
            + " with a note.")
    boolean logX;

    @Option(names = "--log-y", description = "Logarithmic y axis; points with y <= 0 are left out, with a note.")
    boolean logY;

    @Option(names = "--out", paramLabel = "PNG",
            description = "The PNG to write (default: plot.png in the first RUN's folder).")
    Path out;

    @Option(names = "--title", paramLabel = "TITLE", description = "Chart title (default: the y and x axes).")
    String title;

    @Option(names = "--width", defaultValue = "" + LinePlot.WIDTH, paramLabel = "PIXELS",
            description = "Image width, " + LinePlot.MIN_SIZE + " to " + LinePlot.MAX_SIZE
                + " (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--height", defaultValue = "" + LinePlot.HEIGHT, paramLabel = "PIXELS",
            description = "Image height, " + LinePlot.MIN_SIZE + " to " + LinePlot.MAX_SIZE
                + " (default: ${DEFAULT-VALUE}).")
    int height;

    @Parameters(arity = "1..*", paramLabel = "RUN", description = "Run folders or metrics.csv files.")
    List<Path> runs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // No display is needed or wanted: the chart is drawn into an image in memory.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        requireSize("--width", width);
        requireSize("--height", height);
        LinePlot.Style style = new LinePlot.Style(width, height, logX, logY);
        List<MetricsFile> files = new ArrayList<>();
        for (Path run : runs) {
            MetricsFile f = MetricsFile.read(run);
            requireColumn(f, "--x", x);
            requireColumn(f, "--y", y);
            files.add(f);
        }
        List<String> labels = RunLabels.of(files, runs);
        double scale = isAccuracy(y) ? 100 : 1;
        List<LinePlot.Series> series = new ArrayList<>();
        for (int r = 0; r < files.size(); r++) {
            MetricsFile f = files.get(r);
            double[][] points = f.points(x, y);
            if (points[0].length == 0) {
                throw new IllegalArgumentException(f.file() + " has no rows with both " + x + " and " + y
                        + (y.endsWith("accuracy") || y.endsWith("_loss") ? " (no evaluation was logged)" : ""));
            }
            double[] px = points[0];
            double[] py = points[1];
            for (int i = 0; i < py.length; i++) {
                py[i] *= scale;
            }
            series.add(new LinePlot.Series(labels.get(r), px, py, null));
        }
        String xLabel = label(x);
        String yLabel = label(y);
        String t = title != null ? title : capitalize(yLabel.replace(" (%)", "")) + " by " + xLabel;
        boolean defaultOut = out == null;
        Path png = defaultOut ? files.get(0).file().toAbsolutePath().getParent().resolve("plot.png") : out;
        List<String> notes = LinePlot.write(png, t, xLabel, yLabel, series, style);
        PrintWriter err = spec.commandLine().getErr();
        for (String note : notes) {
            err.println("rkflow plot: note: " + note);
        }
        err.flush();
        spec.commandLine().getOut().printf("plot: wrote %s (%s by %s, %d run%s%s)%n",
                png.toAbsolutePath().normalize(), y, x, series.size(), series.size() == 1 ? "" : "s",
                defaultOut ? "; in the first run's folder, as no --out was given" : "");
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static void requireSize(String option, int pixels) {
        if (pixels < LinePlot.MIN_SIZE || pixels > LinePlot.MAX_SIZE) {
            throw new IllegalArgumentException(option + " " + pixels + " is out of range: give " + LinePlot.MIN_SIZE
                    + " to " + LinePlot.MAX_SIZE + " pixels");
        }
    }

    /** A column the option names must be in every metrics file. */
    private static void requireColumn(MetricsFile f, String option, String column) {
        if (!f.has(column)) {
            throw new IllegalArgumentException(option + " " + column + ": " + f.file() + " has no column '" + column
                    + "'; its columns: " + String.join(", ", f.columns()));
        }
    }

    /** Accuracies are logged as fractions and plotted in percent. */
    static boolean isAccuracy(String column) {
        return column.equals("accuracy") || column.endsWith("_accuracy");
    }

    /** The axis label of a column. */
    static String label(String column) {
        String known = LABELS.get(column);
        if (known != null) {
            return known;
        }
        return column.replace('_', ' ') + (isAccuracy(column) ? " (%)" : "");
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
