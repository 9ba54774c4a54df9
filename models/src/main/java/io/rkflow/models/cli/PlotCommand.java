package io.rkflow.models.cli;

import io.rkflow.models.plot.LinePlot;
import io.rkflow.models.plot.MetricsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
        description = {"Plot a metric of one or more runs against steps, epochs or gradient evaluations as a PNG.",
            "Each RUN is a run folder (with metrics.csv) or a metrics.csv file; a curve is labelled by its folder."})
public final class PlotCommand implements Callable<Integer> {

    /** The x columns and their axis labels. */
    static final Map<String, String> X = new LinkedHashMap<>();
    /** The y columns and their axis labels. */
    static final Map<String, String> Y = new LinkedHashMap<>();

    static {
        X.put("step", "step");
        X.put("epoch", "epoch");
        X.put("gradient_evaluations", "gradient evaluations");
        Y.put("loss", "training loss");
        Y.put("test_accuracy", "test accuracy (%)");
        Y.put("test_loss", "test loss");
        Y.put("h", "step size h");
    }

    @Option(names = "--x", defaultValue = "gradient_evaluations", paramLabel = "COLUMN",
            description = "x axis: step, epoch or gradient_evaluations (default: ${DEFAULT-VALUE}).")
    String x;

    @Option(names = "--y", defaultValue = "test_accuracy", paramLabel = "COLUMN",
            description = "y axis: loss, test_accuracy (in percent), test_loss or h (default: ${DEFAULT-VALUE}).")
    String y;

    @Option(names = "--out", defaultValue = "plot.png", paramLabel = "PNG",
            description = "The PNG to write (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--title", paramLabel = "TITLE", description = "Chart title (default: the y and x axes).")
    String title;

    @Parameters(arity = "1..*", paramLabel = "RUN", description = "Run folders or metrics.csv files.")
    List<Path> runs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!X.containsKey(x)) {
            throw new IllegalArgumentException("unknown --x '" + x + "'; choose one of " + String.join(", ", X.keySet()));
        }
        if (!Y.containsKey(y)) {
            throw new IllegalArgumentException("unknown --y '" + y + "'; choose one of " + String.join(", ", Y.keySet()));
        }
        List<MetricsFile> files = new ArrayList<>();
        for (Path run : runs) {
            files.add(MetricsFile.read(run));
        }
        Map<String, Integer> nameCount = new HashMap<>();
        for (MetricsFile f : files) {
            nameCount.merge(f.runName(), 1, Integer::sum);
        }
        double scale = y.equals("test_accuracy") ? 100 : 1;
        List<LinePlot.Series> series = new ArrayList<>();
        for (int r = 0; r < files.size(); r++) {
            MetricsFile f = files.get(r);
            double[] xs = f.column(x);
            double[] ys = f.column(y);
            int n = 0;
            for (int i = 0; i < ys.length; i++) {
                if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                    n++;
                }
            }
            if (n == 0) {
                throw new IllegalArgumentException(f.file() + " has no rows with both " + x + " and " + y
                        + (y.startsWith("test_") ? " (no evaluation was logged)" : ""));
            }
            double[] px = new double[n];
            double[] py = new double[n];
            for (int i = 0, k = 0; i < ys.length; i++) {
                if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                    px[k] = xs[i];
                    py[k++] = ys[i] * scale;
                }
            }
            String label = nameCount.get(f.runName()) > 1 ? runs.get(r).toString() : f.runName();
            series.add(new LinePlot.Series(label, px, py, null));
        }
        String t = title != null ? title : capitalize(Y.get(y).replace(" (%)", "")) + " by " + X.get(x);
        LinePlot.write(out, t, X.get(x), Y.get(y), series);
        spec.commandLine().getOut().printf("plot: %s (%s by %s, %d run%s)%n", out.toAbsolutePath().normalize(), y, x,
                series.size(), series.size() == 1 ? "" : "s");
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
