package io.rkflow.solvers.tableau;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The coefficients of an s-stage Runge–Kutta method (Butcher 1964), checked when built:
 * <pre>
 *   c_1 | a_11 ... a_1s
 *   ... |  ...      ...        k_i = f(y_n + h Σ_j a_ij k_j, t_n + c_i h)
 *   c_s | a_s1 ... a_ss        y_{n+1} = y_n + h Σ_i b_i k_i
 *   ----+--------------        error estimate e = h Σ_i (b_i − b̂_i) k_i (embedded pairs)
 *       | b_1  ...  b_s
 *       | b̂_1 ...  b̂_s
 * </pre>
 * Checks: A is s × s, row sums of A equal c, Σ b = 1, Σ b̂ = 1 (so Σ (b − b̂) = 0), the order is
 * at least 1, and b and b̂ satisfy Butcher's order conditions of their declared orders (every rooted
 * tree up to that order; see {@code OrderConditions}), to a relative 1e-10 that coefficients written
 * as 16-digit decimals meet. Whether the method is explicit (A strictly lower triangular) and FSAL (first same
 * as last: explicit, c_s = 1 and the last row of A equals b, so the last stage of a step is the
 * first stage of the next) is derived, not declared.
 *
 * @param name short name, as the optimizer grammar and the command line write it
 * @param order classical order of the solution b
 * @param embeddedOrder order of the embedded solution b̂, or 0 without one
 * @param citation where the coefficients come from
 */
