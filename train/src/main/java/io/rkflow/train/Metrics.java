package io.rkflow.train;

import io.rkflow.train.TensorBoardEvents;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Metrics of a run, one row per logged step, as CSV ({@code metrics.csv}), JSON lines
 * ({@code metrics.jsonl}) and TensorBoard scalars ({@code events.out.tfevents.*}, see
 * {@link TensorBoardEvents}) in the run folder. Rows are flushed as they are written, so a crashed
 * run keeps everything up to its last log line.
 */
public final class Metrics implements AutoCloseable {

    static final String HEADER = "step,epoch,loss,test_accuracy,test_loss,h,gradient_evaluations,accepted,rejected,"
            + "ms_per_step,samples_per_second,validation_accuracy,train_accuracy,executes_per_step,kernels_per_step";

    /**
     * One logged step; accuracies are NaN between evaluations (validation: also without a split).
     * Train accuracy is measured on the first {@value Trainer#TRAIN_ACCURACY_ROWS} training rows.
     * Executes per step: device plan executions per training step over the logged window (one
     * when a whole RK step is one plan); kernels per step: the kernels those executions ran, which
     * the fusion level ({@code --fusion}) lowers.
     */
    public record Row(long step, double epoch, double loss, double testAccuracy, double testLoss, double h,
            long gradientEvaluations, long accepted, long rejected, double msPerStep, double samplesPerSecond,
            double validationAccuracy, double trainAccuracy, double executesPerStep, double kernelsPerStep) {

        String csv() {
            return String.format(Locale.ROOT, "%d,%.4f,%.6f,%s,%s,%.6g,%d,%d,%d,%.3f,%.1f,%s,%s,%.2f,%.1f", step, epoch,
                    loss, opt(testAccuracy), opt(testLoss), h, gradientEvaluations, accepted, rejected, msPerStep,
                    samplesPerSecond, opt(validationAccuracy), opt(trainAccuracy), executesPerStep, kernelsPerStep);
        }

        String json() {
            return String.format(Locale.ROOT, "{\"step\":%d,\"epoch\":%.4f,\"loss\":%s,\"test_accuracy\":%s,"
                    + "\"test_loss\":%s,\"h\":%s,\"gradient_evaluations\":%d,\"accepted\":%d,\"rejected\":%d,"
                    + "\"ms_per_step\":%.3f,\"samples_per_second\":%.1f,\"validation_accuracy\":%s,"
                    + "\"train_accuracy\":%s,\"executes_per_step\":%.2f,\"kernels_per_step\":%.1f}", step, epoch, num(loss), num(testAccuracy),
                    num(testLoss), num(h), gradientEvaluations, accepted, rejected, msPerStep, samplesPerSecond,
                    num(validationAccuracy), num(trainAccuracy), executesPerStep, kernelsPerStep);
        }

        /**
         * The row's TensorBoard scalars, tagged as its CSV columns; NaN ones (accuracies between
         * evaluations) are left out when written.
         */
        Map<String, Double> scalars() {
            Map<String, Double> s = new LinkedHashMap<>();
            s.put("loss", loss);
            s.put("test_accuracy", testAccuracy);
            s.put("test_loss", testLoss);
            s.put("validation_accuracy", validationAccuracy);
            s.put("train_accuracy", trainAccuracy);
            s.put("h", h);
            s.put("ms_per_step", msPerStep);
            s.put("samples_per_second", samplesPerSecond);
            s.put("gradient_evaluations", (double) gradientEvaluations);
            return s;
        }

        /** The human log line: step, epoch, loss, accuracies (when measured), h, ms, samples/s. */
        public String logLine() {
            String line = String.format(Locale.ROOT, "step %6d | epoch %6.2f | loss %.4f | %s | %s | h %.4g | %7.2f ms |"
                    + " %8.0f samples/s | %.2g exec/step | %.0f kernels/step", step, epoch, loss,
                    Double.isNaN(trainAccuracy) ? "train acc    -  " : String.format(Locale.ROOT,
                            "train acc %5.2f%%", 100 * trainAccuracy),
                    Double.isNaN(testAccuracy) ? "test acc    -  " : String.format(Locale.ROOT,
                            "test acc %5.2f%%", 100 * testAccuracy), h, msPerStep, samplesPerSecond, executesPerStep,
                    kernelsPerStep);
            return Double.isNaN(validationAccuracy) ? line
                    : line + String.format(Locale.ROOT, " | validation acc %5.2f%%", 100 * validationAccuracy);
        }

        private static String opt(double v) {
            return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
        }

        private static String num(double v) {
            return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
        }
    }

