package io.rkflow.models.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
import io.rkflow.kernels.jvm.JvmDevice;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Layer stacks: the spec's grammar and shape checks, the recorded forward and backward of small
 * CNNs and MLPs against a host evaluation in double precision and its central differences, and
 * dropout's masks across stages and steps.
 */
class NetworkTest {

    /** Every layer kind, strides, padding, both poolings, flatten of an image, dropout. */
    private static final String SMALL_CNN = "7x7x2:conv(3,3,pad=1)-tanh-maxpool(2,stride=1)-conv(4,2,stride=2)-gelu"
            + "-avgpool(2,stride=1,pad=1)-flatten-dropout(0.3)-dense(5)-relu-dense(3)";

    @ParameterizedTest
    @ValueSource(strings = {SMALL_CNN, "6x6x1:conv(2,3)-tanh-maxpool(2)-flatten-dense(3)",
        "5x4x3:avgpool(2,stride=1)-conv(2,1)-gelu-flatten-dense(4)", "8:dense(6)-tanh-dropout(0.5)-dense(3)",
        "5-4-3:tanh", "5-4-3:gelu", "6-5-4-3:tanh", "4-3:relu"})
    void backwardMatchesCentralDifferencesInDoublePrecision(String text) {
        ModelSpec spec = ModelSpec.parse(text);
        int batch = 3;
        SplittableRandom random = new SplittableRandom(42);
        float[] x = new float[batch * spec.inputs()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        int[] y = {0, 2 % spec.outputs(), 1};
        int[] key = {1234, 17};
        try (JvmDevice device = new JvmDevice(2)) {
            Network net = new Network(device, spec, batch, 1);
            float[] theta = net.initialParameters(7);
            for (int i = 0; i < theta.length; i++) {
                theta[i] += (float) (0.1 * random.nextGaussian()); // non-zero biases too
            }
            net.writeBatch(0, x, y);
            net.writeStep(1234, 17);
            float[][] lossAndGrad = gradient(device, net, theta);
            double[] th = new double[theta.length];
            for (int i = 0; i < th.length; i++) {
                th[i] = theta[i];
            }
            HostNetwork host = new HostNetwork(spec);
            assertEquals(host.loss(th, x, y, batch, key), lossAndGrad[0][0], 1e-5, "loss");
            float[] deviceGrad = lossAndGrad[1];
            double eps = 1e-6;
            for (int i = 0; i < th.length; i++) {
                double saved = th[i];
                th[i] = saved + eps;
                double up = host.loss(th, x, y, batch, key);
                th[i] = saved - eps;
                double down = host.loss(th, x, y, batch, key);
                th[i] = saved;
                double fd = (up - down) / (2 * eps);
                assertEquals(fd, deviceGrad[i], 1e-4 * Math.max(1, Math.abs(fd)), text + " parameter " + i);
            }
            for (int l = 0; l < spec.layers().size(); l++) { // not vacuous: every layer's weights get a gradient
                int from = spec.offset(l), to = from + spec.layers().get(l).parameters();
                boolean any = from == to;
                for (int i = from; i < to; i++) {
                    any |= deviceGrad[i] != 0;
                }
                assertTrue(any, text + ": layer " + (l + 1) + " has no non-zero gradient");
            }
        }
    }

    /** {loss}, gradient of one recorded evaluation at θ. */
    private static float[][] gradient(JvmDevice device, Network net, float[] theta) {
        FloatBuffer t = device.allocFloat("theta", theta.length);
        t.write(theta);
        FloatBuffer grad = device.allocFloat("grad", theta.length);
        FloatBuffer loss = device.allocFloat("loss", 1);
        Graph g = device.graph("gradient");
        net.record(g, 0, t.all(), grad.all(), loss.all());
        try (Plan plan = g.compile()) {
            plan.execute();
        }
        return new float[][] {loss.read(), grad.read()};
    }

    @Test
    void dropoutMasksRepeatWithinAStepAndChangeBetweenSteps() {
        ModelSpec spec = ModelSpec.parse("10:dense(64)-relu-dropout(0.5)-dense(3)");
        SplittableRandom random = new SplittableRandom(3);
        float[] x = new float[4 * 10];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        try (JvmDevice device = new JvmDevice(2)) {
            Network net = new Network(device, spec, 4, 1);
            float[] theta = net.initialParameters(1);
            net.writeBatch(0, x, new int[] {0, 1, 2, 0});
            net.writeStep(5, 100);
            float[] a = gradient(device, net, theta)[1];
            float[] b = gradient(device, net, theta)[1];
            net.writeStep(5, 101);
            float[] c = gradient(device, net, theta)[1];
            net.writeStep(6, 100);
            float[] d = gradient(device, net, theta)[1];
            assertArrayEquals(a, b, "the same (seed, step): the same masks, the same gradient");
            assertFalse(Arrays.equals(a, c), "another step: other masks");
            assertFalse(Arrays.equals(a, d), "another seed: other masks");
            // evaluation has no dropout: the logits equal the host's without a mask
            Network eval = Network.forEvaluation(device, spec, 4);
            eval.writeBatch(0, x, new int[4]);
            FloatBuffer t = device.allocFloat("t", theta.length);
            t.write(theta);
            try (Plan plan = eval.predictionPlan(t.all())) {
                plan.execute();
            }
            float[] logits = eval.logits().read();
            double[] th = new double[theta.length];
            for (int i = 0; i < th.length; i++) {
                th[i] = theta[i];
            }
            for (int r = 0; r < 4; r++) {
                double[] in = new double[10];
                for (int j = 0; j < 10; j++) {
                    in[j] = x[r * 10 + j];
                }
                double[] z = new HostNetwork(spec).logits(th, in, r, 4, null);
                for (int o = 0; o < 3; o++) {
                    assertEquals(z[o], logits[r * 3 + o], 1e-5, "logit " + r + "," + o);
                }
            }
        }
    }

    @Test
    void specsParseCheckShapesAndPrintCanonically() {
        ModelSpec cnn = ModelSpec.parse(
                "28x28x1: conv(32,3,pad=1)-relu-maxpool(2)-conv(64,3,pad=1)-relu-maxpool(2)-flatten-dense(128)-relu"
                        + "-dropout(0.25)-dense(10)");
        assertEquals("28x28x1:conv(32,3,pad=1)-relu-maxpool(2)-conv(64,3,pad=1)-relu-maxpool(2)-flatten-dense(128)"
                + "-relu-dropout(0.25)-dense(10)", cnn.toString());
        assertEquals(784, cnn.inputs());
        assertEquals(10, cnn.outputs());
        assertEquals(3 * 3 * 32 + 32 + 3 * 3 * 32 * 64 + 64 + 7 * 7 * 64 * 128 + 128 + 128 * 10 + 10, cnn.parameters());
        assertEquals(new ModelSpec.Shape(7, 7, 64), cnn.layers().get(5).out());
        assertNull(cnn.mlp());
        assertTrue(cnn.hasDropout());
        assertEquals(cnn, ModelSpec.parse(cnn.toString()));
        // an MLP in either spelling is one model, printed as an MLP
        ModelSpec mlp = ModelSpec.parse("784:dense(256)-relu-dense(10)");
        assertEquals("784-256-10:relu", mlp.toString());
        assertEquals(ModelSpec.parse("784-256-10:relu"), mlp);
        assertEquals("784:dense(256)-relu-dense(10)", mlp.describe());
        assertEquals("3-2:tanh", ModelSpec.parse("3-2:tanh").toString());
        // 6x6 → conv(3) 4x4 → conv(3,stride=2) 1x1: ⌊(4 − 3)/2⌋ + 1
        assertEquals(new ModelSpec.Shape(1, 1, 5),
                ModelSpec.parse("6x6x1:conv(2,3)-conv(5,3,stride=2)-flatten-dense(2)").layers().get(1).out());
    }

    @Test
    void parsesMlpSpecsAndRejectsBadOnes() {
        ModelSpec spec = ModelSpec.parse("784-256-256-10:relu");
        assertEquals(784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10, spec.parameters());
        assertEquals("784-256-256-10:relu", spec.toString());
        assertEquals(io.rkflow.kernels.Activation.TANH, ModelSpec.parse("3-2:tanh").mlp().activation());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("784-x-10"));
        assertTrue(e.getMessage().contains("'x' is not a layer width; a model is WIDTH-WIDTH-...-WIDTH[:ACTIVATION]")
                && e.getMessage().contains("e.g. 784-256-256-10:relu"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("784-10:swish"));
        assertTrue(e.getMessage().contains("unknown activation 'swish'; valid: relu, tanh, gelu"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("784"));
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("784-0-10"));
    }

    @Test
    void badSpecsNameTheLayerAndBothShapes() {
        assertMessage("28x28x1:conv(8,3)-relu-dense(10)",
                "layer 3 'dense(10)' takes a flat vector, but its input is 26x26x8", "put flatten before it");
        assertMessage("28x28x1:conv(8,3)", "the last layer gives 26x26x8, not a flat vector", "end with flatten");
        assertMessage("4x4x1:conv(8,5)-flatten-dense(2)", "layer 1 'conv(8,5)' has a 5x5 window, larger than its input 4x4x1",
                "");
        assertMessage("784:conv(8,3)-flatten-dense(2)", "larger than its input 784",
                "give the input as HEIGHTxWIDTHxCHANNELS");
        assertMessage("8x8x1:maxpool(2,pad=2)-flatten-dense(2)", "layer 1 'maxpool(2,pad=2)' has pad 2, more than half",
                "");
        assertMessage("8x8x1:conv(8,3,padding=1)-flatten-dense(2)", "unknown argument 'padding'", "stride, pad");
        assertMessage("8x8x1:conv(8)-flatten-dense(2)", "'conv(8)' needs SIZE as argument 2", "");
        assertMessage("8x8x1:dropout(1.5)-flatten-dense(2)", "has rate 1.5, not in [0, 1)", "");
        assertMessage("8x8x1:swish-flatten-dense(2)", "layer 1 'swish' is not a layer", "conv(FILTERS,SIZE");
        assertMessage("8x8:flatten-dense(2)", "input '8x8' is not HEIGHTxWIDTHxCHANNELS", "");
        assertMessage("8x8x1:", "no layers after ':'", "");
        assertMessage("784-x-10", "'x' is not a layer width", "or a layer stack");
    }

    private static void assertMessage(String spec, String part, String hint) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse(spec), spec);
        assertTrue(e.getMessage().contains(part) && e.getMessage().contains(hint), spec + ": " + e.getMessage());
    }

    @Test
    void initialisationIsSeededAndScaledByFanIn() {
        ModelSpec spec = ModelSpec.parse("28x28x1:conv(32,3,pad=1)-relu-maxpool(2)-flatten-dense(10)");
        try (JvmDevice device = new JvmDevice(1)) {
            Network net = new Network(device, spec, 2, 1);
            float[] a = net.initialParameters(9);
            assertArrayEquals(a, net.initialParameters(9));
            assertFalse(Arrays.equals(a, net.initialParameters(10)));
            // conv weights: He uniform with fan_in 3·3·1 = 9, limit sqrt(6/9); biases zero
            double limit = Math.sqrt(6.0 / 9);
            double max = 0, sumSq = 0;
            for (int i = 0; i < 9 * 32; i++) {
                max = Math.max(max, Math.abs(a[i]));
                sumSq += a[i] * a[i];
            }
            assertTrue(max <= limit && max > 0.9 * limit, "max |w| " + max + " vs limit " + limit);
            assertEquals(2.0 / 9, sumSq / (9 * 32), 0.25 * 2.0 / 9, "variance of the conv weights");
            for (int i = 9 * 32; i < 9 * 32 + 32; i++) {
                assertEquals(0f, a[i], "conv bias " + i);
            }
        }
    }
}
