package io.rkflow.train.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rkflow.models.io.BadFileException;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.solvers.optim.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A grid of training runs: the cartesian product of its axes (optimizer × learning rate × model ×
 * batch × seed, in that order), like a grid search, with the settings every point shares. Each
 * point is one ordinary run folder named readably after the axes that place it.
 *
 * <p>A learning-rate axis sets each optimizer's step size ({@link Spec#withStepSize}: h, Adam's
 * lr, or DAL's cap c). A grid file is a JSON object of the same names, e.g.
 * <pre>{@code {"optimizer": ["rk4+h(0.1)", "adam(lr=1e-3)"], "batch": [32, 1024], "seeds": 3,
 *  "lr": [1e-3, 3e-3, 1e-2], "model": "784-128-10:relu", "epochs": 2, "validation": 5000}}</pre>
 *
 * <p>A grid is {@link java.io.Serializable}: it travels to the machines that run its points (Spark tasks).
 *
 * @param optimizers optimizer specs as the user wrote them (each parses)
 * @param lrs step sizes, empty for none (each optimizer keeps its own)
 * @param models MLP specs
 * @param batches batch sizes
 * @param seeds seeds
 * @param epochs epochs of every point
 * @param steps a --steps of every point, 0 for none
 * @param validation held-out rows of every point
 * @param logEvery the metrics rows' step interval
 * @param evalEvery the evaluations' step interval, 0 for epoch ends only
 * @param checkpointEvery steps between checkpoints
 */
