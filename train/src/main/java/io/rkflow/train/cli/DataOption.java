package io.rkflow.train.cli;

import io.rkflow.models.data.Dataset;
import io.rkflow.models.data.FashionMnist;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --data} option and loading of the standardized train and test sets. */
public final class DataOption {

    @Option(names = "--data", description = "Folder with the four IDX files (default: $RKFLOW_DATA, then the dataset-fashion-mnist package, then the user cache).")
    Path data;

    /** The --data folder as given, or null for the usual search. */
    public Path given() {
        return data;
    }

    /**
     * {train, test}, both standardized with the training set's pixel mean and standard deviation.
     * A {@code --data} folder's sets are named after the folder (so an MNIST folder reads as such);
     * found Fashion-MNIST is checked for its 60,000 + 10,000 images of 28 × 28.
     */
    Dataset[] load(PrintStream log) throws IOException {
        if (shared) {
            synchronized (CACHE) {
                Loaded l = CACHE.get(String.valueOf(data));
                if (l == null) {
                    Dataset[] sets = loadNow(log);
                    l = new Loaded(sets, folder, identity, mean, std);
                    CACHE.put(String.valueOf(data), l);
                }
                folder = l.folder();
                identity = l.identity();
                mean = l.mean();
                std = l.std();
                return l.sets().clone();
            }
        }
        return loadNow(log);
    }

    /** With {@link #shared}: one load per --data value in this JVM (a sweep's points share the data). */
    private static final java.util.Map<String, Loaded> CACHE = new java.util.HashMap<>();

    private record Loaded(Dataset[] sets, Path folder, String identity, float mean, float std) {}

    /** Whether {@link #load} shares the sets with other loads of the same --data (read-only sets). */
    boolean shared;

    private Dataset[] loadNow(PrintStream log) throws IOException {
        folder = FashionMnist.locate(data, System.getenv(), log);
        Dataset[] sets = data == null ? FashionMnist.load(folder)
                : FashionMnist.loadIdxFolder(folder, folder.toAbsolutePath().normalize().getFileName().toString());
        identity = "train " + sets[0].fingerprint() + "; test " + sets[1].fingerprint();
        mean = sets[0].mean();
        std = sets[0].std();
        return new Dataset[] {sets[0].standardizedInPlace(mean, std), sets[1].standardizedInPlace(mean, std)};
    }

    /** The folder {@link #load} read, or null before it. */
    Path folder;

    /** What identifies the loaded data (the sets' {@link Dataset#fingerprint()}s, before standardizing). */
    String identity;

    /** The standardization of the loaded data: the training set's pixel mean and standard deviation. */
    float mean;
    float std;
}
