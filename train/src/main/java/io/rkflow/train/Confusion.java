package io.rkflow.train;

import java.util.Locale;

/**
 * A confusion matrix: {@code counts[t][p]} rows of true class t predicted as p, over
 * {@code classes} classes (the model's outputs); the diagonal is what accuracy counts.
 */
public record Confusion(long[][] counts) {

    /** The matrix of {@code labels} against {@code predicted}, both in [0, classes). */
    public static Confusion of(int classes, int[] labels, int[] predicted) {
        if (labels.length != predicted.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + predicted.length + " predictions");
        }
        long[][] c = new long[classes][classes];
        for (int i = 0; i < labels.length; i++) c[labels[i]][predicted[i]]++;
        return new Confusion(c);
    }

    public int classes() {
        return counts.length;
    }

    /** The rows of true class {@code t}. */
    public long rows(int t) {
        long n = 0;
        for (long v : counts[t]) n += v;
        return n;
    }

    /** All rows. */
    public long total() {
        long n = 0;
        for (int t = 0; t < counts.length; t++) n += rows(t);
        return n;
    }

    /** The rows predicted right. */
    public long correct() {
        long n = 0;
        for (int t = 0; t < counts.length; t++) n += counts[t][t];
        return n;
    }

    /** The fraction of class {@code t}'s rows predicted right (its recall); NaN for a class without rows. */
    public double accuracy(int t) {
        long n = rows(t);
        return n == 0 ? Double.NaN : (double) counts[t][t] / n;
    }

    /**
     * The per-class accuracy table and the matrix, as text: one line per true class (its rows, the
     * right ones and their share), then the matrix with true classes down and predicted across.
     */
    public String table() {
        int k = counts.length;
        long max = 1;
        for (long[] row : counts) for (long v : row) max = Math.max(max, v);
        int w = Math.max(Math.max(5, String.valueOf(max).length() + 1), String.valueOf(k - 1).length() + 1);
        StringBuilder s = new StringBuilder("per-class accuracy (true class: rows, predicted right):\n");
        for (int t = 0; t < k; t++) {
            double a = accuracy(t);
            s.append(String.format(Locale.ROOT, "  class %" + String.valueOf(k - 1).length() + "d: %8d rows, %8d right, %s%n",
                    t, rows(t), counts[t][t], Double.isNaN(a) ? "     -" : String.format(Locale.ROOT, "%6.2f%%", 100 * a)));
        }
        s.append("confusion matrix (rows: true class, columns: predicted class):\n");
        s.append(String.format(Locale.ROOT, "%" + (w + 6) + "s", "true\\pred"));
        for (int p = 0; p < k; p++) s.append(String.format(Locale.ROOT, "%" + w + "d", p));
        s.append('\n');
        for (int t = 0; t < k; t++) {
            s.append(String.format(Locale.ROOT, "%" + (w + 6) + "d", t));
            for (int p = 0; p < k; p++) s.append(String.format(Locale.ROOT, "%" + w + "d", counts[t][p]));
            s.append('\n');
        }
        return s.toString();
    }
}
