package io.rkflow.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.GemmForm;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The determinism contract of {@link JvmGemm}: with every {@link GemmKernel} choice, products
 * large enough to be split into several chunks (and k-blocks, strips, edge tiles, thin tails)
 * give bit-identical results on 1 and 2 threads; and the paths that compute each element as one
 * fma chain (every tile, the thin path's COLUMNS for TN, and AUTO's choice for NN and NT with
 * small k, the machine's tile) agree bit for bit with each other.
 */
class JvmGemmDeterminismTest {

    /** (form, m, n, k, accumulate): blocked-sized, thin (n = 10, with k and m tails), small k. */
    private static final Object[][] PRODUCTS = {
        {GemmForm.NN, 130, 300, 520, false}, {GemmForm.NT, 130, 300, 520, true}, {GemmForm.TN, 300, 130, 520, false},
        {GemmForm.NN, 128, 10, 1024, false}, {GemmForm.NT, 130, 10, 1000, true}, {GemmForm.TN, 1000, 10, 129, true},
        {GemmForm.NT, 128, 1024, 10, false},
        // convolution shapes: under AUTO the machine's tile for few columns and small k (NN, NT) and the
        // split-k weight gradient (TN)
        {GemmForm.NN, 3001, 37, 9, false}, {GemmForm.NT, 3001, 37, 9, true}, {GemmForm.TN, 9, 33, 20011, true},
    };

    @ParameterizedTest
    @EnumSource(GemmKernel.class)
    void everyChoiceGivesTheSameBitsOnOneAndTwoThreads(GemmKernel kernel) {
        List<float[]> one = products(kernel, 1);
        List<float[]> two = products(kernel, 2);
        for (int i = 0; i < PRODUCTS.length; i++) {
            assertBitIdentical(one.get(i), two.get(i), kernel.id() + " " + describe(i) + ": 2 threads against 1");
        }
    }

    @Test
    void everyTileAndTheColumnsPathComputeTheSameChain() {
        List<float[]> reference = products(GemmKernel.K8X2, 2);
        for (GemmKernel kernel : new GemmKernel[] {GemmKernel.K5X2, GemmKernel.K6X2, GemmKernel.K12X2, GemmKernel.THIN, GemmKernel.AUTO}) {
            List<float[]> got = products(kernel, 2);
            for (int i = 0; i < PRODUCTS.length; i++) {
                boolean smallK = PRODUCTS[i][0] != GemmForm.TN && (int) PRODUCTS[i][3] <= JvmGemm.SMALL_K;
                if (kernel == GemmKernel.AUTO ? smallK : kernel != GemmKernel.THIN || PRODUCTS[i][0] == GemmForm.TN) {
                    assertBitIdentical(reference.get(i), got.get(i), kernel.id() + " " + describe(i) + " against 8x2");
                }
            }
        }
    }

    /** The outputs of one plan holding every product, on fresh seeded inputs. */
    private static List<float[]> products(GemmKernel kernel, int threads) {
        SplittableRandom random = new SplittableRandom(20251201L);
        try (JvmDevice device = new JvmDevice(threads, kernel)) {
            Graph graph = device.graph("products");
            List<FloatBuffer> outputs = new ArrayList<>();
            for (Object[] p : PRODUCTS) {
                GemmForm form = (GemmForm) p[0];
                int m = (int) p[1], n = (int) p[2], k = (int) p[3];
                FloatBuffer a = random(device, "a", m * k, random);
                FloatBuffer b = random(device, "b", k * n, random);
                FloatBuffer c = random(device, "c", m * n, random);
                graph.gemm(form, m, n, k, c.all(), a.all(), b.all(), (boolean) p[4]);
                outputs.add(c);
            }
            try (Plan plan = graph.compile()) {
                plan.execute();
            }
            return outputs.stream().map(FloatBuffer::read).toList();
        }
    }

    private static FloatBuffer random(JvmDevice device, String name, int n, SplittableRandom random) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        FloatBuffer buffer = device.allocFloat(name, n);
        buffer.write(values);
        return buffer;
    }

    private static String describe(int i) {
        Object[] p = PRODUCTS[i];
        return p[0] + " m=" + p[1] + " n=" + p[2] + " k=" + p[3] + " accumulate=" + p[4];
    }

    private static void assertBitIdentical(float[] expected, float[] got, String what) {
        assertEquals(expected.length, got.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(got[i])) {
                fail(what + ": element " + i + " = " + got[i] + ", expected the bits of " + expected[i]);
            }
        }
    }
}
