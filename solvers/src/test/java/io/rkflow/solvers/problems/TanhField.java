package io.rkflow.solvers.problems;

import io.rkflow.kernels.Activation;
import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.Graph;

/**
 * The non-linear flow dθ/dt = −tanh(θ), the gradient flow of L(θ) = Σ log cosh θ_i, with the
 * solution sinh θ(t) = e^(−t)·sinh θ(0) elementwise. Reports ½‖θ‖² as its loss.
 */
public final class TanhField extends TestProblem {

    private final int n;
    private final FloatBuffer half;

    public TanhField(Device device, int n) {
        super(device, n);
        this.n = n;
        half = Problems.buffer(device, "one half", 0.5f);
    }

    /** The exact solution at time t from θ(0). */
    public static double[] exact(float[] theta0, double t) {
        double[] out = new double[theta0.length];
        for (int i = 0; i < out.length; i++) {
            double x = Math.exp(-t) * Math.sinh(theta0[i]);
            out[i] = Math.log(x + Math.sqrt(x * x + 1)); // asinh
        }
        return out;
    }


    @Override
    public void record(Graph g, int slot, FloatSlice theta, FloatSlice grad, FloatSlice loss) {
        g.activation(Activation.TANH, grad, theta);
        Problems.halfSquaredNorm(g, theta, loss, half.all());
    }
}
