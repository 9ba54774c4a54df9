package io.rkflow.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.rkflow.kernels.Activation;
import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.GemmForm;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.IntBuffer;
import io.rkflow.kernels.Plan;
import io.rkflow.kernels.Pooling;
import io.rkflow.kernels.Window;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md §2: the JVM device uses fixed partitions combined in a fixed order, so results do
 * not depend on the thread count or on timing. One plan with many kernels, every one of them
 * large enough to be split into several chunks (reductions and elementwise kernels over 2^20
 * elements, a GEMM of several tiles and k-blocks, a bias gradient of several column blocks), must
 * give bit-identical outputs on 1, 2 and 3 threads, and on repeated executions.
 */
class JvmDeterminismTest {

    private static final long SEED = 20250517L;
    private static final int N = (1 << 20) + 3;
    private static final int STAGES = 4;
    /** C is M × P, its inner dimension K: several tiles in both directions and several k-blocks. */
    private static final int M = 300;
    private static final int P = 600;
    private static final int K = 700;

    @Test
    void resultsAreBitIdenticalForAnyThreadCountAndEveryExecution() {
        Map<String, float[]> reference = null;
        for (int threads : new int[] {1, 2, 3}) {
            try (JvmDevice device = new JvmDevice(threads);
                    Workload workload = new Workload(device)) {
                Map<String, float[]> first = workload.execute();
                assertBitIdentical(first, workload.execute(), threads + " threads, second execution");
                if (reference == null) {
                    reference = first;
                } else {
                    assertBitIdentical(reference, first, threads + " threads against 1 thread");
                }
            }
        }
    }

