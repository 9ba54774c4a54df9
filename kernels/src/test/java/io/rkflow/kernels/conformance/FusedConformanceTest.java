package io.rkflow.kernels.conformance;

import static io.rkflow.kernels.conformance.Approx.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rkflow.kernels.Activation;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.Fused;
import io.rkflow.kernels.Fusion;
import io.rkflow.kernels.GemmForm;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
import io.rkflow.kernels.Reduction;
import io.rkflow.kernels.Task;
import io.rkflow.kernels.conformance.Reference.Expected;
import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance suite of the fused kernels ({@link Fused}): every device subclasses it beside
 * {@link DeviceConformanceTest}. Each fused kernel is checked part by part against the references
 * of the tasks it replaces: a GEMM's C against the double-precision product, and each later part
 * against its reference applied to the device's own output of the part before (so each part is
 * held to its own bound). Outputs are poisoned and guarded as in the main suite. A graph compiled
 * at every {@link Fusion} level must also give the same results within those bounds.
 */
public abstract class FusedConformanceTest extends ConformanceBase {

    private static final Dist SIGNED = Dist.uniform(-1, 1);
    private static final Dist WIDE = Dist.wide();
    private static final Dist POSITIVE = Dist.uniform(0.01, 1);

    /** (m, n, k): single elements, primes, edges of every tile, an MLP's shapes, k ≥ 1000. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {2, 3, 5}, {7, 13, 31}, {17, 33, 65}, {129, 127, 130}, {64, 10, 784}, {128, 10, 33},
        {31, 17, 1000}, {1031, 67, 3},
    };

    /** Each shape with each activation, or none. */
    static Stream<Arguments> denseCases() {
        return Stream.concat(Stream.of(Activation.values()), Stream.of((Activation) null))
                .flatMap(kind -> Stream.of(SHAPES).map(s -> arguments(kind, s[0], s[1], s[2])));
    }

    static Stream<Arguments> backwardCases() {
        return Stream.of(Activation.values()).flatMap(kind -> Stream.of(SHAPES)
                .flatMap(s -> Stream.of(GemmForm.NN, GemmForm.NT).map(f -> arguments(kind, f, s[0], s[1], s[2]))));
    }

    static Stream<Arguments> biasGradCases() {
        return Stream.of(false, true).flatMap(acc -> Stream.of(SHAPES).map(s -> arguments(s[0], s[1], s[2], acc)));
    }

    /** (n, stages, accumulator: none/sum/ema, precondition, check). */
    static Stream<Arguments> tailCases() {
        return IntStream.of(1, 7, 33, 4099, (1 << 20) + 3).boxed().flatMap(n -> Stream.of(
                arguments(n, 1, "sum", true, false), arguments(n, 2, "none", true, false),
                arguments(n, 3, "ema", true, true), arguments(n, 4, "none", false, true),
                arguments(n, 4, "sum", true, true)));
    }

    // ---- GEMM epilogues ------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} m={1} n={2} k={3}")
    @MethodSource("denseCases")
    public void denseForward(Activation kind, int m, int n, int k) {
        Case c = newCase("gemm+biasAdd+activation", String.valueOf(kind), "m=" + m, "n=" + n, "k=" + k);
        GuardedSlice a = input(c, "a", m * k, SIGNED);
        GuardedSlice b = input(c, "b", k * n, SIGNED);
        GuardedSlice bias = input(c, "bias", n, SIGNED);
        GuardedSlice z = output(c, "z", m * n);
        GuardedSlice y = kind == null ? null : output(c, "y", m * n);
        Task.Gemm gemm = new Task.Gemm(GemmForm.NN, m, n, k, z.slice(), a.slice(), b.slice(), false);
        Task.BiasAdd add = new Task.BiasAdd(z.slice(), bias.slice(), m, n);
        Task.ActivationForward act = kind == null ? null : new Task.ActivationForward(kind, y.slice(), z.slice());
        run(graph(c).add(new Fused.DenseForward(gemm, add, act)));
        Expected product = Reference.gemm(GemmForm.NN, m, n, k, a.values(), b.values(), null);
        float[] gotZ = z.readChecked(c);
        assertClose(c, "z", plusBias(product, bias.values(), n), gotZ, Tolerance.gemm(k));
        if (kind != null) {
            assertClose(c, "y", Reference.activation(kind, gotZ), y.readChecked(c), activationTolerance(kind));
        }
    }