    private final Path csvFile;
    private final Path jsonFile;
    private final BufferedWriter csv;
    private final BufferedWriter jsonl;
    private final TensorBoardEvents events;

    /**
     * Opens the metrics of a resumed run in {@code folder}: keeps the rows up to and including
     * {@code step} (rows after it were logged after the checkpoint and will be logged again) and
     * appends from there. Blank lines are dropped, and so is a last line that does not parse (the
     * torn line a crash can leave); any other line that does not parse is an error naming the file
     * and the line. Both files are rewritten atomically (a failure leaves them as they were), and
     * the temporary files of interrupted writes in the folder are removed first. The TensorBoard
     * events keep the same rows ({@link TensorBoardEvents#resume}); a damaged event file is an
     * error too, found before any file is rewritten.
     */
    public static Metrics resume(Path folder, long step) throws IOException {
        return resume(folder, step, true);
    }

    /**
     * As {@link #resume(Path, long)}; of the rows at {@code step} itself only the first is kept, and
     * only when {@code regularAt} (the run logs a row there by its grid): the final-evaluation row
     * that a run stopped by --steps writes is not a row of the resumed run.
     */
    public static Metrics resume(Path folder, long step, boolean regularAt) throws IOException {
        removeTemporaryFiles(folder);
        Path csvFile = folder.resolve("metrics.csv");
        Path jsonFile = folder.resolve("metrics.jsonl");
        java.util.List<String> csvRows = keep(csvFile, step, regularAt, line -> line.substring(0, line.indexOf(',')),
                "step,");
        java.util.List<String> jsonRows = keep(jsonFile, step, regularAt,
                line -> line.startsWith("{\"step\":") ? line.substring(line.indexOf(':') + 1, line.indexOf(',')) : "", null);
        TensorBoardEvents events = TensorBoardEvents.resume(folder, step, regularAt);
        try {
            io.rkflow.models.io.AtomicFile.write(csvFile, lines(csvRows));
            io.rkflow.models.io.AtomicFile.write(jsonFile, lines(jsonRows));
            return new Metrics(csvFile, jsonFile, events);
        } catch (IOException | RuntimeException e) {
            events.close();
            throw e;
        }
    }

    /** The lines of {@code file} whose step (read by {@code stepOf}) is at most {@code step}, and its header. */
    private static java.util.List<String> keep(Path file, long step, boolean regularAt,
            java.util.function.Function<String, String> stepOf, String header) throws IOException {
        java.util.List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        int last = all.size() - 1;
        while (last >= 0 && all.get(last).isBlank()) {
            last--;
        }
        java.util.List<String> kept = new java.util.ArrayList<>();
        boolean atStep = false; // a row at step itself was kept
        for (int i = 0; i <= last; i++) {
            String line = all.get(i);
            if (line.isBlank()) {
                continue;
            }
            if (header != null && line.startsWith(header)) {
                kept.add(line);
                continue;
            }
            long s;
            try {
                s = Long.parseLong(stepOf.apply(line));
            } catch (RuntimeException e) { // NumberFormatException, or no ',' / ':' to cut at
                if (i == last) {
                    break; // the torn last line of a crashed run: it is logged again
                }
                throw new io.rkflow.models.io.BadFileException(file + ", line " + (i + 1) + ": not a metrics row (" + abbreviate(line)
                        + "); the run's metrics are damaged, so it cannot be resumed safely");
            }
            if (s < step || s == step && regularAt && !atStep) {
                kept.add(line);
                atStep |= s == step;
            }
        }
        return kept;
    }

