package io.rkflow.solvers.tableau;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The catalogue of Butcher tableaux, by name. Coefficients are the published ones; exact
 * rationals are written as quotients so the tableau checks hold to rounding.
 */
public final class Tableaux {

    private static final double S3 = Math.sqrt(3.0);
    private static final double S6 = Math.sqrt(6.0);
    private static final double S15 = Math.sqrt(15.0);

    /** Forward Euler: gradient descent when applied to the gradient flow. */
    public static final ButcherTableau EULER = new ButcherTableau("euler", 1,
            new double[][] {{0}}, new double[] {1}, new double[] {0}, null, 0,
            "L. Euler, Institutionum calculi integralis (1768)");

    /** Heun's method (explicit trapezoid), order 2. */
    public static final ButcherTableau HEUN = new ButcherTableau("heun", 2,
            new double[][] {{0, 0}, {1, 0}}, new double[] {0.5, 0.5}, new double[] {0, 1}, null, 0,
            "K. Heun, Z. Math. Phys. 45 (1900) 23-38");

    /** Explicit midpoint, order 2. */
    public static final ButcherTableau MIDPOINT = new ButcherTableau("midpoint", 2,
            new double[][] {{0, 0}, {0.5, 0}}, new double[] {0, 1}, new double[] {0, 0.5}, null, 0,
            "C. Runge, Math. Ann. 46 (1895) 167-178");

    /** Ralston's second-order method, minimal truncation-error bound among 2-stage order-2 methods. */
    public static final ButcherTableau RALSTON2 = new ButcherTableau("ralston2", 2,
            new double[][] {{0, 0}, {2.0 / 3, 0}}, new double[] {0.25, 0.75}, new double[] {0, 2.0 / 3}, null, 0,
            "A. Ralston, Math. Comp. 16 (1962) 431-437");

    /** Kutta's third-order method. */
    public static final ButcherTableau KUTTA3 = new ButcherTableau("kutta3", 3,
            new double[][] {{0, 0, 0}, {0.5, 0, 0}, {-1, 2, 0}}, new double[] {1.0 / 6, 2.0 / 3, 1.0 / 6},
            new double[] {0, 0.5, 1}, null, 0, "W. Kutta, Z. Math. Phys. 46 (1901) 435-453");

    /** Strong-stability-preserving RK3 of Shu and Osher. */
    public static final ButcherTableau SSPRK3 = new ButcherTableau("ssprk3", 3,
            new double[][] {{0, 0, 0}, {1, 0, 0}, {0.25, 0.25, 0}}, new double[] {1.0 / 6, 1.0 / 6, 2.0 / 3},
            new double[] {0, 1, 0.5}, null, 0, "C.-W. Shu, S. Osher, J. Comput. Phys. 77 (1988) 439-471");

    /** The classic fourth-order Runge–Kutta method. */
    public static final ButcherTableau RK4 = new ButcherTableau("rk4", 4,
            new double[][] {{0, 0, 0, 0}, {0.5, 0, 0, 0}, {0, 0.5, 0, 0}, {0, 0, 1, 0}},
            new double[] {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6}, new double[] {0, 0.5, 0.5, 1}, null, 0,
            "W. Kutta, Z. Math. Phys. 46 (1901) 435-453");

    /** Kutta's 3/8 rule, fourth order. */
    public static final ButcherTableau RK38 = new ButcherTableau("rk38", 4,
            new double[][] {{0, 0, 0, 0}, {1.0 / 3, 0, 0, 0}, {-1.0 / 3, 1, 0, 0}, {1, -1, 1, 0}},
            new double[] {0.125, 0.375, 0.375, 0.125}, new double[] {0, 1.0 / 3, 2.0 / 3, 1}, null, 0,
            "W. Kutta, Z. Math. Phys. 46 (1901) 435-453");

    /** Bogacki–Shampine 3(2), FSAL. */
    public static final ButcherTableau BS3 = new ButcherTableau("bs3", 3,
            new double[][] {{0, 0, 0, 0}, {0.5, 0, 0, 0}, {0, 0.75, 0, 0}, {2.0 / 9, 1.0 / 3, 4.0 / 9, 0}},
            new double[] {2.0 / 9, 1.0 / 3, 4.0 / 9, 0}, new double[] {0, 0.5, 0.75, 1},
            new double[] {7.0 / 24, 0.25, 1.0 / 3, 0.125}, 2,
            "P. Bogacki, L. F. Shampine, Appl. Math. Lett. 2 (1989) 321-325");