public record Grid(List<String> optimizers, List<Double> lrs, List<String> models, List<Integer> batches,
        List<Long> seeds, int epochs, long steps, int validation, int logEvery, int evalEvery, int checkpointEvery)
        implements java.io.Serializable {

    /** The keys of a grid file. */
    public static final Set<String> KEYS = Set.of("optimizer", "lr", "model", "batch", "seeds", "seed", "epochs",
            "steps", "validation", "log_every", "eval_every", "checkpoint_every");

    public Grid {
        optimizers = List.copyOf(optimizers);
        lrs = List.copyOf(lrs);
        models = List.copyOf(models);
        batches = List.copyOf(batches);
        seeds = List.copyOf(seeds);
        nonEmpty("optimizer", optimizers);
        nonEmpty("model", models);
        nonEmpty("batch", batches);
        nonEmpty("seed", seeds);
        for (String o : optimizers) {
            Spec.parse(o); // names the bad one
        }
        for (String m : models) {
            ModelSpec.parse(m);
        }
        for (double lr : lrs) {
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("--lr " + fmt(lr) + " must be a positive number");
            }
        }
        for (int b : batches) {
            if (b < 1) {
                throw new IllegalArgumentException("--batch " + b + " must be at least 1");
            }
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs " + epochs + " must be at least 1");
        }
        if (validation < 0) {
            throw new IllegalArgumentException("--validation " + validation + " must not be negative");
        }
        if (!lrs.isEmpty()) {
            Set<String> labels = new java.util.HashSet<>();
            for (String o : optimizers) {
                if (!labels.add(withoutStepSize(o))) {
                    throw new IllegalArgumentException("--optimizer " + o + ": with an --lr axis it is the same"
                            + " optimizer as another one (they differ only in the step size the axis sets)");
                }
            }
        }
        if (lrs.size() > 1 && validation == 0) {
            throw new IllegalArgumentException("an --lr axis picks the best value by validation accuracy, never by"
                    + " test accuracy: give --validation ROWS (a held-out split of the training set)");
        }
    }

    private static void nonEmpty(String axis, List<?> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("the grid's " + axis + " axis has no values");
        }
        if (Set.copyOf(values).size() != values.size()) {
            throw new IllegalArgumentException("the grid's " + axis + " axis repeats a value: " + values);
        }
    }

    /** Seeds 1..n. */
    public static List<Long> seeds(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("--seeds " + n + " must be at least 1");
        }
        List<Long> s = new ArrayList<>();
        for (long i = 1; i <= n; i++) {
            s.add(i);
        }
        return s;
    }

    /** One run of the grid; serializable, so that a Spark task can be given its point. */
    public record Point(int index, String name, String optimizerLabel, String optimizer, Double lr, String model,
            int batch, long seed) implements java.io.Serializable {}

    /** The grid's points, in order, each with a folder name unique in the grid. */
    public List<Point> points() {
        List<Point> out = new ArrayList<>();
        Map<String, Integer> taken = new HashMap<>();
        List<Double> rates = lrs.isEmpty() ? java.util.Collections.singletonList(null) : lrs;
        for (String o : optimizers) {
            for (Double lr : rates) {
                Spec spec = Spec.parse(o);
                String canonical = (lr == null ? spec : spec.withStepSize(lr)).toString();
                for (String m : models) {
                    for (int b : batches) {
                        for (long s : seeds) {
                            String label = lr == null ? o : withoutStepSize(o);
                            StringBuilder name = new StringBuilder(slug(label));
                            if (lr != null) {
                                name.append("_lr").append(fmt(lr));
                            }
                            if (models.size() > 1) {
                                name.append("_m").append(slug(m));
                            }
                            name.append("_b").append(b).append("_s").append(s);
                            String n = name.toString();
                            int seen = taken.merge(n, 1, Integer::sum);
                            if (seen > 1) {
                                n = n + "-" + seen;
                            }
                            out.add(new Point(out.size(), n, label, canonical, lr, ModelSpec.parse(m).toString(), b, s));
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * A readable folder name for an optimizer or model spec: {@code rk4+adagrad+dal(p=2,c=0.5)} →
     * {@code rk4+adagrad+dal-p2-c0.5}, {@code h(0.1)} → {@code h0.1}; a tableau file contributes
     * its file name.
     */
    static String slug(String spec) {
        StringBuilder b = new StringBuilder();
        for (String part : parts(spec)) {
            String p = part.strip();
            if (p.contains("/")) {
                p = p.substring(p.lastIndexOf('/') + 1);
            }
            int open = p.indexOf('(');
            if (open > 0 && p.endsWith(")")) {
                String args = p.substring(open + 1, p.length() - 1);
                p = p.substring(0, open) + (args.contains("=") || args.contains(",") ? "-" : "")
                        + args.replace("=", "").replace(",", "-");
            }
            p = p.replace(":", "-").replaceAll("[^A-Za-z0-9.+_-]", "");
            if (b.length() > 0) {
                b.append('+');
            }
            b.append(p);
        }
        return b.toString();
    }

    /** The ingredients of a spec: split at the top-level '+'. */
    private static List<String> parts(String spec) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '+' && depth == 0) {
                out.add(spec.substring(from, i));
                from = i + 1;
            }
        }
        out.add(spec.substring(from));
        return out;
    }

    /**
     * The spec as written without its step size, which an lr axis replaces: the {@code h(...)} or
     * {@code lr(...)} ingredient, and Adam's {@code lr=} (a DAL cap stays: it is written as such).
     */
    public static String withoutStepSize(String spec) {
        List<String> kept = new ArrayList<>();
        for (String part : parts(spec)) {
            String p = part.strip();
            if (p.startsWith("h(") || p.startsWith("lr(")) {
                continue;
            }
            if ((p.startsWith("adam(") || p.startsWith("adamw(")) && p.endsWith(")")) {
                int open = p.indexOf('(');
                List<String> args = new ArrayList<>();
                for (String a : p.substring(open + 1, p.length() - 1).split(",")) {
                    if (!a.strip().startsWith("lr=") && !a.isBlank()) {
                        args.add(a.strip());
                    }
                }
                p = p.substring(0, open) + (args.isEmpty() ? "" : "(" + String.join(",", args) + ")");
            }
            kept.add(p);
        }
        return String.join("+", kept);
    }

    /** A number as short as it reads: 0.001 → 1e-3, 0.30000 → 0.3. */
    public static String fmt(double v) {
        String s = String.format(Locale.ROOT, "%.6g", v);
        if (s.contains("e")) {
            String[] parts = s.split("e");
            String mantissa = parts[0].contains(".") ? parts[0].replaceAll("0+$", "").replaceAll("\\.$", "") : parts[0];
            return mantissa + "e" + Integer.parseInt(parts[1]);
        }
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    /**
     * Reads a grid file; a missing key takes the default of {@code defaults}. Unknown keys, wrong
     * types and bad values are errors that name the file and the key.
     */
    public static Grid read(Path file, Grid defaults) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
            throw new BadFileException(file + ": no such grid file");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadFileException(file + ": not a JSON grid file: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new BadFileException(file + ": a grid file is a JSON object of axes, e.g. {\"optimizer\":"
                    + " [\"rk4+h(0.1)\"], \"batch\": [32, 1024], \"seeds\": 3}");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new BadFileException(file + ": unknown key '" + key + "'; valid: " + String.join(", ",
                        new java.util.TreeSet<>(KEYS)));
            }
        }
        try {
            List<Long> seeds = root.has("seeds") ? seeds(integer(root, "seeds", file))
                    : root.has("seed") ? longs(root.get("seed"), "seed", file) : defaults.seeds();
            return new Grid(
                    root.has("optimizer") ? strings(root.get("optimizer"), "optimizer", file) : defaults.optimizers(),
                    root.has("lr") ? doubles(root.get("lr"), "lr", file) : defaults.lrs(),
                    root.has("model") ? strings(root.get("model"), "model", file) : defaults.models(),
                    root.has("batch") ? longs(root.get("batch"), "batch", file).stream().map(Long::intValue).toList()
                            : defaults.batches(),
                    seeds,
                    root.has("epochs") ? integer(root, "epochs", file) : defaults.epochs(),
                    root.has("steps") ? integer(root, "steps", file) : defaults.steps(),
                    root.has("validation") ? integer(root, "validation", file) : defaults.validation(),
                    root.has("log_every") ? integer(root, "log_every", file) : defaults.logEvery(),
                    root.has("eval_every") ? integer(root, "eval_every", file) : defaults.evalEvery(),
                    root.has("checkpoint_every") ? integer(root, "checkpoint_every", file)
                            : defaults.checkpointEvery());
        } catch (IllegalArgumentException e) {
            throw new BadFileException(file + ": " + e.getMessage(), e);
        }
    }

    private static List<JsonNode> list(JsonNode n) {
        List<JsonNode> out = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(out::add);
        } else {
            out.add(n);
        }
        return out;
    }

    private static List<String> strings(JsonNode n, String key, Path file) throws BadFileException {
        List<String> out = new ArrayList<>();
        for (JsonNode v : list(n)) {
            if (!v.isTextual()) {
                throw new BadFileException(file + ": '" + key + "' takes strings, not " + v);
            }
            out.add(v.asText());
        }
        return out;
    }

    private static List<Double> doubles(JsonNode n, String key, Path file) throws BadFileException {
        List<Double> out = new ArrayList<>();
        for (JsonNode v : list(n)) {
            if (!v.isNumber()) {
                throw new BadFileException(file + ": '" + key + "' takes numbers, not " + v);
            }
            out.add(v.asDouble());
        }
        return out;
    }

    private static List<Long> longs(JsonNode n, String key, Path file) throws BadFileException {
        List<Long> out = new ArrayList<>();
        for (JsonNode v : list(n)) {
            if (!v.isIntegralNumber()) {
                throw new BadFileException(file + ": '" + key + "' takes whole numbers, not " + v);
            }
            out.add(v.asLong());
        }
        return out;
    }

    private static int integer(JsonNode root, String key, Path file) throws BadFileException {
        JsonNode v = root.get(key);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new BadFileException(file + ": '" + key + "' takes a whole number, not " + v);
        }
        return v.asInt();
    }
}