    @ParameterizedTest(name = "{0} {1} m={2} n={3} k={4}")
    @MethodSource("backwardCases")
    public void gemmActivationBackward(Activation kind, GemmForm form, int m, int n, int k) {
        Case c = newCase("gemm+activationBackward", kind.toString(), form.toString(), "m=" + m, "n=" + n, "k=" + k);
        GuardedSlice a = input(c, "a", m * k, SIGNED);
        GuardedSlice b = input(c, "b", k * n, SIGNED);
        GuardedSlice x = input(c, "x", m * n, Dist.uniform(-4, 4));
        GuardedSlice da = output(c, "da", m * n);
        GuardedSlice dx = output(c, "dx", m * n);
        Task.Gemm gemm = new Task.Gemm(form, m, n, k, da.slice(), a.slice(), b.slice(), false);
        run(graph(c).add(new Fused.GemmActivationBackward(gemm,
                new Task.ActivationBackward(kind, dx.slice(), da.slice(), x.slice()))));
        float[] gotDa = da.readChecked(c);
        assertClose(c, "da", Reference.gemm(form, m, n, k, a.values(), b.values(), null), gotDa, Tolerance.gemm(k));
        assertClose(c, "dx", Reference.activationBackward(kind, gotDa, x.values()), dx.readChecked(c),
                activationTolerance(kind));
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} accumulate={3}")
    @MethodSource("biasGradCases")
    public void gemmBiasGrad(int m, int n, int k, boolean accumulate) {
        Case c = newCase("gemm+biasGrad", "m=" + m, "n=" + n, "k=" + k, "accumulate=" + accumulate);
        GuardedSlice a = input(c, "a", k * m, SIGNED);
        GuardedSlice dy = input(c, "dy", k * n, WIDE);
        GuardedSlice dw = accumulate ? input(c, "dw", m * n, SIGNED) : output(c, "dw", m * n);
        GuardedSlice db = accumulate ? input(c, "db", n, WIDE) : output(c, "db", n);
        Task.Gemm gemm = new Task.Gemm(GemmForm.TN, m, n, k, dw.slice(), a.slice(), dy.slice(), accumulate);
        run(graph(c).add(new Fused.GemmBiasGrad(gemm, new Task.BiasGrad(db.slice(), dy.slice(), k, n, accumulate))));
        assertClose(c, "dw", Reference.gemm(GemmForm.TN, m, n, k, a.values(), dy.values(),
                accumulate ? dw.values() : null), dw.readChecked(c), Tolerance.gemm(k));
        assertClose(c, "db", Reference.biasGrad(dy.values(), k, n, accumulate ? db.values() : null),
                db.readChecked(c), Tolerance.REDUCTION);
    }

    // ---- the optimizer's tail ------------------------------------------------------------------