    /** Runge–Kutta–Fehlberg 4(5): propagates the fourth-order solution. */
    public static final ButcherTableau FEHLBERG45 = new ButcherTableau("rkf45", 4,
            new double[][] {
                {0, 0, 0, 0, 0, 0},
                {0.25, 0, 0, 0, 0, 0},
                {3.0 / 32, 9.0 / 32, 0, 0, 0, 0},
                {1932.0 / 2197, -7200.0 / 2197, 7296.0 / 2197, 0, 0, 0},
                {439.0 / 216, -8, 3680.0 / 513, -845.0 / 4104, 0, 0},
                {-8.0 / 27, 2, -3544.0 / 2565, 1859.0 / 4104, -11.0 / 40, 0}},
            new double[] {25.0 / 216, 0, 1408.0 / 2565, 2197.0 / 4104, -0.2, 0},
            new double[] {0, 0.25, 0.375, 12.0 / 13, 1, 0.5},
            new double[] {16.0 / 135, 0, 6656.0 / 12825, 28561.0 / 56430, -9.0 / 50, 2.0 / 55}, 5,
            "E. Fehlberg, NASA Technical Report R-315 (1969)");

    /** Cash–Karp 4(5): propagates the fourth-order solution. */
    public static final ButcherTableau CASH_KARP45 = new ButcherTableau("cashkarp", 4,
            new double[][] {
                {0, 0, 0, 0, 0, 0},
                {0.2, 0, 0, 0, 0, 0},
                {3.0 / 40, 9.0 / 40, 0, 0, 0, 0},
                {0.3, -0.9, 1.2, 0, 0, 0},
                {-11.0 / 54, 2.5, -70.0 / 27, 35.0 / 27, 0, 0},
                {1631.0 / 55296, 175.0 / 512, 575.0 / 13824, 44275.0 / 110592, 253.0 / 4096, 0}},
            new double[] {2825.0 / 27648, 0, 18575.0 / 48384, 13525.0 / 55296, 277.0 / 14336, 0.25},
            new double[] {0, 0.2, 0.3, 0.6, 1, 0.875},
            new double[] {37.0 / 378, 0, 250.0 / 621, 125.0 / 594, 0, 512.0 / 1771}, 5,
            "J. R. Cash, A. H. Karp, ACM Trans. Math. Softw. 16 (1990) 201-222");

    /** Dormand–Prince 5(4), FSAL: the method of MATLAB's ode45. */
    public static final ButcherTableau DOPRI5 = new ButcherTableau("dopri5", 5,
            new double[][] {
                {0, 0, 0, 0, 0, 0, 0},
                {0.2, 0, 0, 0, 0, 0, 0},
                {3.0 / 40, 9.0 / 40, 0, 0, 0, 0, 0},
                {44.0 / 45, -56.0 / 15, 32.0 / 9, 0, 0, 0, 0},
                {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729, 0, 0, 0},
                {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656, 0, 0},
                {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0}},
            new double[] {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0},
            new double[] {0, 0.2, 0.3, 0.8, 8.0 / 9, 1, 1},
            new double[] {5179.0 / 57600, 0, 7571.0 / 16695, 393.0 / 640, -92097.0 / 339200, 187.0 / 2100, 1.0 / 40},
            4, "J. R. Dormand, P. J. Prince, J. Comput. Appl. Math. 6 (1980) 19-26");

    private static final double[] TSIT5_B = {0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742,
        -3.290069515436081, 2.324710524099774, 0};
    /** Tsitouras' error weights b − b̂. */
    private static final double[] TSIT5_ERROR = {0.001780011052226, 0.000816434459657, -0.007880878010262,
        0.144711007173263, -0.582357165452555, 0.458082105929187, -1.0 / 66};

    /** Tsitouras 5(4), FSAL: the default of DifferentialEquations.jl and diffrax. */
    public static final ButcherTableau TSIT5 = new ButcherTableau("tsit5", 5,
            new double[][] {
                {0, 0, 0, 0, 0, 0, 0},
                {0.161, 0, 0, 0, 0, 0, 0},
                {-0.008480655492356989, 0.335480655492357, 0, 0, 0, 0, 0},
                {2.897153057105493, -6.359448489975075, 4.362295432869581, 0, 0, 0, 0},
                {5.325864828439257, -11.74888356406283, 7.495539342889836, -0.09249506636175525, 0, 0, 0},
                {5.86145544294642, -12.92096931784711, 8.159367898576159, -0.071584973281401, -0.02826905039406838,
                    0, 0},
                TSIT5_B},
            TSIT5_B,
            new double[] {0, 0.161, 0.327, 0.9, 0.9800255409045097, 1, 1},
            minus(TSIT5_B, TSIT5_ERROR), 4,
            "Ch. Tsitouras, Comput. Math. Appl. 62 (2011) 770-775");

