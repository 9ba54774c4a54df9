package io.rkflow.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.Fusion;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.IntBuffer;
import io.rkflow.kernels.Plan;
import io.rkflow.kernels.Pooling;
import io.rkflow.kernels.Window;
import io.rkflow.models.nn.Network;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.solvers.optim.Optimizer;
import io.rkflow.solvers.optim.Spec;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the conformance kit does not see: kernels really run on the TornadoVM device (its
 * profiler measures kernel time), buffers shared by several plans and the host stay coherent
 * although each TornadoVM plan has its own device memory, and a whole RK4 training step is one
 * execution.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TornadoPlanTest {

    private Device device;

    @BeforeAll
    void open() {
        device = Devices.open(TornadoDeviceConformanceTest.deviceId());
    }

    @AfterAll
    void close() {
        device.close();
    }

    @Test
    void kernelsRunOnTheDeviceAndTheProfilerTimesThem() {
        int n = 100_003;
        FloatBuffer x = device.allocFloat("x", n);
        FloatBuffer k = device.allocFloat("k", 2 * n);
        FloatBuffer c = device.allocFloat("c", 2);
        FloatBuffer s = device.allocFloat("s", 1);
        x.write(filled(n, 1f));
        k.write(filled(2 * n, 0.5f));
        c.write(new float[] {2f, -1f});
        try (TornadoVmPlan plan = (TornadoVmPlan) device.graph("profiled")
                .combine(x.all(), x.all(), k.all(), n, 2, c.all()).sum(s.all(), x.all())
                .hostWrites(c).hostReads(s).compile()) {
            assertEquals(3, plan.kernels(), "combine, and the reduction's two passes");
            plan.profile(true);
            plan.execute();
            TornadoVmPlan.Profile p = plan.lastProfile();
            assertTrue(p.kernelNanos() > 0, "device kernel time " + p);
            assertEquals(1.5 * n, s.get(0), 1e-6 * n, "x = 1 + 2·0.5 − 0.5");
            c.write(new float[] {0f, 1f}); // a declared host write: uploaded with the next execution
            plan.execute();
            assertEquals(2.0 * n, s.get(0), 1e-6 * n, "x = 1.5 + 0.5");
        }
    }

    @Test
    void plansSharingBuffersSeeEachOthersResultsAndTheHostsWrites() {
        int n = 4099;
        FloatBuffer x = device.allocFloat("x", n);
        FloatBuffer y = device.allocFloat("y", n);
        FloatBuffer z = device.allocFloat("z", n);
        FloatBuffer p = device.allocFloat("p", 2);
        p.write(new float[] {2f, 1f});
        x.write(filled(n, 1f));
        try (Plan a = device.graph("a: y = 2x").scale(y.all(), p.at(0), x.all()).compile();
                Plan b = device.graph("b: z = 2y + z").axpby(z.all(), p.at(0), y.all(), p.at(1), z.all()).compile()) {
            float hx = 1f;
            float hy = 0f;
            float hz = 0f;
            for (int round = 0; round < 4; round++) {
                a.execute();
                b.execute(); // reads a's y, which a's device copy holds
                hy = 2 * hx;
                hz = 2 * hy + hz;
                assertEquals(hz, z.get(n - 1), 0f, "round " + round + ": z");
                assertEquals(2 * hx, y.get(7), 0f, "round " + round + ": y read back from a's device");
                hx = round + 2f;
                x.write(filled(n, hx)); // never declared as a host write: a must upload it again
            }
            y.set(3, 100f); // the host changes one element of y, which b then reads
            b.execute();
            assertEquals(2 * 100f + hz, z.get(3), 0f, "b sees the host's element");
            assertEquals(2 * hy + hz, z.get(4), 0f, "and keeps a's others");
        }
    }

    @Test
    void aWholeRk4StepWithPreconditionerAndMomentumIsOneExecution() {
        ModelSpec spec = ModelSpec.parse("20-16-3:relu");
        Network mlp = new Network(device, spec, 32, 1);
        SplittableRandom random = new SplittableRandom(3);
        float[] xs = new float[32 * 20];
        int[] ys = new int[32];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < ys.length; i++) {
            ys[i] = random.nextInt(3);
        }
        FloatBuffer theta = device.allocFloat("theta", mlp.dimension());
        theta.write(mlp.initialParameters(1));
        try (Optimizer rk4 = Optimizer.create(Spec.parse("rk4+h(0.1)+adagrad+momentum(0.9)"), mlp, theta.all())) {
            double first = Double.NaN;
            double last = Double.NaN;
            for (int step = 0; step < 5; step++) {
                mlp.writeBatch(0, xs, ys);
                long before = device.executions();
                double loss = rk4.step().loss();
                assertEquals(1, device.executions() - before, "executions of step " + step);
                first = step == 0 ? loss : first;
                last = loss;
            }
            assertTrue(last < first, "the loss on a fixed batch decreases: " + first + " -> " + last);
        }
    }

    /**
     * Full fusion at least halves the kernels of an RK4 + AdaGrad step of a two-hidden-layer MLP on
     * this device too (reductions and the softmax are two kernels each here): 91 unfused, 45 fused,
     * every fused kernel lowered as one task, none split back into its parts.
     */
    @Test
    void fullFusionHalvesTheKernelsOfAnRk4Step() {
        int[] kernels = new int[2];
        Fusion[] levels = {Fusion.NONE, Fusion.FULL};
        for (int i = 0; i < 2; i++) {
            device.fusion(levels[i]);
            try {
                ModelSpec spec = ModelSpec.parse("20-16-16-3:relu");
                Network mlp = new Network(device, spec, 32, 1);
                FloatBuffer theta = device.allocFloat("theta", mlp.dimension());
                theta.write(mlp.initialParameters(1));
                try (Optimizer rk4 = Optimizer.create(Spec.parse("rk4+h(0.1)+adagrad"), mlp, theta.all())) {
                    long before = device.kernels();
                    rk4.step();
                    kernels[i] = (int) (device.kernels() - before);
                }
            } finally {
                device.fusion(Fusion.DEFAULT);
            }
        }
        assertEquals(91, kernels[0], "kernels of the unfused step");
        assertEquals(45, kernels[1], "kernels of the fully fused step");
    }

    /**
     * The convolutional kernels run on the device, one TornadoVM task each: every kernel in a plan
     * of its own, with the profiler's kernel time above 0 (a task TornadoVM ran as Java would have
     * none), and its result that of the JVM device, which gathers in the same order (bit for bit,
     * but for average pooling's division by size², which OpenCL need not round correctly).
     */
    @Test
    void theConvolutionalKernelsRunOnTheDevice() {
        Window w = new Window(2, 9, 8, 3, 3, 2, 1);
        SplittableRandom random = new SplittableRandom(11);
        float[] xs = new float[w.inputLength()];
        float[] dys = new float[w.pooledLength()];
        float[] dcols = new float[w.columnsLength()];
        for (float[] a : new float[][] {xs, dys, dcols}) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) random.nextGaussian();
            }
        }
        for (int i = 0; i < xs.length; i += 4) {
            xs[i] = 0.5f; // ties for the maximum
        }
        try (Device jvm = Devices.open("jvm")) {
            WindowOperands here = new WindowOperands(device, w, xs, dys, dcols);
            WindowOperands there = new WindowOperands(jvm, w, xs, dys, dcols);
            for (String kernel : List.of("im2col", "col2im", "maxPool", "avgPool", "maxPoolBackward",
                    "avgPoolBackward", "dropout")) {
                int n = kernel.equals("im2col") ? w.columnsLength()
                        : kernel.endsWith("Pool") ? w.pooledLength() : w.inputLength();
                float[] expected;
                try (Plan plan = there.record(kernel, n).compile()) {
                    plan.execute();
                    expected = Arrays.copyOf(there.out.read(), n);
                }
                try (TornadoVmPlan plan = (TornadoVmPlan) here.record(kernel, n).compile()) {
                    assertEquals(1, plan.kernels(), kernel + ": TornadoVM tasks");
                    plan.profile(true);
                    plan.execute();
                    TornadoVmPlan.Profile p = plan.lastProfile();
                    assertTrue(p.kernelNanos() > 0, kernel + ": device kernel time " + p);
                    float[] got = Arrays.copyOf(here.out.read(), n);
                    if (kernel.startsWith("avgPool")) {
                        for (int i = 0; i < n; i++) {
                            assertEquals(expected[i], got[i], 1e-6f * Math.max(1f, Math.abs(expected[i])),
                                    kernel + " at " + i);
                        }
                    } else {
                        assertArrayEquals(expected, got, kernel); // bitwise: assertArrayEquals compares floats exactly
                    }
                }
            }
        }
    }

    /** The inputs of the convolutional kernels on one device, and an output as long as the longest. */
    private static final class WindowOperands {
        final Device device;
        final Window w;
        final FloatBuffer x;
        final FloatBuffer dy;
        final FloatBuffer dcols;
        final IntBuffer key;
        final FloatBuffer out;

        WindowOperands(Device device, Window w, float[] xs, float[] dys, float[] dcolValues) {
            this.device = device;
            this.w = w;
            x = device.allocFloat("x", xs.length);
            dy = device.allocFloat("dy", dys.length);
            dcols = device.allocFloat("dcols", dcolValues.length);
            key = device.allocInt("key", 2);
            out = device.allocFloat("out", w.columnsLength());
            x.write(xs);
            dy.write(dys);
            dcols.write(dcolValues);
            key.write(new int[] {42, 7});
        }

        Graph record(String kernel, int n) {
            Graph g = device.graph(kernel);
            FloatSlice y = out.all().sub(0, n);
            return switch (kernel) {
                case "im2col" -> g.im2col(y, x.all(), w);
                case "col2im" -> g.col2im(y, dcols.all(), w);
                case "maxPool" -> g.pool(Pooling.MAX, y, x.all(), w);
                case "avgPool" -> g.pool(Pooling.AVERAGE, y, x.all(), w);
                case "maxPoolBackward" -> g.poolBackward(Pooling.MAX, y, dy.all(), x.all(), w);
                case "avgPoolBackward" -> g.poolBackward(Pooling.AVERAGE, y, dy.all(), x.all(), w);
                case "dropout" -> g.dropout(y, x.all(), key.all(), 3, 0.5f);
                default -> throw new IllegalArgumentException(kernel);
            };
        }
    }

    @Test
    void aGraphTooLargeForTornadoVmIsAClearError() {
        FloatBuffer a = device.allocFloat("a", 4);
        FloatBuffer b = device.allocFloat("b", 4);
        Graph g = device.graph("too large").fusion(Fusion.NONE);
        for (int i = 0; i < 400; i++) {
            g.copy(i % 2 == 0 ? b.all() : a.all(), i % 2 == 0 ? a.all() : b.all());
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                g::compile);
        assertTrue(e.getMessage().contains("'too large'") && e.getMessage().contains("400 kernels")
                && e.getMessage().contains("--fusion full"), e.getMessage());
    }

    /**
     * The RMS error norm's root is taken in double: weighted errors of 1e25 (1e-25) have squares of
     * 1e50 (1e-50), no fp32 numbers, yet their RMS is. TornadoVM's OpenCL backend prints the root as
     * native_sqrt, which PoCL takes in float: it gave ∞ (0) here.
     */
    @Test
    void theRmsErrorNormIsRightWhenTheSquaresOfTheWeightedErrorsAreNoFloats() {
        int n = 1000;
        FloatBuffer e = device.allocFloat("e", n);
        FloatBuffer zero = device.allocFloat("zero", n);
        FloatBuffer tol = device.allocFloat("tol", 2);
        FloatBuffer out = device.allocFloat("out", 1);
        e.write(filled(n, 1e5f));
        zero.write(filled(n, 0f));
        try (Plan plan = device.graph("rms of 1e25 and 1e-25")
                .rmsErrorNorm(out.all(), e.all(), zero.all(), zero.all(), tol.all())
                .hostWrites(tol).hostReads(out).compile()) {
            tol.write(new float[] {1e-20f, 0f}); // e / atol = 1e25
            plan.execute();
            assertEquals(1e25, out.get(0), 1e-5 * 1e25, "rms with weighted errors 1e25");
            tol.write(new float[] {1e30f, 0f}); // e / atol = 1e-25
            plan.execute();
            assertEquals(1e-25, out.get(0), 1e-5 * 1e-25, "rms with weighted errors 1e-25");
        }
    }

    @Test
    void aMissingDeviceIsAnErrorListingTheDevicesThereAre() {
        for (String id : new String[] {"tornado:0:99", "tornado:99:0", "tornado:x:0", "tornado:0"}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Devices.open(id).close(), id);
            assertTrue(e.getMessage().contains(id) && e.getMessage().contains(device.id()),
                    "names '" + id + "' and lists " + device.id() + ": " + e.getMessage());
        }
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
