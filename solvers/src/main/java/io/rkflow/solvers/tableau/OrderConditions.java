package io.rkflow.solvers.tableau;

import java.util.ArrayList;
import java.util.List;

/**
 * Butcher's order conditions. A Runge–Kutta method whose row sums of A equal c has order p if and
 * only if, for every rooted tree t with |t| ≤ p nodes,
 * <pre>
 *   Σ_i b_i Φ_i(t) = 1/γ(t),   Φ_i(t) = Π over the subtrees u of t's root of (Σ_j a_ij Φ_j(u)),
 *   γ(t) = |t| · Π γ(u)
 * </pre>
 * where a single node has Φ_i = 1 and γ = 1, so a leaf below the root contributes c_i (J. C. Butcher,
 * J. Austral. Math. Soc. 3 (1963) 185-201; Hairer, Nørsett, Wanner, Solving ODEs I, II.2,
 * Theorem 2.13). The trees are generated, not listed: a tree of order n is a root with a multiset
 * of subtrees whose orders add up to n − 1 (1, 1, 2, 4, 9, 20, 48, 115, 286, 719 trees of orders
 * 1 to 10).
 */
final class OrderConditions {

    /** The highest order whose conditions are checked: there are 53 272 trees up to it. */
    static final int MAX_ORDER = 14;

    /**
     * Tolerance of a condition, relative to the size of its terms Σ |b_i| Φ_i(t) computed with |A|
     * (or to 1/γ, when larger): coefficients written as 16-digit decimals satisfy the conditions
     * to about 1e-15 of that scale, a wrong coefficient or order misses them by far more.
     */
    static final double TOLERANCE = 1e-10;

    /** Index letters of the formulas: a tree of order 14 has at most 13 nodes with children (no s, the stage count). */
    private static final String INDICES = "ijklmnopqrtuvwxyz";

    /**
     * A rooted tree: its root's subtrees as indices into {@link #TREES} (non-increasing, so each
     * tree has one form), its order |t| and its density γ(t).
     */
    private record Tree(int[] subtrees, int order, long gamma) {}

    /** All trees up to the order generated so far, by order. */
    private static final List<Tree> TREES = new ArrayList<>();

    /** FIRST.get(n) is the index in TREES of the first tree of order n (FIRST.get(0) = 0). */
    private static final List<Integer> FIRST = new ArrayList<>(List.of(0));

    /** A condition that fails: the tree's order, the condition as a formula, and the value found. */
    record Failure(int treeOrder, String condition, double found) {}

    private OrderConditions() {}

    /** The number of rooted trees of order {@code n}, 1 ≤ n ≤ {@link #MAX_ORDER}. */
    static int treeCount(int n) {
        return range(n)[1] - range(n)[0];
    }

    /** Every condition of trees of order {@code n}, written for the weights {@code weight}, e.g. "Σ b_i c_i^2 = 1/3". */
    static List<String> conditions(int n, String weight) {
        int[] r = range(n);
        List<String> out = new ArrayList<>();
        for (int t = r[0]; t < r[1]; t++) {
            out.add(formula(t, weight));
        }
        return out;
    }