    /**
     * Many executions of one plan on unchanged inputs must repeat bit for bit, also across the
     * JIT's compilation (and Vector API intrinsification) of the kernels: a device whose results
     * depend on which code path ran them is not deterministic. The check runs in a fresh JVM, where
     * the kernels start cold whatever ran before in this one.
     */
    @Test
    void repeatedExecutionsAreBitIdenticalFromAColdStart() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), ColdStart.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "cold-start repeat check: " + output);
    }

    /**
     * The cold-start check: activations forward and backward over their saturated tails
     * (x ∈ [−12, 12], where a slope that cancels exposes 1-ulp differences of tanh or exp),
     * executed 500 times on one thread, every execution compared with the first.
     */
    static final class ColdStart {
        public static void main(String[] args) {
            int n = 4099;
            SplittableRandom random = new SplittableRandom(SEED);
            try (JvmDevice device = new JvmDevice(1)) {
                FloatBuffer x = device.allocFloat("x", n);
                FloatBuffer dy = device.allocFloat("dy", n);
                x.write(randomFloats(random, n, -12, 12));
                dy.write(randomFloats(random, n, -1, 1));
                Graph graph = device.graph("repeat");
                List<FloatBuffer> outputs = new ArrayList<>();
                for (Activation kind : Activation.values()) {
                    FloatBuffer y = device.allocFloat(kind + " forward", n);
                    FloatBuffer dx = device.allocFloat(kind + " backward", n);
                    graph.activation(kind, y.all(), x.all()).activationBackward(kind, dx.all(), dy.all(), x.all());
                    outputs.add(y);
                    outputs.add(dx);
                }
                try (Plan plan = graph.compile()) {
                    Map<String, float[]> first = null;
                    for (int run = 0; run < 500; run++) {
                        plan.execute();
                        Map<String, float[]> results = new LinkedHashMap<>();
                        outputs.forEach(out -> results.put(out.name(), out.read()));
                        if (first == null) {
                            first = results;
                        } else {
                            assertBitIdentical(first, results, "execution " + run + " against the first");
                        }
                    }
                }
            } catch (AssertionError e) {
                System.out.println(e.getMessage());
                System.exit(1);
            }
        }
    }

    /** n floats uniform in [lo, hi). */
    private static float[] randomFloats(SplittableRandom random, int n, double lo, double hi) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextDouble(lo, hi);
        }
        return values;
    }

    private static void assertBitIdentical(Map<String, float[]> expected, Map<String, float[]> got, String what) {
        assertEquals(expected.keySet(), got.keySet(), what);
        for (Map.Entry<String, float[]> e : expected.entrySet()) {
            float[] a = e.getValue();
            float[] b = got.get(e.getKey());
            assertEquals(a.length, b.length, what + ": length of " + e.getKey());
            for (int i = 0; i < a.length; i++) {
                if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                    fail(what + ": " + e.getKey() + "[" + i + "] = " + b[i] + ", expected the bits of " + a[i]);
                }
            }
        }
    }

    /**
     * The plan and its inputs: a stage combination, an Adam step, every reduction, three GEMMs,
     * bias add and gradient, GELU forward and backward, softmax cross-entropy, im2col and col2im, max
     * and average pooling forward and backward, dropout, and (compiled at
     * the default fusion level) every fused kernel: a dense forward, an input gradient with the
     * activation's backward, a weight gradient with its bias gradient, and an optimizer tail.
     * Every input is rewritten before each execution, so executions must repeat exactly.
     */
    private static final class Workload implements AutoCloseable {

        private final Map<FloatBuffer, float[]> inputs = new LinkedHashMap<>();
        private final List<FloatBuffer> outputs = new ArrayList<>();
        private final IntBuffer labels;
        private final int[] labelValues;
        private final Plan plan;

        Workload(Device device) {
            SplittableRandom random = new SplittableRandom(SEED);
            FloatBuffer theta = input(device, "theta", N, random);
            FloatBuffer stages = input(device, "stages", STAGES * N, random);
            FloatBuffer m = input(device, "m", N, random);
            FloatBuffer v = input(device, "v", N, random);
            FloatBuffer coeffs = input(device, "coeffs", STAGES, random);
            FloatBuffer adam = device.allocFloat("adamParams", 7);
            inputs.put(adam, new float[] {1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 10f, 1000f});
            FloatBuffer tol = device.allocFloat("tol", 2);
            inputs.put(tol, new float[] {1e-3f, 1e-2f});
            FloatBuffer a = input(device, "a", M * K, random);
            FloatBuffer b = input(device, "b", K * P, random);
            FloatBuffer bias = input(device, "bias", P, random);
            labels = device.allocInt("labels", M);
            labelValues = random.ints(M, 0, P).toArray();

            FloatBuffer point = output(device, "point", N);
            FloatBuffer scalars = output(device, "scalars", 8);
            FloatBuffer c = output(device, "c", M * P);
            FloatBuffer h = output(device, "h", M * P);
            FloatBuffer dh = output(device, "dh", M * P);
            FloatBuffer dc = output(device, "dc", M * P);
            FloatBuffer db = output(device, "db", P);
            FloatBuffer da = output(device, "da", M * K);
            FloatBuffer dw = output(device, "dw", K * P);
            FloatBuffer g2 = input(device, "g2", N, random);
            FloatBuffer v2 = input(device, "v2", N, random);
            FloatBuffer theta2 = input(device, "theta2", N, random);
            FloatBuffer da2 = output(device, "da2", M * K);
            FloatBuffer dx2 = output(device, "dx2", M * K);
            FloatBuffer dw2 = output(device, "dw2", K * P);
            FloatBuffer db2 = output(device, "db2", P);
            FloatBuffer flag = output(device, "flag", 1);

            Graph graph = device.graph("determinism")
                    .combine(point.all(), theta.all(), stages.all(), N, STAGES, coeffs.all())
                    .sum(scalars.at(0), point.all())
                    .dot(scalars.at(1), point.all(), theta.all())
                    .squaredNorm(scalars.at(2), point.all())
                    .maxAbs(scalars.at(3), point.all())
                    .nonFinite(scalars.at(4), point.all())
                    .rmsErrorNorm(scalars.at(5), point.all(), theta.all(), m.all(), tol.all())
                    .gemm(GemmForm.NN, M, P, K, c.all(), a.all(), b.all(), false)
                    .biasAdd(c.all(), bias.all(), M, P)
                    .activation(Activation.GELU, h.all(), c.all())
                    .softmaxCrossEntropy(scalars.at(6), scalars.at(7), dh.all(), h.all(), labels.all(), M, P)
                    .activationBackward(Activation.GELU, dc.all(), dh.all(), c.all())
                    .biasGrad(db.all(), dc.all(), M, P, false)
                    .gemm(GemmForm.NT, M, K, P, da.all(), dc.all(), b.all(), false)
                    .gemm(GemmForm.TN, K, P, M, dw.all(), a.all(), dc.all(), false)
                    .gemm(GemmForm.TN, K, P, M, dw.all(), a.all(), dc.all(), true)
                    .gemm(GemmForm.NT, M, K, P, da2.all(), dc.all(), b.all(), false)
                    .activationBackward(Activation.GELU, dx2.all(), da2.all(), a.all())
                    .gemm(GemmForm.TN, K, P, M, dw2.all(), a.all(), dc.all(), false)
                    .biasGrad(db2.all(), dc.all(), M, P, false)
                    .accumulateSquares(v2.all(), g2.all())
                    .precondition(g2.all(), g2.all(), v2.all(), tol.at(1))
                    .combine(theta2.all(), theta2.all(), g2.all(), N, 1, coeffs.at(0))
                    .nonFinite(flag.at(0), theta2.all())
                    .adam(theta.all(), m.all(), v.all(), point.all(), adam.all());
            // the convolutional kernels, each over several chunks (an overlapping pooling window too)
            Window conv = new Window(24, 14, 14, 32, 3, 1, 1);
            Window pool = new Window(24, 14, 14, 32, 3, 2, 1);
            FloatBuffer images = input(device, "images", conv.inputLength(), random);
            FloatBuffer dcolsIn = input(device, "dcolsIn", conv.columnsLength(), random);
            FloatBuffer dpooled = input(device, "dpooled", pool.pooledLength(), random);
            FloatBuffer cols = output(device, "cols", conv.columnsLength());
            FloatBuffer dimages = output(device, "dimages", conv.inputLength());
            FloatBuffer maxed = output(device, "maxed", pool.pooledLength());
            FloatBuffer averaged = output(device, "averaged", pool.pooledLength());
            FloatBuffer dmax = output(device, "dmax", pool.inputLength());
            FloatBuffer davg = output(device, "davg", pool.inputLength());
            FloatBuffer dropped = output(device, "dropped", conv.inputLength());
            IntBuffer key = device.allocInt("key", 2);
            key.write(new int[] {7, 11});
            graph.im2col(cols.all(), images.all(), conv)
                    .col2im(dimages.all(), dcolsIn.all(), conv)
                    .pool(Pooling.MAX, maxed.all(), images.all(), pool)
                    .pool(Pooling.AVERAGE, averaged.all(), images.all(), pool)
                    .poolBackward(Pooling.MAX, dmax.all(), dpooled.all(), images.all(), pool)
                    .poolBackward(Pooling.AVERAGE, davg.all(), dpooled.all(), images.all(), pool)
                    .dropout(dropped.all(), images.all(), key.all(), 1, 0.3f);
            if (graph.kernelTasks().stream().filter(t -> t instanceof io.rkflow.kernels.Fused).count() != 4) {
                throw new AssertionError("the workload should compile to four fused kernels: " + graph.kernelTasks());
            }
            outputs.add(theta);
            outputs.add(theta2);
            outputs.add(v2);
            outputs.add(g2);
            outputs.add(m);
            outputs.add(v);
            plan = graph.compile();
        }

        private FloatBuffer input(Device device, String name, int n, SplittableRandom random) {
            FloatBuffer buffer = device.allocFloat(name, n);
            inputs.put(buffer, randomFloats(random, n, name.startsWith("v") ? 0 : -1, 1));
            return buffer;
        }

        private FloatBuffer output(Device device, String name, int n) {
            FloatBuffer buffer = device.allocFloat(name, n);
            outputs.add(buffer);
            return buffer;
        }

        Map<String, float[]> execute() {
            inputs.forEach(FloatBuffer::write);
            labels.write(labelValues);
            plan.execute();
            Map<String, float[]> results = new LinkedHashMap<>();
            for (FloatBuffer out : outputs) {
                results.put(out.name(), out.read());
            }
            return results;
        }

        @Override
        public void close() {
            plan.close();
        }
    }
}
