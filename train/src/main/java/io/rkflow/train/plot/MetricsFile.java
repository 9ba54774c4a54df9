package io.rkflow.train.plot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's {@code metrics.csv} read back as columns of doubles by header name; empty cells are
 * NaN. Any header works; the trainer writes
 * {@code step,epoch,loss,test_accuracy,test_loss,h,gradient_evaluations,accepted,rejected,ms_per_step,samples_per_second}.
 */
public final class MetricsFile {

    /** The file name inside a run folder. */
    public static final String FILE = "metrics.csv";

    private final Path file;
    private final String runName;
    private final Map<String, double[]> columns;
    private final int rows;

    private MetricsFile(Path file, String runName, Map<String, double[]> columns, int rows) {
        this.file = file;
        this.runName = runName;
        this.columns = columns;
        this.rows = rows;
    }

    /**
     * Reads a run folder's {@code metrics.csv}, or the given CSV file.
     *
     * @throws IllegalArgumentException when the file is missing, has no header, or a row is malformed
     *     (the message names the file and line)
     * @throws IOException when it cannot be read
     */
    public static MetricsFile read(Path csvOrFolder) throws IOException {
        if (csvOrFolder == null) {
            throw new IllegalArgumentException("no metrics file given");
        }
        Path file = Files.isDirectory(csvOrFolder) ? csvOrFolder.resolve(FILE) : csvOrFolder;
        if (!Files.exists(csvOrFolder)) {
            throw new IllegalArgumentException(csvOrFolder + " does not exist (expected a run folder or a " + FILE
                    + " file)");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(csvOrFolder + " has no " + FILE + " (is it a run folder?)");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw new IllegalArgumentException(file + " is empty (expected a CSV header on line 1)");
        }
        String headerLine = lines.get(0);
        if (headerLine.startsWith("\uFEFF")) {
            headerLine = headerLine.substring(1);
        }
        String[] header = headerLine.split(",", -1);
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int c = 0; c < header.length; c++) {
            String name = header[c].strip();
            if (name.isEmpty()) {
                throw new IllegalArgumentException(file + ":1: column " + (c + 1) + " of the header has no name");
            }
            if (index.put(name, c) != null) {
                throw new IllegalArgumentException(file + ":1: column '" + name + "' appears twice in the header");
            }
        }
        List<double[]> data = new ArrayList<>();
        for (int l = 1; l < lines.size(); l++) {
            String line = lines.get(l);
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            if (cells.length != header.length) {
                throw new IllegalArgumentException(file + ":" + (l + 1) + ": " + cells.length + " fields, but the header"
                        + " has " + header.length);
            }
            double[] row = new double[cells.length];
            for (int c = 0; c < cells.length; c++) {
                String cell = cells[c].strip();
                if (cell.isEmpty()) {
                    row[c] = Double.NaN;
                    continue;
                }
                try {
                    row[c] = parse(cell);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + ":" + (l + 1) + ": column '" + header[c].strip()
                            + "' has '" + cell + "', not a number");
                }
            }
            data.add(row);
        }
        Map<String, double[]> columns = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : index.entrySet()) {
            double[] col = new double[data.size()];
            for (int r = 0; r < col.length; r++) {
                col[r] = data.get(r)[e.getValue()];
            }
            columns.put(e.getKey(), col);
        }
        return new MetricsFile(file, runName(csvOrFolder, file), Collections.unmodifiableMap(columns), data.size());
    }

    /** A decimal number, NaN or ±Infinity (also nan, inf); no hex, no Java suffixes like 1d. */
    private static double parse(String cell) {
        switch (cell.toLowerCase(java.util.Locale.ROOT)) {
            case "nan", "+nan", "-nan" -> {
                return Double.NaN;
            }
            case "inf", "+inf", "infinity", "+infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> {
                char last = cell.charAt(cell.length() - 1);
                if (!(Character.isDigit(last) || last == '.') || cell.contains("x") || cell.contains("X")) {
                    throw new NumberFormatException(cell);
                }
                return Double.parseDouble(cell);
            }
        }
    }

    /** The run folder's name; for a CSV not named metrics.csv, its name without ".csv". */
    private static String runName(Path given, Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path name = abs.getFileName();
        if (name != null && name.toString().equals(FILE) && abs.getParent() != null
                && abs.getParent().getFileName() != null) {
            return abs.getParent().getFileName().toString();
        }
        String n = name == null ? given.toString() : name.toString();
        return n.endsWith(".csv") ? n.substring(0, n.length() - 4) : n;
    }

    /** The CSV file read. */
    public Path file() {
        return file;
    }

    /** The run's name: its folder's name (see {@link #read}). */
    public String runName() {
        return runName;
    }

    /** The number of data rows. */
    public int rows() {
        return rows;
    }

    /** The column names in header order. */
    public List<String> columns() {
        return List.copyOf(columns.keySet());
    }

    /** Whether the header has the column. */
    public boolean has(String column) {
        return columns.containsKey(column);
    }

    /**
     * A copy of the column's values, NaN for empty cells.
     *
     * @throws IllegalArgumentException naming the file and its columns when there is no such column
     */
    public double[] column(String name) {
        double[] c = columns.get(name);
        if (c == null) {
            throw new IllegalArgumentException(file + " has no column '" + name + "' (its columns: "
                    + String.join(", ", columns.keySet()) + ")");
        }
        return c.clone();
    }

    /**
     * The rows where both columns hold a finite number, as {x values, y values} in file order; rows
     * with an empty, NaN or infinite cell in either are skipped (evaluation columns are empty
     * between evaluations; a step-0 row of the initial weights has no training loss).
     *
     * @throws IllegalArgumentException naming the file and its columns when a column is missing
     */
    public double[][] points(String x, String y) {
        double[] xs = column(x);
        double[] ys = column(y);
        int n = 0;
        for (int i = 0; i < rows; i++) {
            n += Double.isFinite(xs[i]) && Double.isFinite(ys[i]) ? 1 : 0;
        }
        double[][] out = new double[2][n];
        for (int i = 0, k = 0; i < rows; i++) {
            if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                out[0][k] = xs[i];
                out[1][k++] = ys[i];
            }
        }
        return out;
    }
}
