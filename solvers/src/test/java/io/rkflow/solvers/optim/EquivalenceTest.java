package io.rkflow.solvers.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rkflow.solvers.field.Objective;
import io.rkflow.solvers.problems.LogisticRegression;
import io.rkflow.solvers.problems.Problems;
import org.junit.jupiter.api.Test;

/**
 * The paper's ingredients reduce to the textbook optimizers when the tableau is Euler: Euler with
 * the modified AdaGrad preconditioner is AdaGrad with ε = 1 inside the root, and Euler with heavy
 * ball is SGD with momentum. Each textbook update is written here in float on the host, with a
 * fused multiply-add for θ − h·u as the device's combination kernel computes it, from the same
 * device gradient; the results must agree bit for bit.
 */
class EquivalenceTest extends DeviceTest {


    @Test
    void eulerWithModifiedAdaGradIsAdaGradWithEpsilonOne() {
        Objective problem = new LogisticRegression(device, 100, 4, 3, 11);
        float h = 0.3f;
        float[] theta = new float[problem.dimension()];
        float[] v = new float[theta.length];
        try (Run run = new Run("euler+h(0.3)+adagrad(delta=1)", problem, theta.clone())) {
            for (int step = 0; step < 20; step++) {
                float[] g = gradient(problem, theta);
                for (int i = 0; i < theta.length; i++) {
                    v[i] += g[i] * g[i];
                    float u = g[i] / (float) Math.sqrt(1f + v[i]);
                    theta[i] = Math.fma(u, -h, theta[i]);
                }
                run.optimizer.step();
                assertArrayEquals(theta, run.theta(), "step " + step);
            }
        }
    }

    @Test
    void eulerWithHeavyBallIsSgdWithMomentum() {
        Objective problem = new LogisticRegression(device, 100, 4, 3, 12);
        float h = 0.2f;
        float beta = 0.9f;
        float[] theta = new float[problem.dimension()];
        float[] m = new float[theta.length];
        try (Run run = new Run("sgd+h(0.2)+momentum(0.9)", problem, theta.clone())) {
            for (int step = 0; step < 20; step++) {
                float[] g = gradient(problem, theta);
                for (int i = 0; i < theta.length; i++) {
                    m[i] = Math.fma(m[i], beta, g[i]);
                    theta[i] = Math.fma(m[i], -h, theta[i]);
                }
                run.optimizer.step();
                assertArrayEquals(theta, run.theta(), "step " + step);
            }
        }
    }

    /** RMSProp (Tieleman &amp; Hinton 2012) with δ inside the root: v = βv + (1−β)g², θ −= h·g/sqrt(δ + v). */
    @Test
    void eulerWithRmspropIsRmsprop() {
        Objective problem = new LogisticRegression(device, 100, 4, 3, 14);
        float h = 0.01f, beta = 0.9f, delta = 1e-8f;
        float[] theta = new float[problem.dimension()];
        float[] v = new float[theta.length];
        try (Run run = new Run("sgd+h(0.01)+rmsprop(beta2=0.9,delta=1e-8)", problem, theta.clone())) {
            for (int step = 0; step < 20; step++) {
                float[] g = gradient(problem, theta);
                for (int i = 0; i < theta.length; i++) {
                    v[i] = v[i] * beta + g[i] * g[i] * (1f - beta);
                    float u = g[i] / (float) Math.sqrt(delta + v[i]);
                    theta[i] = Math.fma(u, -h, theta[i]);
                }
                run.optimizer.step();
                assertArrayEquals(theta, run.theta(), "step " + step);
            }
        }
    }

    /** Adam and AdamW as PyTorch writes them, with the bias corrections 1/(1 − β^t). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void adamAndAdamwAreTheTextbookUpdates(boolean decoupled) {
        Objective problem = new LogisticRegression(device, 100, 4, 3, 15);
        float lr = 0.01f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.05f;
        float[] theta = new float[problem.dimension()];
        java.util.Arrays.fill(theta, 0.1f);
        float[] m = new float[theta.length];
        float[] v = new float[theta.length];
        String spec = (decoupled ? "adamw" : "adam") + "(lr=0.01,beta1=0.9,beta2=0.999,eps=1e-8,wd=0.05)";
        try (Run run = new Run(spec, problem, theta.clone())) {
            for (int step = 1; step <= 20; step++) {
                float[] g = gradient(problem, theta);
                // The bias corrections are computed in double from the spec's β, as the host does.
                float c1 = (float) (1.0 / (1.0 - Math.pow(0.9, step)));
                float c2 = (float) (1.0 / (1.0 - Math.pow(0.999, step)));
                for (int i = 0; i < theta.length; i++) {
                    float th = theta[i];
                    float gi = g[i];
                    if (decoupled) {
                        th = th * (1f - lr * wd);
                    } else {
                        gi = gi + th * wd;
                    }
                    m[i] = m[i] * b1 + gi * (1f - b1);
                    v[i] = v[i] * b2 + gi * gi * (1f - b2);
                    theta[i] = th - m[i] * c1 / ((float) Math.sqrt(v[i] * c2) + eps) * lr;
                }
                run.optimizer.step();
                assertArrayEquals(theta, run.theta(), spec + " step " + step);
            }
        }
    }

    @Test
    void eulerIsGradientDescent() {
        Objective problem = new LogisticRegression(device, 100, 4, 3, 13);
        float[] theta = new float[problem.dimension()];
        try (Run run = new Run("sgd+h(0.25)", problem, theta.clone())) {
            for (int step = 0; step < 10; step++) {
                float[] g = gradient(problem, theta);
                for (int i = 0; i < theta.length; i++) {
                    theta[i] = Math.fma(g[i], -0.25f, theta[i]);
                }
                Optimizer.StepReport report = run.optimizer.step();
                assertArrayEquals(theta, run.theta(), "step " + step);
                assertEquals(1, report.gradientEvaluations());
            }
        }
    }

    private static float[] gradient(Objective problem, float[] theta) {
        float[] lossAndGrad = Problems.evaluate(problem, theta);
        return java.util.Arrays.copyOfRange(lossAndGrad, 1, lossAndGrad.length);
    }
}