    private static String abbreviate(String line) {
        return line.length() > 60 ? "'" + line.substring(0, 60) + "...'" : "'" + line + "'";
    }

    private static java.nio.ByteBuffer lines(java.util.List<String> rows) {
        StringBuilder b = new StringBuilder();
        for (String r : rows) {
            b.append(r).append('\n');
        }
        return java.nio.ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Removes what interrupted atomic writes leave in a run folder: {@code .<name>*.tmp} files of
     * the checkpoint, the metrics, the TensorBoard events or the weights
     * ({@link io.rkflow.models.io.AtomicFile}).
     */
    public static void removeTemporaryFiles(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (var files = Files.newDirectoryStream(folder, ".*.tmp")) {
            for (Path f : files) {
                if (Files.isRegularFile(f)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private Metrics(Path csvFile, Path jsonFile, TensorBoardEvents events) throws IOException {
        this.csvFile = csvFile;
        this.jsonFile = jsonFile;
        csv = Files.newBufferedWriter(csvFile, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        jsonl = Files.newBufferedWriter(jsonFile, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        this.events = events;
    }

    /**
     * Opens the metrics files in {@code folder}; existing files are an error unless {@code force}.
     * With {@code force} the earlier run's TensorBoard event files are removed (TensorBoard would
     * show them mixed with the new run's), and the metrics files are overwritten.
     */
    public Metrics(Path folder, boolean force) throws IOException {
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            throw new IllegalArgumentException("--out " + folder + " is a file, not a folder; name a folder for the run");
        }
        Files.createDirectories(folder);
        csvFile = folder.resolve("metrics.csv");
        jsonFile = folder.resolve("metrics.jsonl");
        java.util.List<Path> earlier = new java.util.ArrayList<>(java.util.List.of(csvFile, jsonFile,
                folder.resolve(Checkpoint.FILE)));
        earlier.addAll(TensorBoardEvents.files(folder));
        for (Path p : earlier) {
            if (Files.exists(p) && !force) {
                throw new io.rkflow.models.io.BadFileException(p + " exists (an earlier run's); choose another --out, continue it with --resume "
                        + folder + ", or pass --force to overwrite it");
            }
        }
        StandardOpenOption[] options = {StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE};
        csv = Files.newBufferedWriter(csvFile, StandardCharsets.UTF_8, options);
        jsonl = Files.newBufferedWriter(jsonFile, StandardCharsets.UTF_8, options);
        try {
            events = TensorBoardEvents.create(folder); // and the earlier run's event files go
        } catch (IOException | RuntimeException e) {
            try (csv; jsonl) {
                throw e;
            }
        }
        try {
            csv.write(HEADER);
            csv.newLine();
            csv.flush();
        } catch (IOException e) {
            try (csv; jsonl; TensorBoardEvents ignored = events) {
                throw new IOException(csvFile + ": could not write its header (" + e.getMessage() + ")", e);
            }
        }
    }

    public void write(Row row) throws IOException {
        try {
            csv.write(row.csv());
            csv.newLine();
            csv.flush();
        } catch (IOException e) { // "No space left on device" says nothing of where
            throw new IOException(csvFile + ": could not write the metrics row of step " + row.step() + " ("
                    + e.getMessage() + ")", e);
        }
        try {
            jsonl.write(row.json());
            jsonl.newLine();
            jsonl.flush();
        } catch (IOException e) {
            throw new IOException(jsonFile + ": could not write the metrics row of step " + row.step() + " ("
                    + e.getMessage() + ")", e);
        }
        try {
            events.write(row.step(), TensorBoardEvents.wallTime(Instant.now()), row.scalars());
        } catch (IOException e) {
            throw new IOException(events.file() + ": could not write the events of step " + row.step() + " ("
                    + e.getMessage() + ")", e);
        }
    }

    /** The run's TensorBoard event file. */
    public Path eventsFile() {
        return events.file();
    }

    @Override
    public void close() throws IOException {
        try (csv; jsonl; events) {
            // closes all three, the first failure reported
        }
    }
}