    /**
     * v (+)= g² (or its EMA), g ← g / sqrt(δ + v) in place in the last stage of the stage matrix,
     * out = x + Σ_j c_j K_j over all stages, and the non-finite flag of out.
     */
    @ParameterizedTest(name = "n={0} stages={1} accumulate={2} precondition={3} check={4}")
    @MethodSource("tailCases")
    public void optimizerTail(int n, int count, String accumulator, boolean precondition, boolean check) {
        Case c = newCase("optimizerTail", "n=" + n, "stages=" + count, accumulator, "precondition=" + precondition,
                "check=" + check);
        int stride = n + 3;
        GuardedSlice x = input(c, "x", n, WIDE);
        GuardedSlice stages = input(c, "stages", (count - 1) * stride + n, SIGNED);
        GuardedSlice coeffs = input(c, "coeffs", count, Dist.uniform(-1.5, 1.5));
        GuardedSlice v = input(c, "v", n, POSITIVE);
        GuardedSlice scalars = GuardedSlice.of(device(), "scalars", c, c.next(Dist.uniform(0.5, 1.5)),
                c.next(Dist.uniform(0.5, 0.99)));
        GuardedSlice out = output(c, "out", n);
        GuardedSlice flag = output(c, "flag", 1);
        FloatSlice g = stages.slice().sub((count - 1) * stride, n);
        Task.AccumulateSquares acc = switch (accumulator) {
            case "sum" -> new Task.AccumulateSquares(v.slice(), g, null);
            case "ema" -> new Task.AccumulateSquares(v.slice(), g, scalars.element(1));
            default -> null;
        };
        Task.Precondition pre = precondition ? new Task.Precondition(g, g, v.slice(), scalars.element(0)) : null;
        Task.Combine combine = new Task.Combine(out.slice(), x.slice(), stages.slice(), stride, count, coeffs.slice());
        Task.Reduce nonFinite = check ? new Task.Reduce(Reduction.NON_FINITE, flag.slice(), out.slice(), null) : null;
        run(graph(c).add(new Fused.OptimizerTail(acc, pre, combine, nonFinite)));

        float[] gIn = Arrays.copyOfRange(stages.values(), (count - 1) * stride, (count - 1) * stride + n);
        float[] gotV = v.readChecked(c);
        if (acc != null) {
            boolean ema = accumulator.equals("ema");
            double beta = scalars.value(1);
            assertClose(c, "v", Reference.squares(v.values(), gIn, ema ? beta : 1, ema ? 1 - beta : 1), gotV,
                    Tolerance.ELEMENTWISE);
        }
        float[] gotStages = stages.readChecked(c);
        if (pre != null) {
            float[] gotG = Arrays.copyOfRange(gotStages, (count - 1) * stride, (count - 1) * stride + n);
            assertClose(c, "g", Reference.precondition(gIn, gotV, scalars.value(0)), gotG, Tolerance.ELEMENTWISE);
        }
        float[] gotOut = out.readChecked(c);
        assertClose(c, "out", Reference.combine(x.values(), gotStages, stride, coeffs.values(), count), gotOut,
                Tolerance.ELEMENTWISE);
        if (check) {
            assertEquals(Reference.nonFinite(gotOut), flag.readChecked(c)[0], Tolerance.EXACT, c + ": flag");
        } else {
            assertEquals(Float.NaN, flag.readChecked(c)[0], c + ": flag untouched");
        }
    }

    @Test
    public void optimizerTailFlagsANonFiniteResult() {
        Case c = newCase("optimizerTail", "non-finite");
        int n = 4099;
        float[] xs = draw(c, n, SIGNED);
        xs[c.random.nextInt(n)] = Float.POSITIVE_INFINITY;
        GuardedSlice x = GuardedSlice.of(device(), "x", c, xs);
        GuardedSlice stages = input(c, "stages", n, SIGNED);
        GuardedSlice coeffs = input(c, "coeffs", 1, SIGNED);
        GuardedSlice flag = output(c, "flag", 1);
        Task.Combine combine = new Task.Combine(x.slice(), x.slice(), stages.slice(), n, 1, coeffs.slice());
        run(graph(c).add(new Fused.OptimizerTail(null, null, combine,
                new Task.Reduce(Reduction.NON_FINITE, flag.slice(), x.slice(), null))));
        assertEquals(1f, flag.readChecked(c)[0], c + ": flag");
    }

    // ---- the pass ------------------------------------------------------------------------------

