package io.rkflow.models.data;

import io.rkflow.models.io.BadFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A folder of training and test data, in one of three layouts told by its file names:
 * <ul>
 *   <li>IDX: the four MNIST-style files {@link FashionMnist#FILES} (read by {@link FashionMnist});
 *   <li>CSV: {@code train.csv} and {@code test.csv} (each may be gzipped as {@code .csv.gz}),
 *       read by {@link Csv};
 *   <li>NPY: {@code train_x.npy}, {@code train_y.npy}, {@code test_x.npy} and {@code test_y.npy},
 *       read by {@link Npy}.
 * </ul>
 * A folder holds one layout: files of two are an error, so that it is never a guess which is read.
 * The training and test sets of a CSV or NPY folder have as many classes as the larger label of
 * either needs.
 */
public final class DataFolder {

    /** The layouts. */
    public enum Format {
        IDX, CSV, NPY;

        /** {@code idx}, {@code csv} or {@code npy}, as the run records it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The files of a CSV folder (each also as {@code .gz}). */
    public static final List<String> CSV_FILES = List.of("train.csv", "test.csv");
    /** The files of an NPY folder: features and labels of the training and the test set. */
    public static final List<String> NPY_FILES = List.of("train_x.npy", "train_y.npy", "test_x.npy", "test_y.npy");

    private DataFolder() {}

    /**
     * The layout of {@code folder}: the one whose files it holds (even some of them, so that a
     * missing one is named by the reader of that layout); IDX when it holds none or is not a folder,
     * for the IDX reader to say what is missing.
     *
     * @throws BadFileException if it holds files of more than one layout
     */
    public static Format format(Path folder) throws BadFileException {
        List<String> found = new ArrayList<>();
        Format format = Format.IDX;
        for (Format f : Format.values()) {
            List<String> present = present(folder, f);
            if (!present.isEmpty()) {
                found.add(f + " (" + String.join(", ", present) + ")");
                format = f;
            }
        }
        if (found.size() > 1) {
            throw new BadFileException(folder + " holds data files of more than one format: " + String.join("; ", found)
                    + "; keep the files of one format in a data folder");
        }
        return format;
    }

    /** Whether {@code folder} holds no file of any layout. */
    public static boolean empty(Path folder) {
        for (Format f : Format.values()) {
            if (!present(folder, f).isEmpty()) return false;
        }
        return true;
    }

    /** What a data folder holds, for the message of one that holds none of it. */
    public static String layouts() {
        return "the four IDX files " + String.join(", ", FashionMnist.FILES) + " (each optionally .gz), or "
                + String.join(" and ", CSV_FILES) + " (optionally .gz), or " + String.join(", ", NPY_FILES);
    }

    private static List<String> present(Path folder, Format format) {
        List<String> names = switch (format) {
            case IDX -> FashionMnist.FILES;
            case CSV -> CSV_FILES;
            case NPY -> NPY_FILES;
        };
        List<String> present = new ArrayList<>();
        for (String name : names) {
            for (String file : format == Format.NPY ? List.of(name) : List.of(name, name + ".gz")) {
                if (Files.exists(folder.resolve(file))) present.add(file);
            }
        }
        return present;
    }

    /**
     * {train, test} of a CSV or NPY folder, with labels below {@code csv.classes()} and as many
     * classes as the larger label of the two needs.
     *
     * @throws BadFileException if a file is missing or malformed, or the two sets have other features
     */
    public static Dataset[] load(Path folder, Format format, Csv.Options csv) throws IOException {
        Table train;
        Table test;
        switch (format) {
            case CSV -> {
                train = Csv.read(file(folder, "train.csv", true), csv);
                test = Csv.read(file(folder, "test.csv", true), csv);
            }
            case NPY -> {
                Path[] f = new Path[NPY_FILES.size()];
                for (int i = 0; i < f.length; i++) f[i] = file(folder, NPY_FILES.get(i), false);
                train = Npy.read(f[0], f[1], csv.classes());
                test = Npy.read(f[2], f[3], csv.classes());
            }
            default -> throw new IllegalArgumentException(format + " is read by FashionMnist.loadIdxFolder");
        }
        if (train.features() != test.features()) {
            throw new BadFileException("the training and test sets differ in their features: " + train.name() + " has "
                    + train.features() + " per row, " + test.name() + " has " + test.features());
        }
        int classes = Math.max(train.classes(), test.classes());
        return new Dataset[] {train.dataset(classes), test.dataset(classes)};
    }

    /** {@code name} (or {@code name.gz} where allowed) in {@code folder}, or an error naming both. */
    private static Path file(Path folder, String name, boolean gz) throws BadFileException {
        Path plain = folder.resolve(name);
        if (gz && !Files.exists(plain) && Files.exists(folder.resolve(name + ".gz"))) {
            return folder.resolve(name + ".gz");
        }
        if (!Files.exists(plain)) {
            String layout = gz ? String.join(" and ", CSV_FILES) + " (optionally .gz)" : String.join(", ", NPY_FILES);
            throw new BadFileException(folder + ": missing " + name + (gz ? "(.gz)" : "") + "; a data folder of this"
                    + " format holds " + layout);
        }
        return plain;
    }
}
