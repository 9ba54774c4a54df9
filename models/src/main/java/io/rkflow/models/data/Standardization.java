package io.rkflow.models.data;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The input standardization of a run, fitted on its training set and applied alike to every set
 * it is trained, evaluated or used on: x = (v − mean) / std, with one mean and standard deviation
 * over all the training set's values ({@link Mode#GLOBAL}), one per feature ({@link Mode#PER_FEATURE};
 * a feature that is constant in the training set gets std 1), or none ({@link Mode#NONE}). Standard
 * deviations are the population's (divided by the count, as {@link Dataset#std()} and
 * scikit-learn's StandardScaler), means and deviations accumulate in double and are kept as floats.
 *
 * <p>Computed exactly as {@code (float) ((v − mean) · (1.0 / std))}: the difference in float, the
 * reciprocal and the product in double; NumPy reproduces it bit for bit with
 * {@code ((v.astype(np.float32) - np.float32(mean)) * (1.0 / np.float64(np.float32(std)))).astype(np.float32)}.
 *
 * @param mode how it was fitted
 * @param mean one value (global), one per feature, or none
 * @param std  as {@code mean}, each finite and &gt; 0
 */
public record Standardization(Mode mode, float[] mean, float[] std) {

    /** How the statistics are taken. */
    public enum Mode {
        GLOBAL("global"), PER_FEATURE("per-feature"), NONE("none");

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        /** The name the command line and the records use. */
        public String label() {
            return label;
        }

        /** {@code global}, {@code per-feature} or {@code none}. */
        public static Mode parse(String s) {
            for (Mode m : values()) {
                if (m.label.equals(s)) return m;
            }
            throw new IllegalArgumentException("--standardize " + s + ": expected global, per-feature or none");
        }
    }

    public Standardization {
        int expected = mode == Mode.NONE ? 0 : mode == Mode.GLOBAL ? 1 : mean.length;
        if (mean.length != expected || std.length != expected || mode == Mode.PER_FEATURE && expected == 0) {
            throw new IllegalArgumentException(mode.label() + " standardization with " + mean.length + " means and "
                    + std.length + " standard deviations");
        }
        for (int j = 0; j < expected; j++) {
            if (!Float.isFinite(mean[j]) || !(std[j] > 0) || !Float.isFinite(std[j])) {
                throw new IllegalArgumentException("cannot standardize with mean " + mean[j] + " and std " + std[j]
                        + (expected > 1 ? " (feature " + j + ")" : "") + "; expected a finite mean and a finite std > 0");
            }
        }
    }

    /** The statistics of {@code train} for {@code mode}. */
    public static Standardization fit(Mode mode, Dataset train) {
        return switch (mode) {
            case NONE -> new Standardization(mode, new float[0], new float[0]);
            case GLOBAL -> {
                float std = train.std();
                if (!(std > 0)) {
                    throw new IllegalArgumentException("cannot standardize " + train.name() + " globally: all its "
                            + train.x().length + " values are " + train.mean() + " (std 0); use --standardize none");
                }
                yield new Standardization(mode, new float[] {train.mean()}, new float[] {std});
            }
            case PER_FEATURE -> perFeature(train);
        };
    }

    private static Standardization perFeature(Dataset train) {
        int f = train.features();
        int rows = train.rows();
        float[] x = train.x();
        double[] sum = new double[f];
        for (int r = 0; r < rows; r++) {
            for (int j = 0, at = r * f; j < f; j++) sum[j] += x[at + j];
        }
        double[] m = new double[f];
        for (int j = 0; j < f; j++) m[j] = rows == 0 ? 0 : sum[j] / rows;
        double[] squares = new double[f];
        for (int r = 0; r < rows; r++) {
            for (int j = 0, at = r * f; j < f; j++) {
                double d = x[at + j] - m[j];
                squares[j] += d * d;
            }
        }
        float[] mean = new float[f];
        float[] std = new float[f];
        for (int j = 0; j < f; j++) {
            mean[j] = (float) m[j];
            float s = rows == 0 ? 0f : (float) Math.sqrt(squares[j] / rows);
            std[j] = s > 0 ? s : 1f; // a constant feature is only centred
        }
        return new Standardization(Mode.PER_FEATURE, mean, std);
    }

    /** Overwrites {@code d}'s values with their standardized values and returns the data set that holds them. */
    public Dataset applyInPlace(Dataset d) {
        apply(d.x(), d.features(), d.name());
        return new Dataset(d.name(), d.x(), d.labels(), d.rows(), d.features(), d.classes());
    }

    /** Overwrites {@code t}'s values with their standardized values and returns the table that holds them. */
    public Table applyInPlace(Table t) {
        apply(t.x(), t.features(), t.name());
        return t;
    }

    private void apply(float[] x, int features, String name) {
        if (mode == Mode.PER_FEATURE && mean.length != features) {
            throw new IllegalArgumentException(name + " has " + features + " features, but the standardization was"
                    + " fitted on " + mean.length);
        }
        if (mode != Mode.NONE) {
            standardize(x, x, features, mean, std);
        }
    }

    /**
     * {@code z = (x − mean) / std} row by row, with {@code mean} and {@code std} of one value for all
     * or of one per feature; {@code z} may be {@code x}.
     */
    static void standardize(float[] x, float[] z, int features, float[] mean, float[] std) {
        if (mean.length == 1) {
            float m = mean[0];
            double inv = 1.0 / std[0];
            for (int i = 0; i < x.length; i++) z[i] = (float) ((x[i] - m) * inv);
            return;
        }
        double[] inv = new double[features];
        for (int j = 0; j < features; j++) inv[j] = 1.0 / std[j];
        for (int at = 0; at < x.length; at += features) {
            for (int j = 0; j < features; j++) z[at + j] = (float) ((x[at + j] - mean[j]) * inv[j]);
        }
    }

    /**
     * The formula, for records and metadata, of the input {@code value} ("feature", or "pixel / 255"
     * where the reader scaled it): {@code x = (feature - input_mean) / input_std}, with {@code [j]}
     * per feature.
     */
    public String formula(String value) {
        return switch (mode) {
            case NONE -> "x = " + value;
            case GLOBAL -> "x = (" + value + " - input_mean) / input_std";
            case PER_FEATURE -> "x[j] = (" + value.replaceFirst("^(\\w+)", "$1[j]")
                    + " - input_mean[j]) / input_std[j]";
        };
    }

    /**
     * The metadata keys of exported weights, in a fixed order: {@code input_standardize} (the mode),
     * then {@code input_mean} and {@code input_std}: a decimal (global), a JSON array of one decimal
     * per feature (per-feature), absent (none). Decimals are the shortest that read back as the same
     * float ({@link Float#toString}).
     */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("input_standardize", mode.label());
        if (mode != Mode.NONE) {
            m.put("input_mean", text(mean));
            m.put("input_std", text(std));
        }
        return m;
    }

    private String text(float[] v) {
        if (mode == Mode.GLOBAL) return Float.toString(v[0]);
        StringBuilder s = new StringBuilder("[");
        for (int j = 0; j < v.length; j++) s.append(j == 0 ? "" : ",").append(Float.toString(v[j]));
        return s.append(']').toString();
    }

    @Override
    public String toString() {
        return switch (mode) {
            case NONE -> "none";
            case GLOBAL -> String.format(Locale.ROOT, "global (mean %s, std %s)", mean[0], std[0]);
            case PER_FEATURE -> "per-feature (" + mean.length + " means and standard deviations)";
        };
    }
}