    /**
     * Two dense layers forward and backward (tanh, then softmax-free: a plain output gradient),
     * AdaGrad's accumulator and preconditioner and an update with its check, compiled at every
     * fusion level: each level's results agree with the unfused plan's within the GEMM bound, and
     * the fused levels run fewer kernels.
     */
    @Test
    public void everyFusionLevelComputesTheSameResults() {
        int batch = 33, in = 65, hidden = 31, out = 10;
        float[][] results = new float[Fusion.values().length][];
        int[] kernels = new int[Fusion.values().length];
        int[] tasks = new int[Fusion.values().length];
        Case seed = newCase("fusion levels");
        float[] x0 = draw(seed, batch * in, SIGNED);
        float[] w0 = draw(seed, in * hidden + hidden + hidden * out + out, Dist.uniform(-0.3, 0.3));
        float[] dy0 = draw(seed, batch * out, SIGNED);
        for (Fusion level : Fusion.values()) {
            int params = w0.length;
            var x = device().allocFloat("x", batch * in);
            var theta = device().allocFloat("theta", params);
            var grad = device().allocFloat("grad", params);
            var v = device().allocFloat("v", params);
            var z1 = device().allocFloat("z1", batch * hidden);
            var a1 = device().allocFloat("a1", batch * hidden);
            var z2 = device().allocFloat("z2", batch * out);
            var dz2 = device().allocFloat("dz2", batch * out);
            var da1 = device().allocFloat("da1", batch * hidden);
            var dz1 = device().allocFloat("dz1", batch * hidden);
            var scalars = device().allocFloat("scalars", 2);
            var flag = device().allocFloat("flag", 1);
            x.write(x0);
            theta.write(w0);
            dz2.write(dy0);
            scalars.write(new float[] {1f, -0.05f});
            FloatSlice w1 = theta.slice(0, in * hidden), b1 = theta.slice(in * hidden, hidden);
            int o2 = in * hidden + hidden;
            FloatSlice w2 = theta.slice(o2, hidden * out), b2 = theta.slice(o2 + hidden * out, out);
            Graph g = device().graph("two layers at " + level.label()).fusion(level)
                    .gemm(GemmForm.NN, batch, hidden, in, z1.all(), x.all(), w1, false)
                    .biasAdd(z1.all(), b1, batch, hidden)
                    .activation(Activation.TANH, a1.all(), z1.all())
                    .gemm(GemmForm.NN, batch, out, hidden, z2.all(), a1.all(), w2, false)
                    .biasAdd(z2.all(), b2, batch, out)
                    .gemm(GemmForm.TN, hidden, out, batch, grad.slice(o2, hidden * out), a1.all(), dz2.all(), false)
                    .biasGrad(grad.slice(o2 + hidden * out, out), dz2.all(), batch, out, false)
                    .gemm(GemmForm.NT, batch, hidden, out, da1.all(), dz2.all(), w2, false)
                    .activationBackward(Activation.TANH, dz1.all(), da1.all(), z1.all())
                    .gemm(GemmForm.TN, in, hidden, batch, grad.slice(0, in * hidden), x.all(), dz1.all(), false)
                    .biasGrad(grad.slice(in * hidden, hidden), dz1.all(), batch, hidden, false)
                    .accumulateSquares(v.all(), grad.all())
                    .precondition(grad.all(), grad.all(), v.all(), scalars.at(0))
                    .combine(theta.all(), theta.all(), grad.all(), params, 1, scalars.at(1))
                    .nonFinite(flag.at(0), theta.all());
            tasks[level.ordinal()] = g.kernelTasks().size();
            try (Plan plan = g.compile()) {
                plan.execute();
                kernels[level.ordinal()] = plan.kernels();
            }
            float[] r = new float[params + batch * hidden + batch * out + 1];
            theta.read(0, r, 0, params);
            a1.read(0, r, params, batch * hidden);
            z2.read(0, r, params + batch * hidden, batch * out);
            flag.read(0, r, r.length - 1, 1);
            results[level.ordinal()] = r;
        }
        double[] unfused = new double[results[0].length];
        double[] scale = new double[unfused.length];
        for (int i = 0; i < unfused.length; i++) {
            unfused[i] = results[0][i];
            scale[i] = Math.max(1, Math.abs(unfused[i]));
        }
        for (Fusion level : Fusion.values()) {
            assertClose(seed + " at " + level.label(), "theta, a1, z2, flag", new Expected(unfused, scale),
                    results[level.ordinal()], Tolerance.GEMM_SHORT);
        }
        assertArrayEquals(new int[] {15, 9, 6}, tasks, "tasks per level (none, epilogue, full)");
        assertTrue(kernels[0] > kernels[1] && kernels[1] > kernels[2], "kernels per level: " + Arrays.toString(kernels));
    }

    private static Expected plusBias(Expected product, float[] bias, int n) {
        double[] value = product.value().clone();
        double[] scale = product.scale().clone();
        for (int i = 0; i < value.length; i++) {
            value[i] += bias[i % n];
            scale[i] += Math.abs(bias[i % n]);
        }
        return new Expected(value, scale);
    }

    private static double activationTolerance(Activation kind) {
        return kind == Activation.RELU ? Tolerance.EXACT : Tolerance.ELEMENTWISE;
    }
}
