package io.rkflow.solvers.problems;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.GemmForm;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.IntBuffer;
import java.util.SplittableRandom;

/**
 * Multinomial logistic regression on a seeded synthetic data set: m points in d dimensions from
 * {@code classes} Gaussian clusters. θ = [W (d × classes, row major), b (classes)]; the loss is
 * the mean softmax cross-entropy, its gradient W: Xᵀ·dZ, b: column sums of dZ.
 */
public final class LogisticRegression extends TestProblem {

    private final int m;
    private final int d;
    private final int classes;
    private final FloatBuffer x;
    private final IntBuffer labels;
    private final FloatBuffer logits;
    private final FloatBuffer dlogits;
    private final FloatBuffer correct;

    public LogisticRegression(Device device, int m, int d, int classes, long seed) {
        super(device, d * classes + classes);
        this.m = m;
        this.d = d;
        this.classes = classes;
        SplittableRandom random = new SplittableRandom(seed);
        float[][] centers = new float[classes][d];
        for (float[] center : centers) {
            for (int j = 0; j < d; j++) {
                center[j] = (float) (2 * random.nextGaussian());
            }
        }
        float[] xs = new float[m * d];
        int[] ys = new int[m];
        for (int i = 0; i < m; i++) {
            ys[i] = random.nextInt(classes);
            for (int j = 0; j < d; j++) {
                xs[i * d + j] = centers[ys[i]][j] + (float) random.nextGaussian();
            }
        }
        x = Problems.buffer(device, "X", xs);
        labels = device.allocInt("y", m);
        labels.write(ys);
        logits = device.allocFloat("logits", m * classes);
        dlogits = device.allocFloat("dlogits", m * classes);
        correct = device.allocFloat("correct", 1);
    }


    @Override
    public void record(Graph g, int slot, FloatSlice theta, FloatSlice grad, FloatSlice loss) {
        FloatSlice w = theta.sub(0, d * classes), b = theta.sub(d * classes, classes);
        g.gemm(GemmForm.NN, m, classes, d, logits.all(), x.all(), w, false);
        g.biasAdd(logits.all(), b, m, classes);
        g.softmaxCrossEntropy(loss, correct.all(), dlogits.all(), logits.all(), labels.all(), m, classes);
        g.gemm(GemmForm.TN, d, classes, m, grad.sub(0, d * classes), x.all(), dlogits.all(), false);
        g.biasGrad(grad.sub(d * classes, classes), dlogits.all(), m, classes, false);
    }
}
