package io.rkflow.models.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.kernels.Activation;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
import io.rkflow.kernels.jvm.JvmDevice;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The recorded backward pass against central finite differences of the loss computed in double
 * precision on the host, on a small MLP with smooth activations.
 */
class MlpGradientTest {

    @ParameterizedTest
    @ValueSource(strings = {"5-4-3:tanh", "5-4-3:gelu", "6-5-4-3:tanh", "4-3:relu"})
    void backwardMatchesCentralDifferencesInDoublePrecision(String text) {
        ModelSpec spec = ModelSpec.parse(text);
        int batch = 3;
        SplittableRandom random = new SplittableRandom(42);
        float[] x = new float[batch * spec.inputs()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        int[] y = {0, 2 % spec.outputs(), 1};
        try (JvmDevice device = new JvmDevice(2)) {
            Network mlp = new Network(device, spec, batch, 1);
            float[] theta = mlp.initialParameters(7);
            for (int i = 0; i < theta.length; i++) {
                theta[i] += (float) (0.1 * random.nextGaussian()); // non-zero biases too
            }
            mlp.writeBatch(0, x, y);
            FloatBuffer t = device.allocFloat("theta", theta.length);
            t.write(theta);
            FloatBuffer grad = device.allocFloat("grad", theta.length);
            FloatBuffer loss = device.allocFloat("loss", 1);
            Graph g = device.graph("gradient check");
            mlp.record(g, 0, t.all(), grad.all(), loss.all());
            try (Plan plan = g.compile()) {
                plan.execute();
            }
            double[] th = new double[theta.length];
            for (int i = 0; i < th.length; i++) {
                th[i] = theta[i];
            }
            assertEquals(hostLoss(spec.mlp(), th, x, y, batch), loss.get(0), 1e-5, "loss");
            float[] deviceGrad = grad.read();
            double eps = 1e-5;
            for (int i = 0; i < th.length; i++) {
                double saved = th[i];
                th[i] = saved + eps;
                double up = hostLoss(spec.mlp(), th, x, y, batch);
                th[i] = saved - eps;
                double down = hostLoss(spec.mlp(), th, x, y, batch);
                th[i] = saved;
                double fd = (up - down) / (2 * eps);
                assertEquals(fd, deviceGrad[i], 1e-4 * Math.max(1, Math.abs(fd)), text + " parameter " + i);
            }
        }
    }

    /** Mean softmax cross-entropy of the MLP at θ, in double precision. */
    static double hostLoss(MlpSpec spec, double[] theta, float[] x, int[] y, int batch) {
        int[] w = spec.widths();
        double total = 0;
        for (int r = 0; r < batch; r++) {
            double[] act = new double[w[0]];
            for (int j = 0; j < w[0]; j++) {
                act[j] = x[r * w[0] + j];
            }
            for (int l = 0; l < spec.layers(); l++) {
                double[] next = new double[w[l + 1]];
                for (int o = 0; o < w[l + 1]; o++) {
                    double s = theta[spec.biasOffset(l) + o];
                    for (int i = 0; i < w[l]; i++) {
                        s += act[i] * theta[spec.weightOffset(l) + i * w[l + 1] + o];
                    }
                    next[o] = l < spec.layers() - 1 ? activate(spec.activation(), s) : s;
                }
                act = next;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double v : act) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : act) {
                sum += Math.exp(v - max);
            }
            total += max + Math.log(sum) - act[y[r]];
        }
        return total / batch;
    }

    private static double activate(Activation a, double v) {
        return switch (a) {
            case RELU -> Math.max(v, 0);
            case TANH -> Math.tanh(v);
            case GELU -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
        };
    }

    @Test
    void parsesModelSpecsAndRejectsBadOnes() {
        ModelSpec spec = ModelSpec.parse("784-256-256-10:relu");
        assertEquals(784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10, spec.parameters());
        assertEquals("784-256-256-10:relu", spec.toString());
        assertEquals(Activation.TANH, ModelSpec.parse("3-2:tanh").mlp().activation());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("784-x-10"));
        assertTrue(e.getMessage().contains("'x' is not a layer width; a model is WIDTH-WIDTH-...-WIDTH[:ACTIVATION]")
                && e.getMessage().contains("e.g. 784-256-256-10:relu"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("784-10:swish"));
        assertTrue(e.getMessage().contains("unknown activation 'swish'; valid: relu, tanh, gelu"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("784"));
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("784-0-10"));
    }
}
