package io.rkflow.models.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
import io.rkflow.kernels.jvm.JvmDevice;
import io.rkflow.models.data.Clusters;
import io.rkflow.models.data.Dataset;
import io.rkflow.solvers.optim.Optimizer;
import io.rkflow.solvers.optim.Spec;
import org.junit.jupiter.api.Test;

/**
 * DAL's finite-difference curvature on a ReLU MLP against the exact ‖Hg‖/‖g‖ of the ReLUs' linear
 * region at θ, computed in double on the host ({@link HostMlp}, which agrees with PyTorch's double
 * backward to 8 digits on Fashion-MNIST MLPs).
 */
class DalCurvatureTest {

    /**
     * 32-64-64-4:relu on 512 clustered points (32,768 hidden pre-activations), at its initial
     * weights and every 5 steps of rk4+h(0.1) up to 35: {@code dal(hg=fd)} with its default probe
     * finds ξ within 5% at every one of the 8 states (measured: 0.3%). The old default, a forward
     * difference over 1e-3, crossed ReLU kinks and found 1.35, 1.19 and 1.69 times ξ at three of them.
     */
    @Test
    void theDefaultProbeFindsTheCurvatureOfAReluMlp() {
        ModelSpec spec = ModelSpec.parse("32-64-64-4:relu");
        int batch = 512;
        Dataset data = Clusters.of(batch, spec.inputs(), spec.outputs(), 3);
        try (JvmDevice device = new JvmDevice(2)) {
            Network mlp = new Network(device, spec, batch, 1);
            mlp.writeBatch(0, data.x(), data.labels());
            HostMlp host = new HostMlp(spec.mlp(), data.x(), data.labels());
            FloatBuffer theta = device.allocFloat("theta", spec.parameters());
            theta.write(mlp.initialParameters(5));
            try (Optimizer train = Optimizer.create(Spec.parse("rk4+h(0.1)"), mlp, theta.all())) {
                for (int state = 0; state < 8; state++) {
                    float[] t = theta.read();
                    double exact = host.curvatureAlongGradient(HostMlp.widen(t));
                    double xi = probe(device, mlp, t);
                    assertEquals(exact, xi, 0.05 * exact, "ξ after " + 5 * state + " steps");
                    for (int i = 0; i < 5; i++) {
                        train.step();
                    }
                }
            }
        }
    }

    /**
     * The reference itself: {@link HostMlp}'s gradient is the device's (to fp32's rounding), and
     * its H·v, a difference with the masks frozen, is the plain double-precision central
     * difference of gradients over ±1e-7, which crosses no kink here (checked).
     */
    @Test
    void theHostReferenceIsTheGradientAndTheHessianOfTheLinearRegion() {
        ModelSpec spec = ModelSpec.parse("8-16-16-3:relu");
        int batch = 32;
        Dataset data = Clusters.of(batch, spec.inputs(), spec.outputs(), 11);
        HostMlp host = new HostMlp(spec.mlp(), data.x(), data.labels());
        try (JvmDevice device = new JvmDevice(2)) {
            Network mlp = new Network(device, spec, batch, 1);
            mlp.writeBatch(0, data.x(), data.labels());
            float[] theta = mlp.initialParameters(2);
            FloatBuffer t = device.allocFloat("theta", theta.length);
            t.write(theta);
            FloatBuffer grad = device.allocFloat("grad", theta.length);
            FloatBuffer loss = device.allocFloat("loss", 1);
            Graph g = device.graph("gradient");
            mlp.record(g, 0, t.all(), grad.all(), loss.all());
            try (Plan plan = g.compile()) {
                plan.execute();
            }
            double[] th = HostMlp.widen(theta);
            double[] hostGrad = host.evaluate(th).gradient();
            float[] deviceGrad = grad.read();
            double diff = 0;
            for (int i = 0; i < th.length; i++) {
                diff += (hostGrad[i] - deviceGrad[i]) * (hostGrad[i] - deviceGrad[i]);
            }
            assertEquals(0, Math.sqrt(diff) / HostMlp.norm(hostGrad), 1e-5, "host against device gradient");

            double step = 1e-7 / HostMlp.norm(hostGrad);
            double[] plus = new double[th.length];
            double[] minus = new double[th.length];
            for (int i = 0; i < th.length; i++) {
                plus[i] = th[i] + step * hostGrad[i];
                minus[i] = th[i] - step * hostGrad[i];
            }
            assertTrue(host.kinksBetween(minus, plus) == 0, "the ±1e-7 probes stay in θ's linear region");
            double[] gp = host.evaluate(plus).gradient();
            double[] gm = host.evaluate(minus).gradient();
            double[] hv = host.hessianTimes(th, hostGrad);
            double err = 0;
            for (int i = 0; i < th.length; i++) {
                double central = (gp[i] - gm[i]) / (2 * step);
                err += (central - hv[i]) * (central - hv[i]);
            }
            assertEquals(0, Math.sqrt(err) / HostMlp.norm(hv), 1e-5, "frozen-mask H·g against a central difference");
        }
    }

    /**
     * ξ as {@code euler+dal(hg=fd)} measures it at θ in a run: its first step learns ‖g‖, ‖θ‖
     * and ξ, then θ is put back and the second step's probe is sized from them, as every later one is.
     */
    private static double probe(JvmDevice device, Network mlp, float[] theta) {
        FloatBuffer t = device.allocFloat("probe theta", theta.length);
        t.write(theta);
        try (Optimizer o = Optimizer.create(Spec.parse("euler+dal(hg=fd)"), mlp, t.all())) {
            o.step();
            t.write(theta);
            o.step();
            return o.state().scalars().get("curvature");
        }
    }
}