public record ButcherTableau(String name, int order, double[][] a, double[] b, double[] c, double[] bHat,
        int embeddedOrder, String citation) {

    /** Tolerance of the consistency checks, relative to the coefficients' magnitude. */
    static final double TOLERANCE = 1e-12;

    public ButcherTableau {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(a, "tableau " + name + ": A");
        Objects.requireNonNull(b, "tableau " + name + ": b");
        Objects.requireNonNull(c, "tableau " + name + ": c");
        citation = citation == null ? "" : citation;
        int s = b.length;
        if (s == 0) {
            throw invalid(name, "has no stages (b is empty)");
        }
        if (a.length != s || c.length != s) {
            throw invalid(name, "has " + s + " weights b but A has " + a.length + " rows and c has " + c.length
                    + " entries; all must equal the number of stages");
        }
        double[][] copy = new double[s][];
        for (int i = 0; i < s; i++) {
            if (a[i] == null || a[i].length != s) {
                throw invalid(name, "row " + (i + 1) + " of A has " + (a[i] == null ? 0 : a[i].length)
                        + " entries, expected " + s + " (A is s × s; write zeros above the diagonal)");
            }
            copy[i] = a[i].clone();
        }
        a = copy;
        b = b.clone();
        c = c.clone();
        if (bHat != null) {
            if (bHat.length != s) {
                throw invalid(name, "has " + bHat.length + " embedded weights b̂, expected " + s);
            }
            bHat = bHat.clone();
        }
        if (order < 1) {
            throw invalid(name, "has order " + order + ", must be at least 1");
        }
        if (bHat == null ? embeddedOrder != 0 : embeddedOrder < 1) {
            throw invalid(name, bHat == null ? "has an embedded order " + embeddedOrder + " but no weights b̂"
                    : "has weights b̂ but embedded order " + embeddedOrder + ", must be at least 1");
        }
        for (int i = 0; i < s; i++) {
            for (double v : a[i]) {
                finite(name, "A", v);
            }
            finite(name, "b", b[i]);
            finite(name, "c", c[i]);
            double rowSum = sum(a[i]);
            if (!close(rowSum, c[i], a[i])) {
                throw invalid(name, String.format(Locale.ROOT,
                        "row %d of A sums to %.17g but c_%d = %.17g (row sums of A must equal c)", i + 1, rowSum,
                        i + 1, c[i]));
            }
        }
        double sb = sum(b);
        if (!close(sb, 1.0, b)) {
            throw invalid(name, String.format(Locale.ROOT, "weights b sum to %.17g, must sum to 1", sb));
        }
        if (bHat != null) {
            double sbh = sum(bHat);
            if (!close(sbh, 1.0, bHat)) {
                throw invalid(name, String.format(Locale.ROOT,
                        "embedded weights b̂ sum to %.17g, must sum to 1 (so that Σ(b − b̂) = 0)", sbh));
            }
        }
        if (order > OrderConditions.MAX_ORDER || embeddedOrder > OrderConditions.MAX_ORDER) {
            throw invalid(name, "has order " + Math.max(order, embeddedOrder) + "; rkflow checks the order conditions"
                    + " up to order " + OrderConditions.MAX_ORDER + " and takes no higher one");
        }
        OrderConditions.Failure f = OrderConditions.firstFailure(a, c, b, order, "b");
        if (f != null) {
            throw invalid(name, orderProblem("is declared order " + order + " but has order ", f));
        }
        if (bHat != null && (f = OrderConditions.firstFailure(a, c, bHat, embeddedOrder, "b̂")) != null) {
            throw invalid(name, orderProblem("has embedded weights b̂ declared order " + embeddedOrder
                    + " but of order ", f));
        }
    }

    private static String orderProblem(String declared, OrderConditions.Failure f) {
        return declared + (f.treeOrder() - 1) + ": the order-" + f.treeOrder() + " condition " + f.condition()
                + " (of a rooted tree with " + f.treeOrder() + " nodes) does not hold, the sum is " + f.found();
    }

    /** Number of stages s. */
    public int stages() {
        return b.length;
    }

    /** A copy of A. */
    @Override
    public double[][] a() {
        double[][] copy = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            copy[i] = a[i].clone();
        }
        return copy;
    }

    /** a_ij, 0-based. */
    public double a(int i, int j) {
        return a[i][j];
    }

    @Override
    public double[] b() {
        return b.clone();
    }

    public double b(int i) {
        return b[i];
    }

    @Override
    public double[] c() {
        return c.clone();
    }

    public double c(int i) {
        return c[i];
    }

    /** A copy of b̂, or null when the method has no embedded solution. */
    @Override
    public double[] bHat() {
        return bHat == null ? null : bHat.clone();
    }

    /** Whether an embedded solution b̂ gives an error estimate. */
    public boolean embedded() {
        return bHat != null;
    }

    /** The error weights b − b̂ (zero-length without an embedded solution). */
    public double[] errorWeights() {
        if (bHat == null) {
            return new double[0];
        }
        double[] e = new double[b.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = b[i] - bHat[i];
        }
        return e;
    }

    /** Whether A is strictly lower triangular, so each stage needs only earlier ones. */
    public boolean explicit() {
        for (int i = 0; i < a.length; i++) {
            for (int j = i; j < a.length; j++) {
                if (a[i][j] != 0.0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** First same as last: explicit, c_s = 1 and the last row of A equals b. */
    public boolean fsal() {
        int s = b.length;
        return s > 1 && explicit() && c[s - 1] == 1.0 && Arrays.equals(a[s - 1], b);
    }

    /** Whether A is lower triangular with a non-zero diagonal (diagonally implicit). */
    public boolean diagonallyImplicit() {
        if (explicit()) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            for (int j = i + 1; j < a.length; j++) {
                if (a[i][j] != 0.0) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ButcherTableau t && name.equals(t.name) && order == t.order
                && embeddedOrder == t.embeddedOrder && Arrays.deepEquals(a, t.a) && Arrays.equals(b, t.b)
                && Arrays.equals(c, t.c) && Arrays.equals(bHat, t.bHat);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, order, Arrays.deepHashCode(a), Arrays.hashCode(b));
    }

    /** The tableau as a Butcher array, with its name, kind, order and source. */
    @Override
    public String toString() {
        int s = b.length;
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < s; i++) {
            String[] row = new String[s + 1];
            row[0] = fmt(c[i]);
            for (int j = 0; j < s; j++) {
                row[j + 1] = fmt(a[i][j]);
            }
            rows.add(row);
        }
        String[] bRow = new String[s + 1];
        bRow[0] = "";
        for (int j = 0; j < s; j++) {
            bRow[j + 1] = fmt(b[j]);
        }
        String[] bHatRow = null;
        if (bHat != null) {
            bHatRow = new String[s + 1];
            bHatRow[0] = "";
            for (int j = 0; j < s; j++) {
                bHatRow[j + 1] = fmt(bHat[j]);
            }
        }
        int width = 1;
        for (String[] row : rows) {
            for (String cell : row) {
                width = Math.max(width, cell.length());
            }
        }
        for (String cell : bRow) {
            width = Math.max(width, cell.length());
        }
        if (bHatRow != null) {
            for (String cell : bHatRow) {
                width = Math.max(width, cell.length());
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(name).append(": ").append(explicit() ? "explicit" : diagonallyImplicit() ? "diagonally implicit"
                : "implicit").append(", ").append(s).append(s == 1 ? " stage" : " stages").append(", order ")
                .append(order);
        if (bHat != null) {
            out.append(", embedded order ").append(embeddedOrder);
        }
        if (fsal()) {
            out.append(", FSAL");
        }
        out.append('\n');
        if (!citation.isEmpty()) {
            out.append(citation).append('\n');
        }
        for (String[] row : rows) {
            appendRow(out, row, width);
        }
        out.append("-".repeat(width)).append("-+").append("-".repeat((width + 1) * s)).append('\n');
        appendRow(out, bRow, width);
        if (bHatRow != null) {
            appendRow(out, bHatRow, width);
        }
        return out.toString();
    }

    /**
     * The tableau as one canonical line: name, orders and every coefficient exactly (the shortest
     * decimal that reads back to the same double), e.g.
     * {@code heun order=2 embeddedOrder=0 c=[0.0,1.0] a=[[0.0,0.0],[1.0,0.0]] b=[0.5,0.5] bHat=none}.
     * Equal tableaux describe alike, and a change of the name, an order or any coefficient changes the
     * line; the citation is left out.
     */
    public String describe() {
        StringBuilder out = new StringBuilder(name).append(" order=").append(order).append(" embeddedOrder=")
                .append(embeddedOrder).append(" c=");
        vector(out, c);
        out.append(" a=[");
        for (int i = 0; i < a.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            vector(out, a[i]);
        }
        out.append("] b=");
        vector(out, b);
        out.append(" bHat=");
        if (bHat == null) {
            out.append("none");
        } else {
            vector(out, bHat);
        }
        return out.toString();
    }

    /**
     * The SHA-256 of {@link #describe()} in hex: a short value to store beside a spec and compare
     * later, which changes when the name, an order or any coefficient does.
     */
    public String fingerprint() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(describe().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static void vector(StringBuilder out, double[] v) {
        out.append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(v[i]);
        }
        out.append(']');
    }

    private static void appendRow(StringBuilder out, String[] row, int width) {
        out.append(pad(row[0], width)).append(" |");
        for (int j = 1; j < row.length; j++) {
            out.append(' ').append(pad(row[j], width));
        }
        out.append('\n');
    }

    private static String pad(String s, int width) {
        return " ".repeat(width - s.length()) + s;
    }

    private static String fmt(double v) {
        if (v == 0.0) {
            return "0";
        }
        String s = String.format(Locale.ROOT, "%.10g", v);
        if (s.contains("e") || s.contains("E")) {
            return s;
        }
        s = s.contains(".") ? s.replaceAll("0+$", "") : s;
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static double sum(double[] v) {
        // Neumaier-compensated, so that exact rational coefficients pass a tight check.
        double s = 0.0, comp = 0.0;
        for (double x : v) {
            double t = s + x;
            comp += Math.abs(s) >= Math.abs(x) ? (s - t) + x : (x - t) + s;
            s = t;
        }
        return s + comp;
    }

    private static boolean close(double got, double expected, double[] terms) {
        double scale = 1.0;
        for (double t : terms) {
            scale = Math.max(scale, Math.abs(t));
        }
        return Math.abs(got - expected) <= TOLERANCE * scale;
    }

    private static void finite(String name, String what, double v) {
        if (!Double.isFinite(v)) {
            throw invalid(name, "has a non-finite coefficient " + v + " in " + what);
        }
    }

    private static IllegalArgumentException invalid(String name, String problem) {
        return new IllegalArgumentException("tableau " + name + " " + problem);
    }
}
