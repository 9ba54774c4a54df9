package io.rkflow.kernels.conformance;

import static io.rkflow.kernels.conformance.Approx.assertBits;
import static io.rkflow.kernels.conformance.Approx.assertClose;
import static io.rkflow.kernels.conformance.Approx.assertRelative;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rkflow.kernels.Activation;
import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.GemmForm;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.IntBuffer;
import io.rkflow.kernels.IntSlice;
import io.rkflow.kernels.Plan;
import io.rkflow.kernels.Pooling;
import io.rkflow.kernels.Reduction;
import io.rkflow.kernels.Window;
import io.rkflow.kernels.conformance.Reference.AdamExpected;
import io.rkflow.kernels.conformance.Reference.Expected;
import io.rkflow.kernels.conformance.Reference.MomentumExpected;
import io.rkflow.kernels.conformance.Reference.SoftmaxExpected;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance suite every device runs: subclass it and implement {@link #openDevice()}. Each
 * kernel of the catalogue is checked against the double-precision {@link Reference} on fresh
 * random inputs, with outputs poisoned (NaN) so that every element must be written, on slices at
 * random non-zero offsets whose surroundings must stay untouched, at sizes from 0 through small
 * primes and non-multiples of every vector width to over 2^20. Bounds are the per-kernel
 * constants of {@link Tolerance} (DESIGN.md §3). Bad arguments must raise
 * {@link IllegalArgumentException} naming the kernel and the argument, and a compiled plan must
 * run its whole recording on every execution.
 *
 * <p>The device is opened once per test class and closed after it. Inputs are random per run;
 * every failure message carries the seed that reproduces it.
 */
public abstract class DeviceConformanceTest extends ConformanceBase {

    private static final int LARGE = 1 << 20;

    /** Empty, single, small primes, non-multiples of every vector width, and over 2^20. */
    private static final int[] SIZES = {0, 1, 2, 3, 5, 7, 13, 31, 17, 33, 65, 1000, 4099, LARGE, LARGE + 3};

    private static final Dist WIDE = Dist.wide();
    private static final Dist SIGNED = Dist.uniform(-1, 1);
    private static final Dist POSITIVE = Dist.uniform(0.01, 1);

    // ---- parameter sources ---------------------------------------------------------------------

    static IntStream sizes() {
        return IntStream.of(SIZES);
    }

    /** Sizes × {@code flags}: kernels with a boolean variant (Nesterov, AdamW). */
    static Stream<Arguments> sizesAndFlags() {
        return Stream.of(false, true).flatMap(flag -> sizes().mapToObj(n -> arguments(flag, n)));
    }

    /** Every size with s = 1..7 stages (s ∈ {1, 4, 7} above 2^20); odd s: stride = n, even s: stride &gt; n. */
    static Stream<Arguments> combineCases() {
        return sizes().boxed().flatMap(n -> IntStream.rangeClosed(1, 7)
                .filter(s -> n < LARGE || s == 1 || s == 4 || s == 7)
                .mapToObj(s -> arguments(n, s, s % 2 == 1 ? n : n + 3 * s - 5)));
    }

    static Stream<Arguments> reductionCases() {
        return Stream.of(Reduction.SUM, Reduction.DOT, Reduction.SQUARED_NORM, Reduction.NORM2, Reduction.MAX_ABS)
                .flatMap(kind -> sizes().mapToObj(n -> arguments(kind, n)));
    }

    /** Every size with elements near 1e-30 and near 1e30, where their squares are not fp32 numbers. */
    static Stream<Arguments> extremeScaleCases() {
        return DoubleStream.of(1e-30, 1e30).boxed().flatMap(scale -> sizes().mapToObj(n -> arguments(scale, n)));
    }

    /** A non-finite value planted at the last or a random position, or none ("clean"). */
    static Stream<Arguments> nonFiniteCases() {
        Stream<Arguments> clean = sizes().mapToObj(n -> arguments(n, Float.NaN, false, true));
        Stream<Arguments> planted = sizes().filter(n -> n > 0).boxed()
                .flatMap(n -> Stream.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY)
                        .flatMap(v -> Stream.of(arguments(n, v, true, false), arguments(n, v, false, false))));
        return Stream.concat(clean, planted);
    }

    /**
     * Every size with x ∈ [−4, 4], and two sizes with x ∈ [−12, 12], deep in the saturated tails
     * where f' = 1 − tanh² or ½(1 + tanh u) cancel completely in any precision.
     */
    static Stream<Arguments> activationCases() {
        return Stream.of(Activation.values()).flatMap(kind -> Stream.concat(
                sizes().mapToObj(n -> arguments(kind, n, 4f)),
                IntStream.of(4099, LARGE + 3).mapToObj(n -> arguments(kind, n, 12f))));
    }

    /** (m, n, k): zeros, ones, primes, 127/129, k ≥ 1000, m·n ≥ 2^20 with small k, and convolution shapes (a 9-element patch; a small weight gradient over 2·10^4 positions). */
    private static final int[][] GEMM_SHAPES = {
        {0, 0, 0}, {0, 5, 3}, {4, 0, 3}, {3, 5, 0}, {1, 1, 1}, {1, 7, 1}, {7, 1, 13}, {2, 3, 5},
        {7, 13, 31}, {17, 33, 65}, {127, 129, 31}, {129, 127, 130}, {31, 17, 1000}, {5, 3, 4099},
        {67, 129, 1031}, {1031, 1031, 3}, {301, 37, 9}, {9, 33, 20011},
    };

    /** (form, m, n, k, accumulate) of the GEMM cases; public for suites of one device's GEMM variants. */
    public static Stream<Arguments> gemmCases() {
        return Stream.of(GemmForm.values()).flatMap(form -> Stream.of(false, true).flatMap(acc ->
                Stream.of(GEMM_SHAPES).map(s -> arguments(form, s[0], s[1], s[2], acc))));
    }

    /** (rows, cols) of bias kernels, up to over 2^20 elements. */
    private static final int[][] BIAS_SHAPES = {
        {0, 5}, {5, 0}, {1, 1}, {3, 7}, {13, 33}, {65, 17}, {1000, 31}, {4099, 13}, {31, 4099}, {1031, 1031},
    };

    static Stream<Arguments> biasCases() {
        return Stream.of(BIAS_SHAPES).map(s -> arguments(s[0], s[1]));
    }

    static Stream<Arguments> biasGradCases() {
        return Stream.of(false, true).flatMap(acc -> Stream.of(BIAS_SHAPES).map(s -> arguments(s[0], s[1], acc)));
    }

    /** (rows, classes, logit range): ordinary logits, and ±80 to test the stabilized softmax. */
    static Stream<Arguments> softmaxCases() {
        return Stream.of(
                arguments(1, 1, 4f), arguments(1, 10, 4f), arguments(3, 2, 4f), arguments(7, 13, 4f),
                arguments(64, 10, 4f), arguments(33, 65, 4f), arguments(1000, 17, 4f), arguments(4099, 3, 4f),
                arguments(64, 10, 80f), arguments(7, 1000, 80f), arguments(1, 2, 80f));
    }

    // ---- stage combination and elementwise kernels ---------------------------------------------

    @ParameterizedTest(name = "n={0} stages={1} stride={2}")
    @MethodSource("combineCases")
    public void combine(int n, int count, int stride) {
        Case c = newCase("combine", "n=" + n, "stages=" + count, "stride=" + stride);
        GuardedSlice x = input(c, "x", n, WIDE);
        GuardedSlice stages = input(c, "stages", (count - 1) * stride + n, WIDE);
        GuardedSlice coeffs = input(c, "coeffs", count + count % 2, Dist.uniform(-1.5, 1.5)); // may be longer
        GuardedSlice out = output(c, "out", n);
        run(graph(c).combine(out.slice(), x.slice(), stages.slice(), stride, count, coeffs.slice()));
        Expected expected = Reference.combine(x.values(), stages.values(), stride, coeffs.values(), count);
        assertClose(c, "out", expected, out.readChecked(c), Tolerance.ELEMENTWISE);
    }

    /** Without x: out = Σ_j c_j·K_j, the RK-estimated gradient g* = Σ b_i k_i. */
    @ParameterizedTest(name = "n={0} stages={1} stride={2}")
    @MethodSource("combineCases")
    public void combineWithoutX(int n, int count, int stride) {
        Case c = newCase("combine", "without x", "n=" + n, "stages=" + count, "stride=" + stride);
        GuardedSlice stages = input(c, "stages", (count - 1) * stride + n, WIDE);
        GuardedSlice coeffs = input(c, "coeffs", count, Dist.uniform(-1.5, 1.5));
        GuardedSlice out = output(c, "out", n);
        run(graph(c).combine(out.slice(), null, stages.slice(), stride, count, coeffs.slice()));
        Expected expected = Reference.combine(new float[n], stages.values(), stride, coeffs.values(), count);
        assertClose(c, "out", expected, out.readChecked(c), Tolerance.ELEMENTWISE);
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    public void combineInPlace(int n) {
        Case c = newCase("combine", "in place", "n=" + n);
        int count = 3;
        int stride = n + 1;
        GuardedSlice x = input(c, "x", n, WIDE);
        GuardedSlice stages = input(c, "stages", (count - 1) * stride + n, WIDE);
        GuardedSlice coeffs = input(c, "coeffs", count, Dist.uniform(-1.5, 1.5));
        run(graph(c).combine(x.slice(), x.slice(), stages.slice(), stride, count, coeffs.slice()));
        Expected expected = Reference.combine(x.values(), stages.values(), stride, coeffs.values(), count);
        assertClose(c, "out", expected, x.readChecked(c), Tolerance.ELEMENTWISE);
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    public void copy(int n) {
        Case c = newCase("copy", "n=" + n);
        GuardedSlice x = input(c, "x", n, WIDE);
        GuardedSlice out = output(c, "out", n);
        run(graph(c).copy(out.slice(), x.slice()));
        assertBits(c, "out", x.values(), out.readChecked(c));
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    public void fill(int n) {
        Case c = newCase("fill", "n=" + n);
        float value = c.next(WIDE);
        GuardedSlice out = output(c, "out", n);
        run(graph(c).fill(out.slice(), value));
        float[] expected = new float[n];
        Arrays.fill(expected, value);
        assertBits(c, "out", expected, out.readChecked(c));
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    public void scale(int n) {
        Case c = newCase("scale", "n=" + n);
        GuardedSlice x = input(c, "x", n, WIDE);
        GuardedSlice alpha = input(c, "alpha", 1, WIDE);
        GuardedSlice out = output(c, "out", n);
        run(graph(c).scale(out.slice(), alpha.slice(), x.slice()));
        assertClose(c, "out", Reference.scale(alpha.value(0), x.values()), out.readChecked(c), Tolerance.ELEMENTWISE);
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    public void axpby(int n) {
        Case c = newCase("axpby", "n=" + n);
        GuardedSlice x = input(c, "x", n, WIDE);
        GuardedSlice y = input(c, "y", n, WIDE);
        GuardedSlice ab = input(c, "alphaBeta", 2, WIDE);
        GuardedSlice out = output(c, "out", n);
        run(graph(c).axpby(out.slice(), ab.element(0), x.slice(), ab.element(1), y.slice()));
        Expected expected = Reference.axpby(ab.value(0), x.values(), ab.value(1), y.values());
        assertClose(c, "out", expected, out.readChecked(c), Tolerance.ELEMENTWISE);
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    public void accumulateSquares(int n) {
        Case c = newCase("accumulateSquares", "n=" + n);
        GuardedSlice v = input(c, "v", n, POSITIVE);
        GuardedSlice g = input(c, "g", n, WIDE);
        run(graph(c).accumulateSquares(v.slice(), g.slice()));
        Expected expected = Reference.squares(v.values(), g.values(), 1, 1);
        assertClose(c, "v", expected, v.readChecked(c), Tolerance.ELEMENTWISE);
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    public void emaSquares(int n) {
        Case c = newCase("emaSquares", "n=" + n);
        GuardedSlice v = input(c, "v", n, POSITIVE);
        GuardedSlice g = input(c, "g", n, WIDE);
        GuardedSlice beta = input(c, "beta", 1, Dist.uniform(0.5, 1));
        run(graph(c).emaSquares(v.slice(), g.slice(), beta.slice()));
        double b = beta.value(0);
        Expected expected = Reference.squares(v.values(), g.values(), b, 1 - b);
        assertClose(c, "v", expected, v.readChecked(c), Tolerance.ELEMENTWISE);
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    public void precondition(int n) {
        Case c = newCase("precondition", "n=" + n);
        GuardedSlice g = input(c, "g", n, WIDE);
        GuardedSlice v = input(c, "v", n, POSITIVE);
        GuardedSlice delta = input(c, "delta", 1, Dist.uniform(1e-3, 1));
        GuardedSlice out = output(c, "out", n);
        run(graph(c).precondition(out.slice(), g.slice(), v.slice(), delta.slice()));
        Expected expected = Reference.precondition(g.values(), v.values(), delta.value(0));
        assertClose(c, "out", expected, out.readChecked(c), Tolerance.ELEMENTWISE);
    }

    @ParameterizedTest(name = "nesterov={0} n={1}")
    @MethodSource("sizesAndFlags")
    public void momentum(boolean nesterov, int n) {
        Case c = newCase(nesterov ? "nesterov" : "momentum", "n=" + n);
        GuardedSlice theta = input(c, "theta", n, SIGNED);
        GuardedSlice m = input(c, "m", n, SIGNED);
        GuardedSlice g = input(c, "g", n, SIGNED);
        GuardedSlice params = GuardedSlice.of(device(), "params", c, c.next(Dist.uniform(0.5, 0.99)),
                c.next(Dist.uniform(0.1, 1)));
        Graph graph = graph(c);
        run(nesterov ? graph.nesterov(theta.slice(), m.slice(), g.slice(), params.slice())
                : graph.momentum(theta.slice(), m.slice(), g.slice(), params.slice()));
        float[] gotM = m.readChecked(c);
        MomentumExpected expected = Reference.momentum(theta.values(), m.values(), g.values(), params.value(0),
                params.value(1), nesterov, gotM);
        assertClose(c, "m", expected.m(), gotM, Tolerance.ELEMENTWISE);
        assertClose(c, "theta", expected.theta(), theta.readChecked(c), Tolerance.ELEMENTWISE);
    }

    @ParameterizedTest(name = "adamw={0} n={1}")
    @MethodSource("sizesAndFlags")
    public void adam(boolean decoupled, int n) {
        Case c = newCase(decoupled ? "adamw" : "adam", "n=" + n);
        GuardedSlice theta = input(c, "theta", n, SIGNED);
        GuardedSlice m = input(c, "m", n, Dist.uniform(-0.1, 0.1));
        GuardedSlice v = input(c, "v", n, Dist.uniform(1e-4, 1e-2));
        GuardedSlice g = input(c, "g", n, SIGNED);
        // A large learning rate, so that θ's check sees the update and not only θ.
        float lr = c.next(Dist.uniform(0.05, 0.5));
        float beta1 = 0.9f;
        float beta2 = 0.999f;
        int t = 1 + c.random.nextInt(100);
        GuardedSlice params = GuardedSlice.of(device(), "params", c, lr, beta1, beta2, 1e-8f,
                c.next(Dist.uniform(0.01, 0.1)), (float) (1 / (1 - Math.pow(beta1, t))),
                (float) (1 / (1 - Math.pow(beta2, t))));
        Graph graph = graph(c);
        run(decoupled ? graph.adamw(theta.slice(), m.slice(), v.slice(), g.slice(), params.slice())
                : graph.adam(theta.slice(), m.slice(), v.slice(), g.slice(), params.slice()));
        float[] gotM = m.readChecked(c);
        float[] gotV = v.readChecked(c);
        AdamExpected expected = Reference.adam(theta.values(), m.values(), v.values(), g.values(), params.values(),
                decoupled, gotM, gotV);
        assertClose(c, "m", expected.m(), gotM, Tolerance.ELEMENTWISE);
        assertClose(c, "v", expected.v(), gotV, Tolerance.ELEMENTWISE);
        assertClose(c, "theta", expected.theta(), theta.readChecked(c), Tolerance.ELEMENTWISE);
    }

    @ParameterizedTest(name = "{0} n={1} x in ±{2}")
    @MethodSource("activationCases")
    public void activation(Activation kind, int n, float range) {
        Case c = newCase("activation", kind.toString(), "n=" + n, "x in ±" + range);
        GuardedSlice x = input(c, "x", n, Dist.uniform(-range, range));
        GuardedSlice y = output(c, "y", n);
        run(graph(c).activation(kind, y.slice(), x.slice()));
        assertClose(c, "y", Reference.activation(kind, x.values()), y.readChecked(c), activationTolerance(kind));
    }

    @ParameterizedTest(name = "{0} n={1} x in ±{2}")
    @MethodSource("activationCases")
    public void activationBackward(Activation kind, int n, float range) {
        Case c = newCase("activationBackward", kind.toString(), "n=" + n, "x in ±" + range);
        GuardedSlice dy = input(c, "dy", n, WIDE);
        GuardedSlice x = input(c, "x", n, Dist.uniform(-range, range));
        GuardedSlice dx = output(c, "dx", n);
        run(graph(c).activationBackward(kind, dx.slice(), dy.slice(), x.slice()));
        Expected expected = Reference.activationBackward(kind, dy.values(), x.values());
        assertClose(c, "dx", expected, dx.readChecked(c), activationTolerance(kind));
    }

    /** ReLU selects or zeroes its input and must be exact; tanh and GELU are elementwise math. */
    private static double activationTolerance(Activation kind) {
        return kind == Activation.RELU ? Tolerance.EXACT : Tolerance.ELEMENTWISE;
    }

    // ---- reductions ----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("reductionCases")
    public void reduction(Reduction kind, int n) {
        Case c = newCase(kind.toString(), "n=" + n);
        GuardedSlice x = input(c, "x", n, WIDE);
        GuardedSlice y = input(c, "y", n, WIDE);
        GuardedSlice out = output(c, "out", 1);
        Graph graph = graph(c);
        switch (kind) {
            case SUM -> graph.sum(out.slice(), x.slice());
            case DOT -> graph.dot(out.slice(), x.slice(), y.slice());
            case SQUARED_NORM -> graph.squaredNorm(out.slice(), x.slice());
            case NORM2 -> graph.norm(out.slice(), x.slice());
            case MAX_ABS -> graph.maxAbs(out.slice(), x.slice());
            case NON_FINITE -> throw new AssertionError("see nonFinite");
        }
        run(graph);
        float got = out.readChecked(c)[0];
        switch (kind) {
            case SUM -> assertClose(c, "out", Reference.sum(x.values()), got, Tolerance.REDUCTION);
            case DOT -> assertClose(c, "out", Reference.dot(x.values(), y.values()), got, Tolerance.REDUCTION);
            case SQUARED_NORM -> assertClose(c, "out", Reference.squaredNorm(x.values()), got, Tolerance.REDUCTION);
            case NORM2 -> assertClose(c, "out", Reference.norm(x.values()), got, Tolerance.REDUCTION);
            default -> assertEquals(Reference.maxAbs(x.values()), got, Tolerance.EXACT, c + ": out");
        }
    }

    /**
     * norm of elements near 1e-30 (squares 0 in fp32) and near 1e30 (squares ∞ in fp32) matches the
     * double reference: the device must take the root before it rounds to float.
     */
    @ParameterizedTest(name = "scale={0} n={1}")
    @MethodSource("extremeScaleCases")
    public void normAtExtremeScales(double scale, int n) {
        Case c = newCase("norm", "scale=" + scale, "n=" + n);
        GuardedSlice x = input(c, "x", n, Dist.wide(scale));
        GuardedSlice out = output(c, "out", 1);
        run(graph(c).norm(out.slice(), x.slice()));
        assertClose(c, "out", Reference.norm(x.values()), out.readChecked(c)[0], Tolerance.REDUCTION);
    }

    /**
     * Whether the device reads and writes subnormal floats as they are. A device that flushes them
     * to zero (GPU and OpenCL defaults) keeps this {@code false}; the JVM device overrides it.
     */
    protected boolean keepsSubnormals() {
        return false;
    }

    /**
     * norm of subnormal elements: the exact value to float rounding (relative, with no absolute
     * floor), or, on a device that flushes subnormals ({@link #keepsSubnormals()} false), 0.
     */
    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    public void normOfSubnormals(int n) {
        Case c = newCase("norm", "subnormal", "n=" + n);
        GuardedSlice x = input(c, "x", n, Dist.subnormal());
        GuardedSlice out = output(c, "out", 1);
        run(graph(c).norm(out.slice(), x.slice()));
        float got = out.readChecked(c)[0];
        if (!keepsSubnormals() && got == 0) {
            return;
        }
        assertRelative(c, "out", Reference.norm(x.values()).value()[0], got, Tolerance.REDUCTION);
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    public void maxAbsPropagatesNaN(int n) {
        if (n == 0) {
            return;
        }
        Case c = newCase("maxAbs", "NaN", "n=" + n);
        float[] values = draw(c, n, WIDE);
        values[c.random.nextInt(n)] = Float.NaN;
        GuardedSlice x = GuardedSlice.of(device(), "x", c, values);
        GuardedSlice out = output(c, "out", 1);
        run(graph(c).maxAbs(out.slice(), x.slice()));
        float got = out.readChecked(c)[0];
        assertTrue(Float.isNaN(got), c + ": maxAbs of a slice holding NaN is " + got + ", expected NaN");
    }

    @ParameterizedTest(name = "n={0} value={1} last={2} clean={3}")
    @MethodSource("nonFiniteCases")
    public void nonFinite(int n, float planted, boolean last, boolean clean) {
        Case c = newCase("nonFinite", "n=" + n, clean ? "clean" : planted + (last ? " last" : " random"));
        float[] values = draw(c, n, WIDE);
        if (n >= 3) { // huge finite values: x − x or x·0 tricks would overflow into false positives
            values[c.random.nextInt(n)] = Float.MAX_VALUE;
            values[c.random.nextInt(n)] = -Float.MAX_VALUE;
        }
        if (!clean) {
            values[last ? n - 1 : c.random.nextInt(n)] = planted;
        }
        GuardedSlice x = GuardedSlice.of(device(), "x", c, values);
        GuardedSlice out = output(c, "out", 1);
        run(graph(c).nonFinite(out.slice(), x.slice()));
        assertEquals(Reference.nonFinite(values), out.readChecked(c)[0], Tolerance.EXACT, c + ": out");
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    public void rmsErrorNorm(int n) {
        Case c = newCase("rmsErrorNorm", "n=" + n);
        GuardedSlice e = input(c, "e", n, WIDE);
        GuardedSlice a = input(c, "a", n, WIDE);
        GuardedSlice b = input(c, "b", n, WIDE);
        GuardedSlice tol = GuardedSlice.of(device(), "tol", c, c.next(Dist.uniform(1e-4, 1e-2)),
                c.next(Dist.uniform(1e-3, 1e-1)));
        GuardedSlice out = output(c, "out", 1);
        run(graph(c).rmsErrorNorm(out.slice(), e.slice(), a.slice(), b.slice(), tol.slice()));
        Expected expected = Reference.rmsErrorNorm(e.values(), a.values(), b.values(), tol.value(0), tol.value(1));
        assertClose(c, "out", expected, out.readChecked(c), Tolerance.REDUCTION);
    }

    /**
     * The RMS error norm with errors, solutions and atol near 1e-30 or 1e30: e² is no fp32 number
     * there, but each weighted error e / (atol + rtol·max(|a|, |b|)) is O(1/rtol), and so is the result.
     */
    @ParameterizedTest(name = "scale={0} n={1}")
    @MethodSource("extremeScaleCases")
    public void rmsErrorNormAtExtremeScales(double scale, int n) {
        Case c = newCase("rmsErrorNorm", "scale=" + scale, "n=" + n);
        GuardedSlice e = input(c, "e", n, Dist.wide(scale));
        GuardedSlice a = input(c, "a", n, Dist.wide(scale));
        GuardedSlice b = input(c, "b", n, Dist.wide(scale));
        GuardedSlice tol = GuardedSlice.of(device(), "tol", c, (float) (scale * c.next(Dist.uniform(1e-4, 1e-2))),
                c.next(Dist.uniform(1e-3, 1e-1)));
        GuardedSlice out = output(c, "out", 1);
        run(graph(c).rmsErrorNorm(out.slice(), e.slice(), a.slice(), b.slice(), tol.slice()));
        Expected expected = Reference.rmsErrorNorm(e.values(), a.values(), b.values(), tol.value(0), tol.value(1));
        assertClose(c, "out", expected, out.readChecked(c), Tolerance.REDUCTION);
    }

    // ---- dense layers --------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} m={1} n={2} k={3} accumulate={4}")
    @MethodSource("gemmCases")
    public void gemm(GemmForm form, int m, int n, int k, boolean accumulate) {
        checkGemm(device(), form, m, n, k, accumulate);
    }

    /**
     * One GEMM case of this suite on {@code device}: public, so that a device with several GEMM
     * variants can run {@link #gemmCases()} on each of them.
     */
    public static void checkGemm(Device device, GemmForm form, int m, int n, int k, boolean accumulate) {
        Case c = newCase("gemm", form.toString(), "m=" + m, "n=" + n, "k=" + k, "accumulate=" + accumulate);
        GuardedSlice a = GuardedSlice.input(device, "a", m * k, c, SIGNED);
        GuardedSlice b = GuardedSlice.input(device, "b", k * n, c, SIGNED);
        GuardedSlice out = accumulate ? GuardedSlice.input(device, "c", m * n, c, SIGNED)
                : GuardedSlice.output(device, "c", m * n, c);
        run(device.graph(c.name).gemm(form, m, n, k, out.slice(), a.slice(), b.slice(), accumulate));
        Expected expected = Reference.gemm(form, m, n, k, a.values(), b.values(), accumulate ? out.values() : null);
        assertClose(c, "c", expected, out.readChecked(c), Tolerance.gemm(k));
    }

    @ParameterizedTest(name = "rows={0} cols={1}")
    @MethodSource("biasCases")
    public void biasAdd(int rows, int cols) {
        Case c = newCase("biasAdd", "rows=" + rows, "cols=" + cols);
        GuardedSlice y = input(c, "y", rows * cols, WIDE);
        GuardedSlice bias = input(c, "bias", cols, WIDE);
        run(graph(c).biasAdd(y.slice(), bias.slice(), rows, cols));
        Expected expected = Reference.biasAdd(y.values(), bias.values(), rows, cols);
        assertClose(c, "y", expected, y.readChecked(c), Tolerance.ELEMENTWISE);
    }

    @ParameterizedTest(name = "rows={0} cols={1} accumulate={2}")
    @MethodSource("biasGradCases")
    public void biasGrad(int rows, int cols, boolean accumulate) {
        Case c = newCase("biasGrad", "rows=" + rows, "cols=" + cols, "accumulate=" + accumulate);
        GuardedSlice dy = input(c, "dy", rows * cols, WIDE);
        GuardedSlice db = accumulate ? input(c, "db", cols, WIDE) : output(c, "db", cols);
        run(graph(c).biasGrad(db.slice(), dy.slice(), rows, cols, accumulate));
        Expected expected = Reference.biasGrad(dy.values(), rows, cols, accumulate ? db.values() : null);
        assertClose(c, "db", expected, db.readChecked(c), Tolerance.REDUCTION);
    }

    @ParameterizedTest(name = "rows={0} classes={1} logits=±{2}")
    @MethodSource("softmaxCases")
    public void softmaxCrossEntropy(int rows, int classes, float range) {
        Case c = newCase("softmaxCrossEntropy", "rows=" + rows, "classes=" + classes, "range=" + range);
        float[] logits = draw(c, rows * classes, Dist.uniform(-range, range));
        int[] labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = c.random.nextInt(classes);
            if (classes > 1 && r % 3 == 0) { // a tie for the maximum: the first one counts
                int i = c.random.nextInt(classes - 1);
                int j = i + 1 + c.random.nextInt(classes - 1 - i);
                logits[r * classes + i] = range + 1;
                logits[r * classes + j] = range + 1;
                labels[r] = r % 2 == 0 ? i : j;
            }
        }
        GuardedSlice z = GuardedSlice.of(device(), "logits", c, logits);
        IntSlice labelSlice = labels(c, labels);
        GuardedSlice loss = output(c, "loss", 1);
        GuardedSlice correct = output(c, "correct", 1);
        GuardedSlice dlogits = output(c, "dlogits", rows * classes);
        run(graph(c).softmaxCrossEntropy(loss.slice(), correct.slice(), dlogits.slice(), z.slice(), labelSlice,
                rows, classes));
        SoftmaxExpected expected = Reference.softmaxCrossEntropy(logits, labels, rows, classes);
        assertClose(c, "loss", expected.loss(), loss.readChecked(c), Tolerance.REDUCTION);
        assertEquals(expected.correct(), correct.readChecked(c)[0], Tolerance.EXACT, c + ": correct");
        assertClose(c, "dlogits", expected.dlogits(), dlogits.readChecked(c), Tolerance.ELEMENTWISE);
    }

    // ---- convolutional layers ------------------------------------------------------------------

    /**
     * (batch, height, width, channels, size, stride, pad): trivial, padded, strided, non-square,
     * channel counts around the vector widths, overlapping and disjoint windows, an empty batch,
     * the first two layers of the Fashion-MNIST CNN, and one over 2^20 im2col elements.
     */
    private static final int[][] WINDOWS = {
        {1, 1, 1, 1, 1, 1, 0}, {2, 5, 5, 1, 3, 1, 1}, {3, 7, 6, 3, 3, 2, 1}, {2, 8, 8, 17, 2, 2, 0},
        {1, 6, 9, 5, 5, 1, 2}, {4, 9, 9, 2, 3, 3, 0}, {3, 5, 7, 4, 2, 1, 0}, {1, 4, 4, 33, 1, 1, 0},
        {0, 4, 4, 2, 3, 1, 1}, {2, 28, 28, 1, 3, 1, 1}, {2, 14, 14, 32, 3, 1, 1}, {1, 11, 13, 7, 4, 3, 2},
        {24, 14, 14, 32, 3, 1, 1},
    };

    static Stream<Window> windows() {
        return Stream.of(WINDOWS).map(v -> new Window(v[0], v[1], v[2], v[3], v[4], v[5], v[6]));
    }

    /** Windows × both poolings, where PyTorch allows the padding (at most half the window). */
    static Stream<Arguments> poolCases() {
        return Stream.of(Pooling.values()).flatMap(kind -> windows().filter(w -> w.pad() <= w.size() / 2)
                .flatMap(w -> Stream.of(arguments(kind, w, false), arguments(kind, w, true))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("windows")
    public void im2col(Window w) {
        Case c = newCase("im2col", w.toString());
        GuardedSlice x = input(c, "x", w.inputLength(), WIDE);
        GuardedSlice cols = output(c, "cols", w.columnsLength());
        run(graph(c).im2col(cols.slice(), x.slice(), w));
        assertBits(c, "cols", WindowReference.im2col(w, x.values()), cols.readChecked(c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("windows")
    public void col2im(Window w) {
        Case c = newCase("col2im", w.toString());
        GuardedSlice dcols = input(c, "dcols", w.columnsLength(), WIDE);
        GuardedSlice dx = output(c, "dx", w.inputLength());
        run(graph(c).col2im(dx.slice(), dcols.slice(), w));
        assertClose(c, "dx", WindowReference.col2im(w, dcols.values()), dx.readChecked(c), Tolerance.REDUCTION);
    }

    /**
     * Pooling forward; {@code ties}: inputs from a few levels only, so windows hold equal maxima
     * and the backward must pick the first.
     */
    @ParameterizedTest(name = "{0} {1} ties={2}")
    @MethodSource("poolCases")
    public void pool(Pooling kind, Window w, boolean ties) {
        Case c = newCase("pool", kind.toString(), w.toString(), "ties=" + ties);
        GuardedSlice x = GuardedSlice.of(device(), "x", c, poolInput(c, w, ties));
        GuardedSlice y = output(c, "y", w.pooledLength());
        run(graph(c).pool(kind, y.slice(), x.slice(), w));
        Expected expected = WindowReference.pool(kind, w, x.values());
        if (kind == Pooling.MAX) {
            float[] exact = new float[expected.value().length];
            for (int i = 0; i < exact.length; i++) {
                exact[i] = (float) expected.value()[i];
            }
            assertBits(c, "y", exact, y.readChecked(c));
        } else {
            assertClose(c, "y", expected, y.readChecked(c), Tolerance.REDUCTION);
        }
    }

    @ParameterizedTest(name = "{0} {1} ties={2}")
    @MethodSource("poolCases")
    public void poolBackward(Pooling kind, Window w, boolean ties) {
        Case c = newCase("poolBackward", kind.toString(), w.toString(), "ties=" + ties);
        GuardedSlice x = GuardedSlice.of(device(), "x", c, poolInput(c, w, ties));
        GuardedSlice dy = input(c, "dy", w.pooledLength(), WIDE);
        GuardedSlice dx = output(c, "dx", w.inputLength());
        run(graph(c).poolBackward(kind, dx.slice(), dy.slice(), x.slice(), w));
        assertClose(c, "dx", WindowReference.poolBackward(kind, w, dy.values(), x.values()), dx.readChecked(c),
                Tolerance.REDUCTION);
    }

    private static float[] poolInput(Case c, Window w, boolean ties) {
        float[] x = draw(c, w.inputLength(), WIDE);
        if (ties) {
            for (int i = 0; i < x.length; i++) {
                x[i] = c.random.nextInt(3) - 1; // -1, 0, 1
            }
        }
        return x;
    }

    /** Dropout at several rates, sizes up to over 2^20, the key at an offset in its buffer. */
    static Stream<Arguments> dropoutCases() {
        return Stream.of(0f, 0.1f, 0.5f, 0.9f).flatMap(rate -> sizes().mapToObj(n -> arguments(rate, n)));
    }

    @ParameterizedTest(name = "rate={0} n={1}")
    @MethodSource("dropoutCases")
    public void dropout(float rate, int n) {
        Case c = newCase("dropout", "rate=" + rate, "n=" + n);
        GuardedSlice x = input(c, "x", n, WIDE);
        GuardedSlice y = output(c, "y", n);
        int seed = c.random.nextInt(), step = c.random.nextInt(1 << 20), stream = c.random.nextInt(8);
        IntSlice key = labels(c, new int[] {seed, step});
        run(graph(c).dropout(y.slice(), x.slice(), key, stream, rate));
        float[] expected = WindowReference.dropout(x.values(), seed, step, stream, rate);
        float[] got = y.readChecked(c);
        assertBits(c, "y", expected, got);
        if (n >= 4099) { // the mask is a fair coin of the given bias: kept fraction within 5 standard deviations
            long kept = IntStream.range(0, n).filter(i -> expected[i] != 0).count();
            double sd = Math.sqrt(n * rate * (1 - rate));
            assertTrue(Math.abs(kept - n * (1 - rate)) <= 5 * sd + 1, c + ": kept " + kept + " of " + n);
        }
    }

    /**
     * One plan executed at two steps: the key the host writes selects the mask (same step, same
     * mask; another step, another), and dropout in place over its own input works.
     */
    @Test
    public void dropoutMaskFollowsTheHostWrittenStep() {
        Case c = newCase("dropout", "plan");
        int n = 4099;
        float[] values = draw(c, n, POSITIVE);
        FloatBuffer x = device().allocFloat("x", n);
        FloatBuffer y = device().allocFloat("y", n);
        IntBuffer key = device().allocInt("key", 2);
        Graph g = graph(c).copy(y.all(), x.all()).dropout(y.all(), y.all(), key.all(), 3, 0.25f);
        try (Plan plan = g.hostWrites(x, key).hostReads(y).compile()) {
            x.write(values);
            float[][] got = new float[3][];
            int[] steps = {7, 7, 8};
            for (int r = 0; r < 3; r++) {
                key.write(new int[] {42, steps[r]});
                plan.execute();
                got[r] = y.read();
                assertBits(c, "y at step " + steps[r], WindowReference.dropout(values, 42, steps[r], 3, 0.25f), got[r]);
            }
            assertTrue(Arrays.equals(got[0], got[1]) && !Arrays.equals(got[0], got[2]),
                    c + ": the same step must give the same mask and another step another");
        }
    }

    // ---- plans ---------------------------------------------------------------------------------

    /**
     * One plan, compiled once, executed several times with host writes in between: later tasks
     * consume earlier tasks' outputs, and state (acc, θ) carries over between executions.
     */
    @Test
    public void planRunsTheWholeRecordingOnEveryExecution() {
        Case c = newCase("plan");
        int n = 4099;
        Dist moderate = Dist.uniform(0.5, 1.5); // one sign: no cancellation between the chained tasks
        GuardedSlice x = input(c, "x", n, moderate);
        GuardedSlice p = input(c, "params", 4, moderate); // [alpha, beta, c0, c1], rewritten each run
        GuardedSlice yz = output(c, "yz", 2 * n); // y and z, one after the other: combine's stage matrix
        FloatSlice y = yz.slice().sub(0, n);
        FloatSlice z = yz.slice().sub(n, n);
        GuardedSlice s = output(c, "s", 1);
        GuardedSlice acc = input(c, "acc", n, POSITIVE);
        GuardedSlice theta = input(c, "theta", n, SIGNED);
        FloatSlice pc = p.slice().sub(2, 2);
        Graph graph = graph(c)
                .scale(y, p.element(0), x.slice())                             // y = α x
                .axpby(z, p.element(1), y, p.element(0), x.slice())            // z = β y + α x
                .accumulateSquares(acc.slice(), z)                             // acc += z²
                .dot(s.slice(), z, y)                                          // s = z·y
                .combine(theta.slice(), theta.slice(), yz.slice(), n, 2, pc)   // θ += c0 y + c1 z
                .hostWrites(x.slice().buffer(), p.slice().buffer())
                .hostReads(s.slice().buffer(), acc.slice().buffer(), theta.slice().buffer(), yz.slice().buffer());
        float[] hostAcc = acc.values();
        float[] hostTheta = theta.values();
        try (Plan plan = graph.compile()) {
            assertThrows(IllegalStateException.class, () -> graph.fill(y, 0), "recording into a compiled graph");
            for (int run = 0; run < 4; run++) {
                Case step = newCase("plan", "execution " + run);
                float[] xs = draw(step, n, moderate);
                float[] ps = draw(step, 4, moderate);
                ps[2] -= 1; // combine's coefficients in [-0.5, 0.5]
                ps[3] -= 1;
                x.slice().buffer().write(x.slice().offset(), xs, 0, n);
                p.slice().buffer().write(p.slice().offset(), ps, 0, 4);
                plan.execute();
                float[] gotYz = yz.readChecked(step);
                float[] gotY = Arrays.copyOfRange(gotYz, 0, n);
                float[] gotZ = Arrays.copyOfRange(gotYz, n, 2 * n);
                assertClose(step, "y", Reference.scale(ps[0], xs), gotY, Tolerance.ELEMENTWISE);
                assertClose(step, "z", Reference.axpby(ps[1], gotY, ps[0], xs), gotZ, Tolerance.ELEMENTWISE);
                assertClose(step, "s", Reference.dot(gotZ, gotY), s.readChecked(step), Tolerance.REDUCTION);
                float[] gotAcc = acc.readChecked(step);
                assertClose(step, "acc", Reference.squares(hostAcc, gotZ, 1, 1), gotAcc, Tolerance.ELEMENTWISE);
                float[] gotTheta = theta.readChecked(step);
                assertClose(step, "theta", Reference.combine(hostTheta, gotYz, n, Arrays.copyOfRange(ps, 2, 4), 2),
                        gotTheta, Tolerance.ELEMENTWISE);
                hostAcc = gotAcc;
                hostTheta = gotTheta;
            }
        }
    }

    // ---- bad arguments -------------------------------------------------------------------------

    /** A call that must be rejected, the kernel and the argument its message must name. */
    record BadCall(String description, String kernel, String argument, Consumer<Graph> call) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<BadCall> badCalls() {
        return Stream.of(
                new BadCall("copy: lengths differ", "copy", "x", g -> g.copy(f(g, 5), f(g, 6))),
                new BadCall("axpby: y too short", "axpby", "y",
                        g -> g.axpby(f(g, 5), f(g, 1), f(g, 5), f(g, 1), f(g, 4))),
                new BadCall("scale: alpha is not a scalar", "scale", "alpha", g -> g.scale(f(g, 5), f(g, 2), f(g, 5))),
                new BadCall("combine: 0 stages", "combine", "count", g -> g.combine(f(g, 4), f(g, 4), f(g, 8), 4, 0,
                        f(g, 1))),
                new BadCall("combine: stride below the length", "combine", "stride",
                        g -> g.combine(f(g, 4), f(g, 4), f(g, 8), 3, 2, f(g, 2))),
                new BadCall("combine: stage matrix too short", "combine", "stages",
                        g -> g.combine(f(g, 4), f(g, 4), f(g, 7), 4, 2, f(g, 2))),
                new BadCall("combine: too few coefficients", "combine", "coeffs",
                        g -> g.combine(f(g, 4), f(g, 4), f(g, 8), 4, 2, f(g, 1))),
                new BadCall("copy: out past the end of its buffer", "copy", "out",
                        g -> g.copy(new FloatSlice(buffer(g, 8), 4, 5), f(g, 5))),
                new BadCall("copy: x at a negative offset", "copy", "x",
                        g -> g.copy(f(g, 3), new FloatSlice(buffer(g, 8), -1, 3))),
                new BadCall("precondition: negative length", "precondition", "v",
                        g -> g.precondition(f(g, 0), f(g, 0), new FloatSlice(buffer(g, 8), 2, -1), f(g, 1))),
                new BadCall("adam: params of the wrong length", "adam", "params",
                        g -> g.adam(f(g, 3), f(g, 3), f(g, 3), f(g, 3), f(g, 6))),
                new BadCall("momentum: m too long", "momentum", "m", g -> g.momentum(f(g, 3), f(g, 4), f(g, 3),
                        f(g, 2))),
                new BadCall("sum: out is not a scalar", "sum", "out", g -> g.sum(f(g, 2), f(g, 5))),
                new BadCall("dot: y too short", "dot", "y", g -> g.dot(f(g, 1), f(g, 5), f(g, 4))),
                new BadCall("rmsErrorNorm: tol of the wrong length", "rmsErrorNorm", "tol",
                        g -> g.rmsErrorNorm(f(g, 1), f(g, 5), f(g, 5), f(g, 5), f(g, 3))),
                new BadCall("gemm: negative m", "gemm", "m",
                        g -> g.gemm(GemmForm.NN, -1, 2, 3, f(g, 0), f(g, 0), f(g, 6), false)),
                new BadCall("gemm: negative n", "gemm", "n",
                        g -> g.gemm(GemmForm.NT, 2, -1, 3, f(g, 0), f(g, 6), f(g, 0), false)),
                new BadCall("gemm: negative k", "gemm", "k",
                        g -> g.gemm(GemmForm.TN, 2, 3, -1, f(g, 6), f(g, 0), f(g, 0), true)),
                new BadCall("gemm: c of the wrong length", "gemm", "c",
                        g -> g.gemm(GemmForm.NN, 2, 3, 4, f(g, 5), f(g, 8), f(g, 12), false)),
                new BadCall("gemm: a of the wrong length", "gemm", "a",
                        g -> g.gemm(GemmForm.TN, 2, 3, 4, f(g, 6), f(g, 9), f(g, 12), false)),
                new BadCall("biasAdd: negative rows", "biasAdd", "rows", g -> g.biasAdd(f(g, 0), f(g, 3), -1, 3)),
                new BadCall("biasGrad: negative cols", "biasGrad", "cols",
                        g -> g.biasGrad(f(g, 0), f(g, 0), 2, -3, false)),
                new BadCall("activationBackward: dy too short", "activationBackward", "dy",
                        g -> g.activationBackward(Activation.GELU, f(g, 5), f(g, 4), f(g, 5))),
                new BadCall("softmaxCrossEntropy: 0 classes", "softmaxCrossEntropy", "classes",
                        g -> g.softmaxCrossEntropy(f(g, 1), f(g, 1), f(g, 0), f(g, 0), i(g, 2), 2, 0)),
                new BadCall("softmaxCrossEntropy: too few labels", "softmaxCrossEntropy", "labels",
                        g -> g.softmaxCrossEntropy(f(g, 1), f(g, 1), f(g, 6), f(g, 6), i(g, 1), 2, 3)),
                new BadCall("window: pad not below the size", "window", "pad",
                        g -> new Window(1, 4, 4, 1, 2, 1, 2)),
                new BadCall("window: larger than the padded image", "window", "size",
                        g -> new Window(1, 3, 3, 1, 6, 1, 1)),
                new BadCall("window: zero channels", "window", "channels",
                        g -> new Window(1, 3, 3, 0, 1, 1, 0)),
                new BadCall("im2col: cols of the wrong length", "im2col", "cols",
                        g -> g.im2col(f(g, 8), f(g, 16), new Window(1, 4, 4, 1, 3, 1, 0))),
                new BadCall("col2im: dx of the wrong length", "col2im", "dx",
                        g -> g.col2im(f(g, 15), f(g, 36), new Window(1, 4, 4, 1, 3, 1, 0))),
                new BadCall("maxPool: pad over half the window", "maxPool", "window",
                        g -> g.pool(Pooling.MAX, f(g, 36), f(g, 16), new Window(1, 4, 4, 1, 3, 1, 2))),
                new BadCall("avgPoolBackward: dy of the wrong length", "avgPoolBackward", "dy",
                        g -> g.poolBackward(Pooling.AVERAGE, f(g, 16), f(g, 5), f(g, 16), new Window(1, 4, 4, 1, 2, 2, 0))),
                new BadCall("dropout: rate 1", "dropout", "rate",
                        g -> g.dropout(f(g, 4), f(g, 4), i(g, 2), 0, 1f)),
                new BadCall("dropout: key of the wrong length", "dropout", "key",
                        g -> g.dropout(f(g, 4), f(g, 4), i(g, 3), 0, 0.5f)),
                new BadCall("axpby: out overlaps x at another offset", "axpby", "out", g -> {
                    FloatBuffer b = buffer(g, 20);
                    g.axpby(b.slice(0, 10), f(g, 1), b.slice(5, 10), f(g, 1), f(g, 10));
                }),
                new BadCall("combine: out overlaps the stage matrix", "combine", "out", g -> {
                    FloatBuffer b = buffer(g, 20);
                    g.combine(b.slice(0, 4), f(g, 4), b.slice(2, 8), 4, 2, f(g, 2));
                }),
                new BadCall("gemm: c is a (gemm cannot work in place)", "gemm", "c", g -> {
                    FloatBuffer b = buffer(g, 4);
                    g.gemm(GemmForm.NN, 2, 2, 2, b.all(), b.all(), f(g, 4), false);
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCalls")
    public void badArgumentsAreRejected(BadCall bad) {
        Graph graph = device().graph("bad arguments");
        assertNamesKernelAndArgument(bad.kernel(), bad.argument(),
                assertThrows(IllegalArgumentException.class, () -> bad.call().accept(graph), bad.description()));
    }

    @Test
    public void buffersOfAnotherDeviceAreRejected() {
        try (Device other = openDevice()) {
            Graph graph = device().graph("cross-device");
            FloatSlice foreign = other.allocFloat("foreign", 6).all();
            IntSlice foreignLabels = other.allocInt("foreignLabels", 2).all();
            assertNamesKernelAndArgument("copy", "x", assertThrows(IllegalArgumentException.class,
                    () -> graph.copy(f(graph, 6), foreign)));
            assertNamesKernelAndArgument("gemm", "c", assertThrows(IllegalArgumentException.class,
                    () -> graph.gemm(GemmForm.NN, 2, 3, 1, foreign, f(graph, 2), f(graph, 3), true)));
            assertNamesKernelAndArgument("softmaxCrossEntropy", "labels", assertThrows(IllegalArgumentException.class,
                    () -> graph.softmaxCrossEntropy(f(graph, 1), f(graph, 1), f(graph, 6), f(graph, 6), foreignLabels,
                            2, 3)));
            assertThrows(IllegalArgumentException.class, () -> graph.hostWrites(foreign.buffer()));
        }
    }

    @Test
    public void unknownDeviceIdListsTheAvailableDevices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Devices.open("no-such-device"));
        assertTrue(e.getMessage().contains("no-such-device") && e.getMessage().contains(device().id()),
                "message should name the id asked for and list '" + device().id() + "': " + e.getMessage());
    }

    private static void assertNamesKernelAndArgument(String kernel, String argument, IllegalArgumentException e) {
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains(kernel) && message.contains("'" + argument + "'"),
                "message should name kernel " + kernel + " and argument '" + argument + "': " + message);
    }

    // ---- helpers -------------------------------------------------------------------------------

}