    /** Backward (implicit) Euler, order 1, L-stable. */
    public static final ButcherTableau BACKWARD_EULER = new ButcherTableau("backward-euler", 1,
            new double[][] {{1}}, new double[] {1}, new double[] {1}, null, 0,
            "E. Hairer, G. Wanner, Solving ODEs II (1996), IV.3");

    /** Implicit midpoint: the one-stage Gauss–Legendre method, order 2, A-stable, symplectic. */
    public static final ButcherTableau IMPLICIT_MIDPOINT = new ButcherTableau("implicit-midpoint", 2,
            new double[][] {{0.5}}, new double[] {1}, new double[] {0.5}, null, 0,
            "E. Hairer, G. Wanner, Solving ODEs II (1996), IV.5");

    /** Trapezoidal rule as the two-stage Lobatto IIIA method, order 2, A-stable. */
    public static final ButcherTableau TRAPEZOID = new ButcherTableau("trapezoid", 2,
            new double[][] {{0, 0}, {0.5, 0.5}}, new double[] {0.5, 0.5}, new double[] {0, 1}, null, 0,
            "E. Hairer, G. Wanner, Solving ODEs II (1996), IV.5 (Lobatto IIIA)");

    /** Two-stage Gauss–Legendre, order 4, A-stable. */
    public static final ButcherTableau GAUSS2 = new ButcherTableau("gauss2", 4,
            new double[][] {{0.25, 0.25 - S3 / 6}, {0.25 + S3 / 6, 0.25}}, new double[] {0.5, 0.5},
            new double[] {0.5 - S3 / 6, 0.5 + S3 / 6}, null, 0,
            "J. C. Butcher, Math. Comp. 18 (1964) 50-64; Hairer, Wanner, Solving ODEs II, IV.5");

    /** Three-stage Gauss–Legendre, order 6, A-stable. */
    public static final ButcherTableau GAUSS3 = new ButcherTableau("gauss3", 6,
            new double[][] {
                {5.0 / 36, 2.0 / 9 - S15 / 15, 5.0 / 36 - S15 / 30},
                {5.0 / 36 + S15 / 24, 2.0 / 9, 5.0 / 36 - S15 / 24},
                {5.0 / 36 + S15 / 30, 2.0 / 9 + S15 / 15, 5.0 / 36}},
            new double[] {5.0 / 18, 4.0 / 9, 5.0 / 18}, new double[] {0.5 - S15 / 10, 0.5, 0.5 + S15 / 10}, null, 0,
            "J. C. Butcher, Math. Comp. 18 (1964) 50-64; Hairer, Wanner, Solving ODEs II, IV.5");

    /** Three-stage Radau IIA, order 5, L-stable: the method of Hairer and Wanner's RADAU5. */
    public static final ButcherTableau RADAU_IIA3 = new ButcherTableau("radau3", 5,
            new double[][] {
                {(88 - 7 * S6) / 360, (296 - 169 * S6) / 1800, (-2 + 3 * S6) / 225},
                {(296 + 169 * S6) / 1800, (88 + 7 * S6) / 360, (-2 - 3 * S6) / 225},
                {(16 - S6) / 36, (16 + S6) / 36, 1.0 / 9}},
            new double[] {(16 - S6) / 36, (16 + S6) / 36, 1.0 / 9}, new double[] {(4 - S6) / 10, (4 + S6) / 10, 1},
            null, 0, "E. Hairer, G. Wanner, Solving ODEs II (1996), IV.5 (Radau IIA)");

    private static final Map<String, ButcherTableau> BY_NAME = new LinkedHashMap<>();

    static {
        for (ButcherTableau t : new ButcherTableau[] {EULER, HEUN, MIDPOINT, RALSTON2, KUTTA3, SSPRK3, RK4, RK38,
            BS3, FEHLBERG45, CASH_KARP45, DOPRI5, TSIT5, BACKWARD_EULER, IMPLICIT_MIDPOINT, TRAPEZOID, GAUSS2,
            GAUSS3, RADAU_IIA3}) {
            BY_NAME.put(t.name(), t);
        }
    }

    private Tableaux() {}

    /** Every tableau of the catalogue, in catalogue order. */
    public static Collection<ButcherTableau> all() {
        return Collections.unmodifiableCollection(BY_NAME.values());
    }

    /**
     * The tableau named {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the valid names when there is none
     */
    public static ButcherTableau byName(String name) {
        ButcherTableau t = BY_NAME.get(name.toLowerCase(Locale.ROOT));
        if (t == null) {
            throw new IllegalArgumentException("unknown tableau '" + name + "'; valid: "
                    + String.join(", ", BY_NAME.keySet()));
        }
        return t;
    }

    private static double[] minus(double[] x, double[] y) {
        double[] r = new double[x.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = x[i] - y[i];
        }
        return r;
    }
}
