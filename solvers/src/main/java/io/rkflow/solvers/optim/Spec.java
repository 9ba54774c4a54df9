package io.rkflow.solvers.optim;

import io.rkflow.solvers.stepsize.DalStepSize;
import io.rkflow.solvers.stepsize.PiController;
import io.rkflow.solvers.stepsize.Schedule;
import io.rkflow.solvers.tableau.ButcherTableau;
import io.rkflow.solvers.tableau.TableauReader;
import io.rkflow.solvers.tableau.Tableaux;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An optimizer written down: a method and the ingredients composed with it, one grammar for the
 * command line and for code, e.g. {@code rk4+adagrad+dal(p=2,c=0.5)+momentum(0.9)}.
 * <pre>
 *   spec       = method ( "+" ingredient )*
 *   method     = tableau name | tableau file | "sgd" (= euler) | "adam(...)" | "adamw(...)"
 *   ingredient = name [ "(" value | key=value {"," key=value} ")" ]
 * </pre>
 * A method is a tableau file, read by {@link TableauReader} (text or JSON, told by its content),
 * when it looks like a path: it contains {@code /} (or the platform's separator) or ends in
 * {@code .json}, {@code .txt} or {@code .tab}, e.g. {@code ./ralston.tab+adagrad} or
 * {@code path/to/my.json+h(0.1)}. Anything else is a name, even where a file of that name exists, so
 * a spec means the same in every folder. A path may not contain {@code +}, {@code (} or {@code )},
 * which the grammar uses. The canonical form writes the file's absolute, normalized path, so it
 * reads back to the same file from anywhere; whether the file's coefficients changed since is
 * told by the tableau's {@link ButcherTableau#fingerprint()}, which is worth storing beside it.
 * Ingredients: {@code h} (alias {@code lr}), {@code warmup}, {@code cosine}, {@code dal},
 * {@code adagrad}, {@code rmsprop}, {@code ema}, {@code momentum}, {@code nesterov}, {@code tol}
 * (step-size control of an embedded pair), {@code fresh_batch}, and for implicit tableaux the stage
 * solver, {@code fixed_point} (the default) or {@code newton}. {@link #parse} lists the valid
 * names and keys in its errors; {@link #toString} writes the canonical form.
 *
 * @param tableau the Runge–Kutta method, or null for Adam / AdamW
 * @param adam Adam's hyperparameters when the method is adam or adamw, else null
 * @param stageSolver how an implicit tableau's stage equations are solved; null for explicit ones
 * @param tableauFile the file the tableau was read from, absolute and normalized; null for a
 *     catalogue tableau and for Adam / AdamW
 */
public record Spec(ButcherTableau tableau, AdamParams adam, Schedule schedule, DalStepSize dal,
        Preconditioner preconditioner, Momentum momentum, PiController control, boolean freshBatch,
        StageSolver stageSolver, Path tableauFile) {

    /** Step size when none is given. */
    public static final double DEFAULT_H = 0.1;

    /** Adam's hyperparameters (Kingma &amp; Ba, arXiv 1412.6980); decoupled weight decay for AdamW. */
    public record AdamParams(double lr, double beta1, double beta2, double eps, double weightDecay,
            boolean decoupled) {
        public AdamParams {
            String name = decoupled ? "adamw" : "adam";
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException(name + ": lr = " + lr + ", must be a positive number");
            }
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException(name + ": beta1 = " + beta1 + ", beta2 = " + beta2
                        + ", both must be in [0, 1)");
            }
            if (!(eps >= 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException(name + ": eps and wd must be >= 0");
            }
        }

        @Override
        public String toString() {
            return (decoupled ? "adamw" : "adam") + "(lr=" + fmt(lr) + ",beta1=" + fmt(beta1) + ",beta2="
                    + fmt(beta2) + ",eps=" + fmt(eps) + ",wd=" + fmt(weightDecay) + ")";
        }
    }

    public Spec {
        if ((tableau == null) == (adam == null)) {
            throw new IllegalArgumentException("a spec names exactly one method: a tableau, adam or adamw");
        }
        if (tableauFile != null) {
            if (tableau == null) {
                throw new IllegalArgumentException("a spec with a tableau file (" + tableauFile + ") has that tableau"
                        + " as its method, not adam");
            }
            tableauFile = tableauFile.toAbsolutePath().normalize();
            String path = tableauFile.toString();
            if (path.indexOf('+') >= 0 || path.indexOf('(') >= 0 || path.indexOf(')') >= 0) {
                throw new IllegalArgumentException("tableau file " + path + ": its path holds '+', '(' or ')', which"
                        + " the optimizer grammar uses; move or link the file to a plainer path");
            }
        }
        if (adam != null && (dal != null || preconditioner.enabled() || momentum.enabled() || control != null)) {
            throw new IllegalArgumentException("adam and adamw take no RK ingredients (dal, adagrad, rmsprop, ema,"
                    + " momentum, tol); give their parameters in adam(...)");
        }
        if (control != null && (tableau == null || !tableau.embedded())) {
            throw new IllegalArgumentException("tol: step-size control needs an embedded pair (bs3, rkf45, cashkarp,"
                    + " dopri5, tsit5), not " + (tableau == null ? "adam" : tableau.name()));
        }
        if (control != null && dal != null) {
            throw new IllegalArgumentException("tol and dal both choose the step size; use one");
        }
        boolean implicit = tableau != null && !tableau.explicit();
        if (!implicit && stageSolver != null) {
            throw new IllegalArgumentException((stageSolver.kind() == StageSolver.Kind.FIXED_POINT ? "fixed_point"
                    : "newton") + " solves the stages of implicit tableaux (" + String.join(", ", implicitNames())
                    + "), not of " + (tableau == null ? "adam" : tableau.name()));
        }
        if (implicit && stageSolver == null) {
            throw new IllegalArgumentException(tableau.name() + " is implicit and needs a stage solver");
        }
        if (implicit && (dal != null || preconditioner.perStage())) {
            throw new IllegalArgumentException(tableau.name() + " is implicit: dal and per_stage preconditioning"
                    + " are for explicit tableaux");
        }
        if (dal != null && dal.hessian() == DalStepSize.HessianEstimate.STAGES
                && (tableau.stages() < 2 || tableau.a(1, 0) == 0)) {
            throw new IllegalArgumentException("dal(hg=stages) estimates Hg from (k1 - k2)/(a21 h) and needs a"
                    + " second stage that depends on the first; " + tableau.name() + " has none: use dal(hg=fd)");
        }
    }

    /**
     * This spec with its step size set to {@code value}, the value a sweep's learning-rate axis
     * varies: Adam's {@code lr}; with {@code dal}, DAL's cap {@code c} (the step size on flat
     * ground; DAL chooses h below it); otherwise the base step size {@code h} of the schedule
     * (a warm-up or cosine decay keeps its shape).
     */
    public Spec withStepSize(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("step size " + value + ", must be a positive number");
        }
        if (adam != null) {
            AdamParams a = new AdamParams(value, adam.beta1(), adam.beta2(), adam.eps(), adam.weightDecay(),
                    adam.decoupled());
            return new Spec(tableau, a, new Schedule(value, schedule.warmup(), schedule.cosineSteps(),
                    schedule.minFraction()), dal, preconditioner, momentum, control, freshBatch, stageSolver,
                    tableauFile);
        }
        if (dal != null) {
            return new Spec(tableau, adam, schedule, new DalStepSize(value, dal.p(), dal.hessian(), dal.epsilon()),
                    preconditioner, momentum, control, freshBatch, stageSolver, tableauFile);
        }
        return new Spec(tableau, adam, new Schedule(value, schedule.warmup(), schedule.cosineSteps(),
                schedule.minFraction()), dal, preconditioner, momentum, control, freshBatch, stageSolver, tableauFile);
    }

    /** Parses a spec, e.g. {@code rk4+adagrad+dal(p=2,c=0.5)+momentum(0.9)}. */
    public static Spec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("optimizer spec is empty; e.g. rk4, sgd+momentum(0.9),"
                    + " rk4+adagrad+dal(p=2,c=0.5), adam(lr=1e-3)");
        }
        String whole = text.strip();
        List<String> pieces = split(whole);
        String first = pieces.get(0);
        ButcherTableau tableau = null;
        Path tableauFile = null;
        AdamParams adam = null;
        List<Term> terms = new ArrayList<>();
        if (TableauReader.looksLikePath(first)) {
            tableauFile = tableauPath(first);
            tableau = readTableau(tableauFile);
        } else {
            Term method;
            try {
                method = term(first, whole);
            } catch (IllegalArgumentException e) {
                if (first.indexOf('.') >= 0) { // e.g. a file name with another extension
                    throw unknownMethod(first);
                }
                throw e;
            }
            switch (method.name) {
                case "adam", "adamw" -> {
                    boolean w = method.name.equals("adamw");
                    method.allow("lr", "beta1", "beta2", "eps", "wd");
                    adam = new AdamParams(method.num("lr", 1e-3), method.num("beta1", 0.9),
                            method.num("beta2", 0.999), method.num("eps", 1e-8), method.num("wd", w ? 0.01 : 0.0), w);
                }
                default -> {
                    method.allow();
                    try {
                        tableau = Tableaux.byName(method.name.equals("sgd") ? "euler" : method.name);
                    } catch (IllegalArgumentException e) {
                        throw unknownMethod(first);
                    }
                }
            }
        }
        for (String piece : pieces.subList(1, pieces.size())) {
            terms.add(term(piece, whole));
        }
        double h = adam == null ? DEFAULT_H : adam.lr();
        long warmup = 0;
        long cosine = 0;
        double cosineMin = 0;
        DalStepSize dal = null;
        Preconditioner pre = Preconditioner.NONE;
        Momentum momentum = Momentum.NONE;
        PiController control = null;
        boolean fresh = false;
        StageSolver stageSolver = null;
        Set<String> seen = new java.util.HashSet<>();
        for (Term t : terms) {
            String key = t.name.equals("lr") ? "h" : t.name;
            String kind = switch (key) {
                case "rmsprop", "ema" -> "adagrad";
                case "nesterov" -> "momentum";
                case "newton" -> "fixed_point";
                default -> key;
            };
            if (!seen.add(kind)) {
                throw new IllegalArgumentException("'" + t.name + "' is given twice (or conflicts with an earlier"
                        + " ingredient of its kind)");
            }
            switch (key) {
                case "h" -> {
                    t.allow("h");
                    h = t.num("h", Double.NaN);
                    if (adam != null) {
                        adam = new AdamParams(h, adam.beta1(), adam.beta2(), adam.eps(), adam.weightDecay(),
                                adam.decoupled());
                    }
                }
                case "warmup" -> {
                    t.allow("steps");
                    warmup = t.integer("steps");
                }
                case "cosine" -> {
                    t.allow("steps", "min");
                    cosine = t.integer("steps");
                    cosineMin = t.num("min", 0.0);
                }
                case "dal" -> {
                    t.allow("c", "p", "hg", "eps");
                    String hg = t.str("hg", tableau != null && tableau.stages() >= 2 && tableau.a(1, 0) != 0
                            ? "stages" : "fd");
                    DalStepSize.HessianEstimate mode = switch (hg) {
                        case "stages" -> DalStepSize.HessianEstimate.STAGES;
                        case "fd" -> DalStepSize.HessianEstimate.FINITE_DIFFERENCE;
                        default -> throw new IllegalArgumentException("dal: hg = '" + hg + "'; valid: stages, fd");
                    };
                    dal = new DalStepSize(t.num("c", 0.5), t.num("p", 2.0), mode, t.num("eps", 1e-5));
                }
                case "adagrad" -> {
                    t.allow("delta", "per_stage");
                    pre = new Preconditioner(Preconditioner.Kind.ADAGRAD, t.num("delta", 1.0), 0, t.flag("per_stage"));
                }
                case "rmsprop", "ema" -> {
                    t.allow("beta2", "delta", "per_stage");
                    boolean rms = key.equals("rmsprop");
                    pre = new Preconditioner(rms ? Preconditioner.Kind.RMSPROP : Preconditioner.Kind.EMA,
                            t.num("delta", 1e-8), t.num("beta2", rms ? 0.99 : 0.999), t.flag("per_stage"));
                }
                case "momentum", "nesterov" -> {
                    t.allow("beta");
                    momentum = new Momentum(t.num("beta", 0.9), key.equals("nesterov"));
                }
                case "tol" -> {
                    t.allow("rtol", "atol", "safety", "min_factor", "max_factor", "h_min", "max_rejections");
                    control = new PiController(t.num("atol", 1e-6), t.num("rtol", 1e-3), t.num("safety", 0.9),
                            t.num("min_factor", 0.2), t.num("max_factor", 10.0), t.num("h_min", 1e-10),
                            (int) t.num("max_rejections", 20));
                }
                case "fresh_batch" -> {
                    t.allow();
                    fresh = true;
                }
                case "fixed_point" -> {
                    t.allow("tol", "max_iter");
                    StageSolver d = StageSolver.fixedPoint();
                    stageSolver = new StageSolver(StageSolver.Kind.FIXED_POINT, t.num("tol", d.tol()),
                            (int) t.num("max_iter", d.maxIterations()), 0, 0);
                }
                case "newton" -> {
                    t.allow("tol", "max_iter", "krylov", "eps");
                    StageSolver d = StageSolver.newtonKrylov();
                    stageSolver = new StageSolver(StageSolver.Kind.NEWTON_KRYLOV, t.num("tol", d.tol()),
                            (int) t.num("max_iter", d.maxIterations()), (int) t.num("krylov", d.krylov()),
                            t.num("eps", d.epsilon()));
                }
                default -> throw new IllegalArgumentException("unknown ingredient '" + t.name + "'; valid: h (lr),"
                        + " warmup, cosine, dal, adagrad, rmsprop, ema, momentum, nesterov, tol, fresh_batch,"
                        + " fixed_point, newton");
            }
        }
        if (tableau != null && !tableau.explicit() && stageSolver == null) {
            stageSolver = StageSolver.fixedPoint();
        }
        return new Spec(tableau, adam, new Schedule(h, warmup, cosine, cosineMin), dal, pre, momentum, control,
                fresh, stageSolver, tableauFile);
    }

    private static IllegalArgumentException unknownMethod(String written) {
        String file = "";
        try {
            if (Files.isRegularFile(Path.of(written))) {
                file = "; '" + written + "' is a file here: write ./" + written + " to read it as a tableau";
            }
        } catch (InvalidPathException e) {
            // not a path on this platform: no hint
        }
        return new IllegalArgumentException("unknown method '" + written + "'; valid: sgd, adam, adamw, or a tableau: "
                + String.join(", ", names()) + "; or a tableau file (a path with '/' or ending in .json, .txt or .tab,"
                + " e.g. ./my-tableau.json)" + file);
    }

    private static Path tableauPath(String written) {
        try {
            return Path.of(written).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("tableau file '" + written + "' is not a valid path: " + e.getReason(), e);
        }
    }

    /** The tableau in {@code file}, any problem an IllegalArgumentException that names the file. */
    private static ButcherTableau readTableau(Path file) {
        try {
            return TableauReader.read(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The canonical spec string, which {@link #parse} reads back to an equal spec. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add(adam != null ? adam.toString() : tableauFile != null ? tableauFile.toString() : tableau.name());
        if (adam == null) {
            parts.add("h(" + fmt(schedule.h()) + ")");
        }
        if (schedule.warmup() > 0) {
            parts.add("warmup(" + schedule.warmup() + ")");
        }
        if (schedule.cosineSteps() > 0) {
            parts.add("cosine(steps=" + schedule.cosineSteps() + ",min=" + fmt(schedule.minFraction()) + ")");
        }
        if (dal != null) {
            parts.add("dal(c=" + fmt(dal.c()) + ",p=" + fmt(dal.p()) + ",hg="
                    + (dal.hessian() == DalStepSize.HessianEstimate.STAGES ? "stages" : "fd") + ",eps="
                    + fmt(dal.epsilon()) + ")");
        }
        if (preconditioner.enabled()) {
            parts.add(preconditioner.toString());
        }
        if (momentum.enabled()) {
            parts.add(momentum.toString());
        }
        if (control != null) {
            parts.add("tol(rtol=" + fmt(control.rtol()) + ",atol=" + fmt(control.atol()) + ",safety="
                    + fmt(control.safety()) + ",min_factor=" + fmt(control.minFactor()) + ",max_factor="
                    + fmt(control.maxFactor()) + ",h_min=" + fmt(control.hMin()) + ",max_rejections="
                    + control.maxRejections() + ")");
        }
        if (freshBatch) {
            parts.add("fresh_batch");
        }
        if (stageSolver != null) {
            parts.add(stageSolver.toString());
        }
        return String.join("+", parts);
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v).toLowerCase(Locale.ROOT);
    }

    private static List<String> names() {
        return Tableaux.all().stream().map(ButcherTableau::name).toList();
    }

    private static List<String> implicitNames() {
        return Tableaux.all().stream().filter(t -> !t.explicit()).map(ButcherTableau::name).toList();
    }

    /** One term of a spec: a name and its arguments, positional (key "") or named. */
    private static final class Term {
        final String name;
        final Map<String, String> args = new LinkedHashMap<>();

        Term(String name) {
            this.name = name;
        }

        /** Declares the valid keys; a positional value goes to the first. */
        void allow(String... keys) {
            String positional = args.remove("");
            if (positional != null) {
                if (keys.length == 0) {
                    throw new IllegalArgumentException(name + " takes no parameters, got '" + positional + "'");
                }
                if (args.containsKey(keys[0])) {
                    throw new IllegalArgumentException(name + ": '" + keys[0] + "' is given twice");
                }
                args.put(keys[0], positional);
            }
            for (Map.Entry<String, String> e : args.entrySet()) {
                String k = e.getKey();
                if (!List.of(keys).contains(k)) {
                    // a bare word is read as a flag: say so, for h(abc) meant as a value
                    String bare = e.getValue().isEmpty() && keys.length > 0
                            ? " ('" + k + "' is not a number either; a value looks like " + name + "(0.1))" : "";
                    throw new IllegalArgumentException(name + ": unknown parameter '" + k + "'" + bare + "; valid: "
                            + (keys.length == 0 ? "none" : String.join(", ", keys)));
                }
            }
        }

        double num(String key, double fallback) {
            String v = args.get(key);
            if (v == null) {
                if (Double.isNaN(fallback)) {
                    throw new IllegalArgumentException(name + " needs a value, e.g. " + name + "(0.1)");
                }
                return fallback;
            }
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": " + key + " = '" + v + "' is not a number");
            }
        }

        long integer(String key) {
            String v = args.get(key);
            if (v == null) {
                throw new IllegalArgumentException(name + " needs a number of steps, e.g. " + name + "(100)");
            }
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": " + key + " = '" + v + "' is not a whole number");
            }
        }

        String str(String key, String fallback) {
            return args.getOrDefault(key, fallback);
        }

        boolean flag(String key) {
            String v = args.get(key);
            if (v == null) {
                return false;
            }
            return switch (v) {
                case "", "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException(name + ": " + key + " = '" + v + "'; valid: true, false");
            };
        }
    }

    /** The terms of a spec, as written: split at each '+' outside parentheses. */
    private static List<String> split(String text) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            char ch = i < text.length() ? text.charAt(i) : '+';
            if (ch == '(') {
                depth++;
            } else if (ch == ')') {
                depth--;
                if (depth < 0) {
                    throw new IllegalArgumentException("unbalanced ')' at character " + i + " of '" + text + "'");
                }
            } else if (ch == '+' && depth == 0) {
                terms.add(text.substring(start, i).strip());
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("unbalanced '(' in '" + text + "'");
        }
        return terms;
    }

    private static Term term(String s, String whole) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty term in '" + whole + "' (two '+' in a row?)");
        }
        int open = s.indexOf('(');
        String name = (open < 0 ? s : s.substring(0, open)).strip().toLowerCase(Locale.ROOT);
        if (!name.matches("[a-z0-9_-]+")) {
            int eq = name.indexOf('=');
            String hint = eq > 0 && name.substring(0, eq).matches("[a-z0-9_-]+")
                    ? "; parameters go in parentheses: " + name.substring(0, eq) + "(" + name.substring(eq + 1) + ")" : "";
            throw new IllegalArgumentException("'" + name + "' is not a name (in '" + whole + "')" + hint);
        }
        Term t = new Term(name);
        if (open >= 0) {
            if (!s.endsWith(")")) {
                throw new IllegalArgumentException("'" + s + "' has text after its ')'");
            }
            String inner = s.substring(open + 1, s.length() - 1).strip();
            if (!inner.isEmpty()) {
                for (String arg : inner.split(",")) {
                    arg = arg.strip();
                    int eq = arg.indexOf('=');
                    String key = eq < 0 ? (arg.matches("[a-z_]+") && !arg.matches("[0-9.eE+-]+") ? arg : "")
                            : arg.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                    String value = eq < 0 ? (key.isEmpty() ? arg : "") : arg.substring(eq + 1).strip();
                    if (t.args.put(key, value) != null) {
                        throw new IllegalArgumentException(name + ": '" + (key.isEmpty() ? "value" : key)
                                + "' is given twice");
                    }
                }
            }
        }
        return t;
    }
}
