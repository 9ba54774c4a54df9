package io.rkflow.train.cli;

import io.rkflow.models.data.Csv;
import io.rkflow.models.data.DataFolder;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.data.FashionMnist;
import io.rkflow.models.data.Standardization;
import io.rkflow.models.io.BadFileException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The {@code --data} option and loading of the standardized train and test sets: a folder of IDX,
 * CSV or NPY data ({@link DataFolder}), else Fashion-MNIST where it is installed or cached. Before
 * {@link #load}, a command may set how CSV is read ({@link #csv}), the standardization to fit
 * ({@link #mode}) or the one to apply ({@link #fixed}), and the run whose data folder to take when
 * no --data is given ({@link #recorded}).
 */
public final class DataOption {

    @Option(names = "--data", paramLabel = "DIR", description = "Data folder: the four MNIST-style IDX files, or train.csv and test.csv, or train_x.npy, train_y.npy, test_x.npy and test_y.npy (default: a resumed or evaluated run's own folder; else $RKFLOW_DATA, then the dataset-fashion-mnist package, then the user cache).")
    Path data;

    /** The --data folder as given, or null for the usual search. */
    public Path given() {
        return data;
    }

    /** How CSV files are read. */
    Csv.Options csv = Csv.Options.DEFAULT;
    /** Whether the CSV options were given on the command line (they are refused for other formats). */
    boolean csvGiven;
    /** The standardization fitted on the training set, unless {@link #fixed} is set. */
    Standardization.Mode mode = Standardization.Mode.GLOBAL;
    /** The standardization applied as it is (a run's, for eval and predict), or null to fit {@link #mode}. */
    Standardization fixed;
    /** The data record of the run being resumed or evaluated: its folder is the default. */
    RecordedData recorded;

    /**
     * {train, test}, both standardized with the training set's statistics (or {@link #fixed}). A
     * {@code --data} folder's IDX sets are named after the folder (so an MNIST folder reads as such),
     * CSV and NPY sets after their files; found Fashion-MNIST is checked for its 60,000 + 10,000
     * images of 28 × 28.
     */
    Dataset[] load(PrintStream log) throws IOException {
        if (shared) {
            String key = data + "|" + csv + "|" + mode + "|" + (recorded == null ? null : recorded.folder());
            synchronized (CACHE) {
                Loaded l = CACHE.get(key);
                if (l == null) {
                    Dataset[] sets = loadNow(log);
                    l = new Loaded(sets, folder, format, identity, standardization);
                    CACHE.put(key, l);
                }
                folder = l.folder();
                format = l.format();
                identity = l.identity();
                standardization = l.standardization();
                return l.sets().clone();
            }
        }
        return loadNow(log);
    }

    /** With {@link #shared}: one load per --data value and reading in this JVM (a sweep's points share the data). */
    private static final Map<String, Loaded> CACHE = new java.util.HashMap<>();

    private record Loaded(Dataset[] sets, Path folder, DataFolder.Format format, String identity,
            Standardization standardization) {}

    /** Whether {@link #load} shares the sets with other loads of the same --data (read-only sets). */
    boolean shared;

    private Dataset[] loadNow(PrintStream log) throws IOException {
        Path chosen = data != null ? data : recordedFolder();
        Dataset[] sets;
        if (chosen == null) {
            folder = FashionMnist.locate(null, System.getenv(), log);
            format = DataFolder.Format.IDX;
            sets = FashionMnist.load(folder);
        } else {
            String option = data != null ? "--data " + data : "the run's data folder " + chosen + " (from its run.json)";
            if (Files.isDirectory(chosen) && DataFolder.empty(chosen)) {
                throw new BadFileException(option + ": no data files in it; expected " + DataFolder.layouts());
            }
            format = DataFolder.format(chosen);
            if (format == DataFolder.Format.IDX) {
                folder = FashionMnist.locate(chosen, System.getenv(), log);
                sets = FashionMnist.loadIdxFolder(folder, folder.toAbsolutePath().normalize().getFileName().toString());
            } else {
                folder = chosen;
                sets = DataFolder.load(chosen, format, csv);
            }
        }
        if (csvGiven && format != DataFolder.Format.CSV) {
            throw new IllegalArgumentException("--label-column and --header are for CSV data; " + folder + " holds "
                    + format + " data");
        }
        identity = "train " + sets[0].fingerprint() + "; test " + sets[1].fingerprint();
        standardization = fixed != null ? fixed : Standardization.fit(mode, sets[0]);
        return new Dataset[] {standardization.applyInPlace(sets[0]), standardization.applyInPlace(sets[1])};
    }

    /**
     * The recorded run's folder when there is one: always for CSV and NPY data (their folder is the
     * only place they are), for IDX data while the folder still exists (else the usual search, which
     * found it in the first place).
     */
    private Path recordedFolder() throws BadFileException {
        if (recorded == null) {
            return null;
        }
        if (recorded.format() == DataFolder.Format.IDX && !Files.isDirectory(recorded.folder())) {
            return null;
        }
        if (!Files.isDirectory(recorded.folder())) {
            throw new BadFileException("the run's data folder " + recorded.folder() + " (from its run.json) is gone;"
                    + " give the folder of its " + recorded.format() + " data with --data");
        }
        return recorded.folder();
    }

    /** The folder {@link #load} read, or null before it. */
    Path folder;

    /** The format of that folder. */
    DataFolder.Format format;

    /** What identifies the loaded data (the sets' {@link Dataset#fingerprint()}s, before standardizing). */
    String identity;

    /** The standardization of the loaded data. */
    Standardization standardization;

    /** The input as the reader gives it, in the formula of the standardization. */
    String input() {
        return format == DataFolder.Format.IDX ? "pixel / 255" : "feature";
    }

    /**
     * The run record's {@code data} entry of the loaded data: {@code folder}, {@code format},
     * {@code label_column} and {@code header} (CSV), {@code identity}, {@code features},
     * {@code classes}, {@code standardize}, {@code preprocessing} (the formula), {@code mean} and
     * {@code std} (numbers, arrays per feature, absent for none).
     */
    Map<String, Object> record(Dataset train) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("folder", folder.toAbsolutePath().normalize().toString());
        m.put("format", format.label());
        if (format == DataFolder.Format.CSV) {
            m.put("label_column", csv.labelColumn());
            m.put("header", csv.header().label());
        }
        m.put("identity", identity);
        m.put("features", train.features());
        m.put("classes", train.classes());
        m.put("standardize", standardization.mode().label());
        m.put("preprocessing", standardization.formula(input()));
        if (standardization.mode() == Standardization.Mode.GLOBAL) {
            m.put("mean", standardization.mean()[0]);
            m.put("std", standardization.std()[0]);
        } else if (standardization.mode() == Standardization.Mode.PER_FEATURE) {
            m.put("mean", standardization.mean());
            m.put("std", standardization.std());
        }
        return m;
    }

    /**
     * The exported weights' metadata of the input, in a fixed order: {@code input_format},
     * {@code input_features}, {@code input_preprocessing} (the formula), then
     * {@link Standardization#metadata()}.
     */
    Map<String, String> metadata(Dataset train) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("input_format", format.label());
        m.put("input_features", String.valueOf(train.features()));
        m.put("input_preprocessing", standardization.formula(input()));
        m.putAll(standardization.metadata());
        return m;
    }
}