    /**
     * The first condition of order at most {@code order} (lowest orders first) that the weights
     * {@code w} fail with the stages (A, c), or null when all hold.
     *
     * @param weight how a message names the weights, "b" or "b̂"
     */
    static Failure firstFailure(double[][] a, double[] c, double[] w, int order, String weight) {
        if (order > MAX_ORDER) {
            throw new IllegalArgumentException("order " + order + " is above " + MAX_ORDER
                    + ", the highest order whose conditions rkflow checks");
        }
        int s = w.length;
        double[] absRowSums = new double[s];
        for (int i = 0; i < s; i++) {
            for (double v : a[i]) {
                absRowSums[i] += Math.abs(v);
            }
        }
        // For each tree u: (A Φ(u))_i, the factor it contributes below a node, and the same with |A|.
        List<double[]> below = new ArrayList<>();
        List<double[]> belowAbs = new ArrayList<>();
        for (int n = 1; n <= order; n++) {
            int[] r = range(n);
            for (int t = r[0]; t < r[1]; t++) {
                double[] phi = new double[s];
                double[] phiAbs = new double[s];
                java.util.Arrays.fill(phi, 1.0);
                java.util.Arrays.fill(phiAbs, 1.0);
                for (int u : TREES.get(t).subtrees) {
                    double[] f = below.get(u);
                    double[] fAbs = belowAbs.get(u);
                    for (int i = 0; i < s; i++) {
                        phi[i] *= f[i];
                        phiAbs[i] *= fAbs[i];
                    }
                }
                double found = 0.0;
                double scale = 0.0;
                for (int i = 0; i < s; i++) {
                    found += w[i] * phi[i];
                    scale += Math.abs(w[i]) * phiAbs[i];
                }
                double expected = 1.0 / TREES.get(t).gamma;
                if (!(Math.abs(found - expected) <= TOLERANCE * Math.max(scale, expected))) {
                    return new Failure(n, formula(t, weight), found);
                }
                if (n < order) { // only trees below the top order are subtrees of the trees checked
                    if (n == 1) {
                        below.add(c.clone()); // A·1 = c, the row-sum convention
                        belowAbs.add(absRowSums);
                    } else {
                        below.add(times(a, phi, false));
                        belowAbs.add(times(a, phiAbs, true));
                    }
                }
            }
        }
        return null;
    }

    private static double[] times(double[][] a, double[] v, boolean abs) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double sum = 0.0;
            for (int j = 0; j < v.length; j++) {
                sum += (abs ? Math.abs(a[i][j]) : a[i][j]) * v[j];
            }
            r[i] = sum;
        }
        return r;
    }

    /** [first, end) indices of the trees of order n, generating trees up to n when needed. */
    private static synchronized int[] range(int n) {
        if (n < 1 || n > MAX_ORDER) {
            throw new IllegalArgumentException("tree order " + n + " is outside 1.." + MAX_ORDER);
        }
        while (FIRST.size() <= n) {
            int order = FIRST.size();
            FIRST.add(TREES.size());
            // trees of order `order`: multisets of earlier trees whose orders sum to order - 1
            generate(order - 1, TREES.size() - 1, new ArrayList<>(), order);
        }
        int end = FIRST.size() > n + 1 ? FIRST.get(n + 1) : TREES.size();
        return new int[] {FIRST.get(n), end};
    }

    /** Adds every tree of order {@code order} whose root has the subtrees {@code chosen} and more of index ≤ max. */
    private static void generate(int remaining, int max, List<Integer> chosen, int order) {
        if (remaining == 0) {
            int[] subtrees = chosen.stream().mapToInt(Integer::intValue).toArray();
            long gamma = order;
            for (int u : subtrees) {
                gamma *= TREES.get(u).gamma;
            }
            TREES.add(new Tree(subtrees, order, gamma));
            return;
        }
        for (int u = max; u >= 0; u--) {
            int size = TREES.get(u).order;
            if (size <= remaining) {
                chosen.add(u);
                generate(remaining - size, u, chosen, order);
                chosen.remove(chosen.size() - 1);
            }
        }
    }

    /** The condition of tree t in index notation, e.g. "Σ b_i c_i a_ij c_j = 1/8". */
    private static String formula(int t, String weight) {
        StringBuilder out = new StringBuilder("Σ ").append(weight).append("_i");
        int[] next = {1};
        factors(TREES.get(t), 'i', next, out);
        long gamma = TREES.get(t).gamma;
        return out.append(" = ").append(gamma == 1 ? "1" : "1/" + gamma).toString();
    }

    private static void factors(Tree tree, char index, int[] next, StringBuilder out) {
        int leaves = 0;
        for (int u : tree.subtrees) {
            if (TREES.get(u).order == 1) {
                leaves++;
            }
        }
        if (leaves > 0) {
            out.append(" c_").append(index).append(leaves > 1 ? "^" + leaves : "");
        }
        for (int u : tree.subtrees) {
            Tree sub = TREES.get(u);
            if (sub.order > 1) {
                char j = INDICES.charAt(next[0]++);
                out.append(" a_").append(index).append(j);
                factors(sub, j, next, out);
            }
        }
    }
}
