package io.rkflow.train.cli;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.models.data.Csv;
import io.rkflow.models.data.DataFolder;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.data.Idx;
import io.rkflow.models.data.Npy;
import io.rkflow.models.data.Table;
import io.rkflow.models.io.AtomicFile;
import io.rkflow.models.io.BadFileException;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.train.Checkpoint;
import io.rkflow.train.Predictor;
import io.rkflow.train.RunRecord;
import io.rkflow.train.Trainer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Predict the class of each row of FILE with the model in a run's checkpoint, its inputs"
            + " standardized as the run's were, and write them as CSV with the columns row (from 0), class (the"
            + " predicted one) and p0 ... pK-1 (the softmax probability of each class).",
            "FILE is a CSV file (features only, or a label column as well: told by the number of fields), an .npy file"
                + " of features, or an IDX image file; with labels (a CSV label column, --labels for .npy and IDX)"
                + " it also prints the accuracy."})
final class PredictCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run folder holding " + Checkpoint.FILE + " and "
            + RunRecord.FILE + ".")
    Path run;

    @Parameters(index = "1", paramLabel = "FILE", description = "The rows to predict: a CSV file (optionally gzipped), a NumPy file or an IDX image file.")
    Path file;

    @Option(names = "--out", paramLabel = "CSV", description = "Where the predictions go (default: RUN_DIR/predictions-<FILE's name>.csv; an earlier file there is replaced).")
    Path out;

    @Option(names = "--labels", paramLabel = "FILE", description = "The labels of an .npy or IDX FILE (.npy of shape (N) or an IDX label file), to print the accuracy.")
    Path labels;

    @Mixin
    CsvOptions csv;

    @Option(names = "--device", defaultValue = "jvm", description = "Device id (default: ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() throws Exception {
        Checkpoint cp = Checkpoint.read(run.resolve(Checkpoint.FILE));
        ModelSpec spec = ModelSpec.parse(cp.model());
        RecordedData recorded = RecordedData.read(run);
        if (recorded == null) {
            throw new BadFileException(run + ": no " + RunRecord.FILE + ", which records how the run standardized its"
                    + " inputs; predict applies the same, so it needs the record");
        }
        DataFolder.Format format = format(file);
        if (format != DataFolder.Format.CSV && csv.given()) {
            throw new IllegalArgumentException("--label-column and --header are for a CSV file; " + file + " is "
                    + format);
        }
        if (format == DataFolder.Format.CSV && labels != null) {
            throw new IllegalArgumentException("--labels is for an .npy or IDX file; a CSV file " + file + " has its"
                    + " labels in a column");
        }
        Table rows = read(format, spec, recorded);
        Trainer.checkFits(spec, file.toString(), rows.features(), rows.classes());
        if (recorded.format() == DataFolder.Format.IDX && format != DataFolder.Format.IDX) {
            float max = 0;
            for (float v : rows.x()) max = Math.max(max, Math.abs(v));
            if (max > 1) {
                System.err.printf(Locale.ROOT, "rkflow predict: note: %s has values up to %s, but the run was trained"
                        + " on IDX pixels read as pixel / 255, in [0, 1]; give the inputs on that scale%n", file, max);
            }
        }
        recorded.standardization().applyInPlace(rows);
        Path target = out != null ? out : run.resolve("predictions-" + stem(file) + ".csv");
        int outputs = spec.outputs();
        float[] logits;
        try (Device dev = Devices.open(device)) {
            logits = Predictor.logits(dev, spec, cp.theta(), rows.x(), rows.rows());
        }
        int[] predicted = Predictor.classes(logits, outputs);
        StringBuilder text = new StringBuilder("row,class");
        for (int j = 0; j < outputs; j++) text.append(",p").append(j);
        text.append('\n');
        for (int r = 0; r < rows.rows(); r++) {
            text.append(r).append(',').append(predicted[r]);
            for (double p : Predictor.probabilities(logits, r, outputs)) text.append(',').append((float) p);
            text.append('\n');
        }
        AtomicFile.write(target, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII)));
        System.out.printf(Locale.ROOT, "predicted %d rows of %s with %s (step %d of %s): %s%n", rows.rows(), file,
                cp.model(), cp.step(), run, target);
        if (rows.labelled()) {
            long right = 0;
            for (int r = 0; r < rows.rows(); r++) right += predicted[r] == rows.labels()[r] ? 1 : 0;
            System.out.printf(Locale.ROOT, "accuracy %.2f%% (%d of %d labelled rows)%n",
                    100.0 * right / Math.max(1, rows.rows()), right, rows.rows());
        }
        return 0;
    }

    /** The rows of {@link #file} as the run's reader gives them, before standardization. */
    private Table read(DataFolder.Format format, ModelSpec spec, RecordedData recorded) throws IOException {
        Table.ClassLimit classes = new Table.ClassLimit(spec.outputs(), "the model " + spec + " has " + spec.outputs()
                + " outputs");
        return switch (format) {
            case CSV -> Csv.read(file, csv.options(recorded.format() == DataFolder.Format.CSV ? recorded : null, spec)
                    .with(Csv.Labels.DETECT, spec.inputs()));
            case NPY -> labels != null ? Npy.read(file, labels, classes) : Npy.features(file);
            case IDX -> {
                if (labels == null) {
                    yield Idx.images(file);
                }
                Dataset d = Dataset.fromIdx(file.toString(), file, labels);
                yield new Table(d.name(), d.x(), d.rows(), d.features(), d.labels());
            }
        };
    }

    /** The file's format by its first bytes (after gzip's): NumPy's magic, IDX's images magic, else CSV. */
    static DataFolder.Format format(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new BadFileException(file + " is a folder, not a file");
        }
        if (!Files.isRegularFile(file)) {
            throw new BadFileException(file + ": no such file");
        }
        byte[] head;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            try (InputStream in = gzip ? new GZIPInputStream(raw) : raw) {
                head = in.readNBytes(6);
            } catch (IOException e) {
                head = new byte[0]; // the CSV reader says what is wrong with the stream
            }
        }
        if (head.length == 6 && head[0] == (byte) 0x93 && new String(head, 1, 5, StandardCharsets.US_ASCII)
                .equals("NUMPY")) {
            return DataFolder.Format.NPY;
        }
        if (head.length >= 4 && head[0] == 0 && head[1] == 0 && head[2] == Idx.TYPE_UNSIGNED_BYTE && head[3] == 3) {
            return DataFolder.Format.IDX;
        }
        return DataFolder.Format.CSV;
    }

    /** The file's name without .gz and its extension. */
    private static String stem(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".gz")) name = name.substring(0, name.length() - 3);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
