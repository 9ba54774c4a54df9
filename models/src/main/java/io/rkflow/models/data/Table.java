package io.rkflow.models.data;

/**
 * Rows of features as a reader found them in a file ({@link Csv}, {@link Npy}), with their labels
 * when the file has them: {@code x} holds {@code rows} rows of {@code features} floats, row major,
 * and {@code labels}, when not null, one class per row. A {@link Dataset} once the number of classes
 * is known ({@link #dataset}): the training and test files together decide it.
 *
 * @param name     what the rows are, for messages: the file(s) they came from
 * @param x        rows x features values, row major
 * @param rows     number of rows
 * @param features values per row
 * @param labels   one class in [0, 2^31 − 1) per row, or null for a file without labels
 */
public record Table(String name, float[] x, int rows, int features, int[] labels) {

    public Table {
        if ((long) rows * features != x.length || labels != null && labels.length != rows) {
            throw new IllegalArgumentException(name + ": " + x.length + " values and "
                    + (labels == null ? "no" : String.valueOf(labels.length)) + " labels for " + rows + " rows of "
                    + features + " features");
        }
    }

    /** Whether the rows have labels. */
    public boolean labelled() {
        return labels != null;
    }

    /** One more than the largest label (at least 1): the fewest classes these rows need. */
    public int classes() {
        int max = 0;
        if (labels != null) {
            for (int y : labels) max = Math.max(max, y);
        }
        return max + 1;
    }

    /** The rows as a data set of {@code classes} classes (at least {@link #classes()}). */
    public Dataset dataset(int classes) {
        if (labels == null) {
            throw new IllegalStateException(name + " has no labels");
        }
        return new Dataset(name, x, labels, rows, features, classes);
    }

    /**
     * The classes a reader accepts as labels, 0..{@code count} − 1, and why, for the message that
     * refuses a larger label: "the model 784-256-10:relu has 10 outputs".
     *
     * @param count the number of classes
     * @param why   where the limit comes from, or null
     */
    public record ClassLimit(int count, String why) {
        /** Any label a Java array index can be (the classes a data set holds are then its labels'). */
        public static final ClassLimit ANY = new ClassLimit(Integer.MAX_VALUE, null);

        public ClassLimit {
            if (count < 1) {
                throw new IllegalArgumentException("a class limit of " + count + "; expected at least 1");
            }
        }

        /** What a label outside the limit is told, without the location; {@code label} as the file has it. */
        String refuse(String label) {
            return "label " + label + " is out of range: expected a class 0.." + (count - 1)
                    + (why != null ? " (" + why + ")" : "");
        }
    }
}
