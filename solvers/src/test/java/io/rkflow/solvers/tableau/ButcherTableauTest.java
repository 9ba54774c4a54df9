package io.rkflow.solvers.tableau;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ButcherTableauTest {

    static Stream<ButcherTableau> catalogue() {
        return Tableaux.all().stream();
    }

    /**
     * The order conditions of the rooted trees up to order 4 (Butcher; Hairer, Nørsett, Wanner I,
     * II.2), for both the solution and the embedded weights: a typo in a coefficient breaks them.
     */
    @ParameterizedTest
    @MethodSource("catalogue")
    void satisfiesTheOrderConditionsUpToOrderFour(ButcherTableau t) {
        checkOrderConditions(t, t.b(), Math.min(t.order(), 4), "b");
        if (t.embedded()) {
            checkOrderConditions(t, t.bHat(), Math.min(t.embeddedOrder(), 4), "b̂");
        }
    }

    private static void checkOrderConditions(ButcherTableau t, double[] w, int order, String which) {
        int s = t.stages();
        double[][] a = t.a();
        double[] c = t.c();
        double[] ac = mul(a, c);
        double tol = 1e-13;
        String m = t.name() + " (" + which + ")";
        assertEquals(1.0, dot(w, ones(s)), tol, m + ": Σ b = 1");
        if (order >= 2) {
            assertEquals(0.5, dot(w, c), tol, m + ": Σ b c = 1/2");
        }
        if (order >= 3) {
            assertEquals(1.0 / 3, dot(w, sq(c)), tol, m + ": Σ b c² = 1/3");
            assertEquals(1.0 / 6, dot(w, ac), tol, m + ": Σ b A c = 1/6");
        }
        if (order >= 4) {
            assertEquals(0.25, dot(w, cube(c)), tol, m + ": Σ b c³ = 1/4");
            assertEquals(0.125, dot(w, times(c, ac)), tol, m + ": Σ b c A c = 1/8");
            assertEquals(1.0 / 12, dot(w, mul(a, sq(c))), tol, m + ": Σ b A c² = 1/12");
            assertEquals(1.0 / 24, dot(w, mul(a, ac)), tol, m + ": Σ b A A c = 1/24");
        }
    }

    /**
     * Every catalogue tableau has exactly its stated order (and its embedded weights theirs) by the
     * generated order conditions: all hold up to it, one of the next order fails.
     */
    @ParameterizedTest
    @MethodSource("catalogue")
    void hasExactlyItsStatedOrderByTheGeneratedConditions(ButcherTableau t) {
        assertNull(OrderConditions.firstFailure(t.a(), t.c(), t.b(), t.order(), "b"));
        OrderConditions.Failure next = OrderConditions.firstFailure(t.a(), t.c(), t.b(), t.order() + 1, "b");
        assertNotNull(next, t.name() + " also has order " + (t.order() + 1));
        assertEquals(t.order() + 1, next.treeOrder());
        if (t.embedded()) {
            assertNull(OrderConditions.firstFailure(t.a(), t.c(), t.bHat(), t.embeddedOrder(), "b̂"));
            next = OrderConditions.firstFailure(t.a(), t.c(), t.bHat(), t.embeddedOrder() + 1, "b̂");
            assertNotNull(next, t.name() + ": b̂ also has order " + (t.embeddedOrder() + 1));
            assertEquals(t.embeddedOrder() + 1, next.treeOrder());
        }
    }

    @Test
    void generatesTheRootedTreesOfEachOrder() {
        int[] counts = {1, 1, 2, 4, 9, 20, 48, 115, 286, 719, 1842, 4766}; // OEIS A000081
        for (int n = 1; n <= counts.length; n++) {
            assertEquals(counts[n - 1], OrderConditions.treeCount(n), "trees of order " + n);
        }
    }

    @Test
    void writesTheTextbookConditionsUpToOrderFour() {
        assertEquals(List.of("Σ b_i = 1"), OrderConditions.conditions(1, "b"));
        assertEquals(List.of("Σ b_i c_i = 1/2"), OrderConditions.conditions(2, "b"));
        assertEquals(List.of("Σ b_i a_ij c_j = 1/6", "Σ b_i c_i^2 = 1/3"), OrderConditions.conditions(3, "b"));
        assertEquals(List.of("Σ b_i a_ij c_j^2 = 1/12", "Σ b_i a_ij a_jk c_k = 1/24", "Σ b_i c_i a_ij c_j = 1/8",
                "Σ b_i c_i^3 = 1/4"), OrderConditions.conditions(4, "b"));
    }

    @Test
    void rejectsADeclaredOrderItsCoefficientsDoNotHave() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ButcherTableau("rk4-as-5",
                5, Tableaux.RK4.a(), Tableaux.RK4.b(), Tableaux.RK4.c(), null, 0, ""));
        assertEquals("tableau rk4-as-5 is declared order 5 but has order 4: the order-5 condition"
                + " Σ b_i a_ij c_j^3 = 1/20 (of a rooted tree with 5 nodes) does not hold, the sum is 0.041666666666666664",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ButcherTableau("euler-15", 15,
                new double[][] {{0}}, new double[] {1}, new double[] {0}, null, 0, ""));
        assertTrue(e.getMessage().contains("has order 15; rkflow checks the order conditions up to order 14"),
                e.getMessage());
    }

    @Test
    void describesItsCoefficientsExactlyAndFingerprintsThem() {
        assertEquals("heun order=2 embeddedOrder=0 c=[0.0,1.0] a=[[0.0,0.0],[1.0,0.0]] b=[0.5,0.5] bHat=none",
                Tableaux.HEUN.describe());
        ButcherTableau copy = new ButcherTableau("rk4", 4, Tableaux.RK4.a(), Tableaux.RK4.b(), Tableaux.RK4.c(), null,
                0, "another citation");
        assertEquals(Tableaux.RK4.fingerprint(), copy.fingerprint());
        assertEquals(64, copy.fingerprint().length());
        double[] b = Tableaux.RK4.b();
        b[0] = Math.nextUp(b[0]); // one ulp: still order 4 within the tolerance, but other coefficients
        b[3] = Math.nextDown(b[3]);
        ButcherTableau nudged = new ButcherTableau("rk4", 4, Tableaux.RK4.a(), b, Tableaux.RK4.c(), null, 0, "");
        assertNotEquals(Tableaux.RK4.fingerprint(), nudged.fingerprint());
        assertNotEquals(Tableaux.RK4.describe(), nudged.describe());
    }

    @Test
    void derivesExplicitFsalAndImplicitFromTheCoefficients() {
        assertTrue(Tableaux.RK4.explicit());
        assertFalse(Tableaux.RK4.fsal());
        assertTrue(Tableaux.DOPRI5.fsal());
        assertTrue(Tableaux.BS3.fsal());
        assertTrue(Tableaux.TSIT5.fsal());
        assertFalse(Tableaux.GAUSS2.explicit());
        assertFalse(Tableaux.GAUSS2.diagonallyImplicit());
        assertTrue(Tableaux.BACKWARD_EULER.diagonallyImplicit());
        assertFalse(Tableaux.TRAPEZOID.explicit());
    }

    @Test
    void rejectsRowSumsThatDoNotEqualC() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ButcherTableau("bad", 2,
                new double[][] {{0, 0}, {0.4, 0}}, new double[] {0.5, 0.5}, new double[] {0, 0.5}, null, 0, ""));
        assertTrue(e.getMessage().contains("tableau bad row 2 of A sums to 0.4"), e.getMessage());
        assertTrue(e.getMessage().contains("c_2 = 0.5"), e.getMessage());
    }

    @Test
    void rejectsWeightsThatDoNotSumToOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ButcherTableau("bad", 1,
                new double[][] {{0, 0}, {1, 0}}, new double[] {0.5, 0.6}, new double[] {0, 1}, null, 0, ""));
        assertTrue(e.getMessage().contains("weights b sum to 1.1"), e.getMessage());
    }

    @Test
    void rejectsEmbeddedWeightsWhoseDifferenceDoesNotSumToZero() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ButcherTableau("bad", 2,
                new double[][] {{0, 0}, {1, 0}}, new double[] {0.5, 0.5}, new double[] {0, 1},
                new double[] {1, 0.25}, 1, ""));
        assertTrue(e.getMessage().contains("embedded weights b̂ sum to 1.25"), e.getMessage());
        assertTrue(e.getMessage().contains("Σ(b − b̂) = 0"), e.getMessage());
    }

    @Test
    void rejectsMismatchedShapesAndMissingEmbeddedOrder() {
        assertThrows(IllegalArgumentException.class, () -> new ButcherTableau("bad", 1, new double[][] {{0}},
                new double[] {0.5, 0.5}, new double[] {0, 1}, null, 0, ""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ButcherTableau("bad", 1,
                new double[][] {{0, 0}, {1}}, new double[] {0.5, 0.5}, new double[] {0, 1}, null, 0, ""));
        assertTrue(e.getMessage().contains("row 2 of A has 1 entries, expected 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ButcherTableau("bad", 2,
                new double[][] {{0, 0}, {1, 0}}, new double[] {0.5, 0.5}, new double[] {0, 1},
                new double[] {1, 0}, 0, ""));
        assertTrue(e.getMessage().contains("embedded order 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ButcherTableau("bad", 0,
                new double[][] {{0}}, new double[] {1}, new double[] {0}, null, 0, ""));
        assertTrue(e.getMessage().contains("order 0"), e.getMessage());
    }

    @Test
    void isImmutable() {
        double[][] a = Tableaux.RK4.a();
        a[1][0] = 99;
        assertEquals(0.5, Tableaux.RK4.a(1, 0));
        assertNotSame(Tableaux.RK4.b(), Tableaux.RK4.b());
    }

    @Test
    void printsTheButcherArray() {
        String s = Tableaux.HEUN.toString();
        assertTrue(s.startsWith("heun: explicit, 2 stages, order 2\n"), s);
        assertTrue(s.contains("  1 |   1   0\n"), s);
        assertTrue(s.contains("    | 0.5 0.5\n"), s);
    }

    @Test
    void findsTableauxByNameAndListsValidNamesOtherwise() {
        assertEquals(Tableaux.DOPRI5, Tableaux.byName("DOPRI5"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tableaux.byName("rk5"));
        assertTrue(e.getMessage().startsWith("unknown tableau 'rk5'; valid: euler, heun, midpoint"), e.getMessage());
    }

    private static double[] ones(int s) {
        double[] v = new double[s];
        java.util.Arrays.fill(v, 1.0);
        return v;
    }

    private static double dot(double[] x, double[] y) {
        double r = 0;
        for (int i = 0; i < x.length; i++) {
            r += x[i] * y[i];
        }
        return r;
    }

    private static double[] mul(double[][] a, double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = dot(a[i], v);
        }
        return r;
    }

    private static double[] times(double[] x, double[] y) {
        double[] r = new double[x.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = x[i] * y[i];
        }
        return r;
    }

    private static double[] sq(double[] x) {
        return times(x, x);
    }

    private static double[] cube(double[] x) {
        return times(x, sq(x));
    }
}
