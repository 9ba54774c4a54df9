package io.rkflow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.kernels.jvm.JvmDevice;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The fusion pass: what it rewrites, what it must leave alone, and that the JVM device's levels agree bit for bit. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FusionTest {

    private Device device;

    @BeforeAll
    void open() {
        device = new JvmDevice(2);
    }

    @AfterAll
    void close() {
        device.close();
    }

    private FloatSlice f(String name, int n) {
        return device.allocFloat(name, n).all();
    }

    @Test
    void aDenseLayerForwardAndBackwardFuseIntoItsGemms() {
        int b = 4, in = 3, out = 5;
        FloatSlice x = f("x", b * in), w = f("w", in * out + out), z = f("z", b * out), a = f("a", b * out);
        FloatSlice dz = f("dz", b * out), grad = f("grad", in * out + out), dx = f("dx", b * in);
        FloatSlice dzIn = f("dzIn", b * in), zIn = f("zIn", b * in);
        Graph g = device.graph("layer")
                .gemm(GemmForm.NN, b, out, in, z, x, w.sub(0, in * out), false)
                .biasAdd(z, w.sub(in * out, out), b, out)
                .activation(Activation.RELU, a, z)
                .gemm(GemmForm.TN, in, out, b, grad.sub(0, in * out), x, dz, false)
                .biasGrad(grad.sub(in * out, out), dz, b, out, false)
                .gemm(GemmForm.NT, b, in, out, dx, dz, w.sub(0, in * out), false)
                .activationBackward(Activation.RELU, dzIn, dx, zIn);
        List<Task> none = Fusion.NONE.apply(g.tasks());
        assertEquals(g.tasks(), none);
        List<Task> fused = Fusion.EPILOGUE.apply(g.tasks());
        assertEquals(3, fused.size(), fused.toString());
        assertInstanceOf(Fused.DenseForward.class, fused.get(0));
        assertInstanceOf(Fused.GemmBiasGrad.class, fused.get(1));
        assertInstanceOf(Fused.GemmActivationBackward.class, fused.get(2));
        assertEquals("gemm+biasAdd+activation", fused.get(0).kernel());
        assertEquals(fused, Fusion.FULL.apply(g.tasks()));
    }

    @Test
    void anActivationWritingTheGemmsInputStaysApart() {
        int n = 4;
        FloatSlice x = f("x", n * n), w = f("w", n * n), bias = f("bias", n), z = f("z", n * n);
        Graph g = device.graph("hazard")
                .gemm(GemmForm.NN, n, n, n, z, x, w, false)
                .biasAdd(z, bias, n, n)
                .activation(Activation.TANH, x, z); // overwrites the GEMM's input: other chunks still read it
        List<Task> fused = Fusion.FULL.apply(g.tasks());
        assertEquals(2, fused.size(), fused.toString());
        assertInstanceOf(Fused.DenseForward.class, fused.get(0));
        assertEquals(null, ((Fused.DenseForward) fused.get(0)).activation());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Fused.DenseForward(
                (Task.Gemm) g.tasks().get(0), (Task.BiasAdd) g.tasks().get(1),
                (Task.ActivationForward) g.tasks().get(2)));
        assertTrue(e.getMessage().contains("gemm+biasAdd+activation: cannot fuse") && e.getMessage().contains("'x'"),
                e.getMessage());
    }

    @Test
    void tasksThatDoNotLineUpAreNotFused() {
        int n = 6;
        FloatSlice c = f("c", n * n), other = f("other", n * n), a = f("a", n * n), b = f("b", n * n);
        Graph g = device.graph("unrelated")
                .gemm(GemmForm.NN, n, n, n, c, a, b, false)
                .activationBackward(Activation.GELU, other, other, a) // dy is not the GEMM's output
                .gemm(GemmForm.NN, n, n, n, c, a, b, false)
                .biasGrad(f("db", n), c, n, n, false); // a bias gradient of C, not of B, and form NN
        assertEquals(g.tasks(), Fusion.FULL.apply(g.tasks()));
        assertThrows(IllegalArgumentException.class, () -> new Fused.GemmBiasGrad((Task.Gemm) g.tasks().get(2),
                (Task.BiasGrad) g.tasks().get(3)));
    }

    @Test
    void anOptimizerTailTakesWhatRunsOverTheSameElements() {
        int n = 100;
        FloatSlice theta = f("theta", n), k = f("K", 2 * n), v = f("v", n), point = f("point", n);
        FloatSlice s = f("scalars", 4), flag = f("flag", 1);
        Graph g = device.graph("tail")
                .accumulateSquares(v, k.sub(0, n))
                .precondition(k.sub(0, n), k.sub(0, n), v, s.sub(0, 1))
                .combine(point, theta, k.sub(0, n), n, 1, s.sub(1, 1))
                .precondition(k.sub(n, n), k.sub(n, n), v, s.sub(0, 1))
                .combine(theta, theta, k, n, 2, s.sub(2, 2))
                .nonFinite(flag, theta)
                .nonFinite(flag, point); // a second check: not part of the tail
        List<Task> fused = Fusion.FULL.apply(g.tasks());
        assertEquals(List.of("accumulateSquares+precondition+combine", "precondition+combine+nonFinite", "nonFinite"),
                fused.stream().map(Task::kernel).toList());
        assertEquals(g.tasks(), Fusion.EPILOGUE.apply(g.tasks()));
    }

    @Test
    void aTailThatWouldReadAnotherElementOfWhatItWritesStaysApart() {
        int n = 10;
        FloatSlice k = f("K", 2 * n), v = f("v", n), s = f("scalars", 2);
        // the combination reads v shifted by one element while the precondition writes into v's buffer
        FloatSlice vk = f("vk", 2 * n);
        Graph g = device.graph("shifted")
                .precondition(vk.sub(0, n), k.sub(0, n), v, s.sub(0, 1))
                .combine(k.sub(n, n), null, vk.sub(1, n), n, 1, s.sub(1, 1));
        assertEquals(g.tasks(), Fusion.FULL.apply(g.tasks()));
    }

    @Test
    void levelsParseByName() {
        assertEquals(Fusion.EPILOGUE, Fusion.parse("epilogue"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fusion.parse("max"));
        assertTrue(e.getMessage().contains("'max'") && e.getMessage().contains("none, epilogue, full"), e.getMessage());
    }

    /** The JVM device's fused kernels do the arithmetic of the chains they replace: same bits at every level. */
    @ParameterizedTest
    @EnumSource(Activation.class)
    void theJvmDeviceComputesTheSameBitsAtEveryLevel(Activation kind) {
        float[] reference = null;
        for (Fusion level : Fusion.values()) {
            float[] got = twoLayerStep(kind, level);
            if (reference == null) {
                reference = got;
            } else {
                for (int i = 0; i < got.length; i++) {
                    assertEquals(Float.floatToRawIntBits(reference[i]), Float.floatToRawIntBits(got[i]),
                            kind + " at " + level.label() + ": element " + i + " is " + got[i] + ", unfused "
                                    + reference[i]);
                }
            }
        }
    }

    /** Forward, backward, AdaGrad and an update of a 37-129-10 network at batch 70; θ and the activations. */
    private float[] twoLayerStep(Activation kind, Fusion level) {
        int batch = 70, in = 37, hidden = 129, out = 10;
        int o2 = in * hidden + hidden, params = o2 + hidden * out + out;
        SplittableRandom random = new SplittableRandom(11);
        FloatBuffer x = device.allocFloat("x", batch * in), theta = device.allocFloat("theta", params);
        FloatBuffer grad = device.allocFloat("grad", params), v = device.allocFloat("v", params);
        FloatBuffer z1 = device.allocFloat("z1", batch * hidden), a1 = device.allocFloat("a1", batch * hidden);
        FloatBuffer z2 = device.allocFloat("z2", batch * out), dz2 = device.allocFloat("dz2", batch * out);
        FloatBuffer da1 = device.allocFloat("da1", batch * hidden), dz1 = device.allocFloat("dz1", batch * hidden);
        FloatBuffer s = device.allocFloat("scalars", 2), flag = device.allocFloat("flag", 1);
        x.write(draw(random, batch * in, 1));
        theta.write(draw(random, params, 0.3));
        dz2.write(draw(random, batch * out, 1));
        s.write(new float[] {1f, -0.05f});
        FloatSlice w1 = theta.slice(0, in * hidden), b1 = theta.slice(in * hidden, hidden);
        FloatSlice w2 = theta.slice(o2, hidden * out), b2 = theta.slice(o2 + hidden * out, out);
        Graph g = device.graph("step").fusion(level)
                .gemm(GemmForm.NN, batch, hidden, in, z1.all(), x.all(), w1, false)
                .biasAdd(z1.all(), b1, batch, hidden)
                .activation(kind, a1.all(), z1.all())
                .gemm(GemmForm.NN, batch, out, hidden, z2.all(), a1.all(), w2, false)
                .biasAdd(z2.all(), b2, batch, out)
                .gemm(GemmForm.TN, hidden, out, batch, grad.slice(o2, hidden * out), a1.all(), dz2.all(), false)
                .biasGrad(grad.slice(o2 + hidden * out, out), dz2.all(), batch, out, false)
                .gemm(GemmForm.NT, batch, hidden, out, da1.all(), dz2.all(), w2, false)
                .activationBackward(kind, dz1.all(), da1.all(), z1.all())
                .gemm(GemmForm.TN, in, hidden, batch, grad.slice(0, in * hidden), x.all(), dz1.all(), false)
                .biasGrad(grad.slice(in * hidden, hidden), dz1.all(), batch, hidden, false)
                .accumulateSquares(v.all(), grad.all())
                .precondition(grad.all(), grad.all(), v.all(), s.at(0))
                .combine(theta.all(), theta.all(), grad.all(), params, 1, s.at(1))
                .nonFinite(flag.at(0), theta.all());
        try (Plan plan = g.compile()) {
            plan.execute();
            plan.execute();
        }
        float[] r = new float[params + 2 * batch * hidden + 1];
        theta.read(0, r, 0, params);
        a1.read(0, r, params, batch * hidden);
        dz1.read(0, r, params + batch * hidden, batch * hidden);
        flag.read(0, r, r.length - 1, 1);
        return r;
    }

    private static float[] draw(SplittableRandom random, int n, double range) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((2 * random.nextDouble() - 1) * range);
        }
        return v;
    }
}
