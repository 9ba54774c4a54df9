package io.rkflow.solvers.problems;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.GemmForm;
import io.rkflow.kernels.Graph;

/**
 * F(θ) = A·θ with a dense n × n matrix A: with A symmetric, the gradient of L(θ) = ½ θᵀAθ (a
 * quadratic with the spectrum of A), otherwise the linear ODE dθ/dt = −Aθ, whose solution is
 * exp(−At)θ_0. The loss reported is ½ θᵀAθ.
 */
public final class LinearField extends TestProblem {

    private final int n;
    private final double[][] a;
    private final FloatBuffer matrix;
    private final FloatBuffer scratch;
    private final FloatBuffer half;

    public LinearField(Device device, double[][] a) {
        super(device, a.length);
        this.n = a.length;
        this.a = a;
        float[] flat = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                flat[i * n + j] = (float) a[i][j];
            }
        }
        matrix = Problems.buffer(device, "A", flat);
        scratch = device.allocFloat("theta.A.theta", 1);
        half = Problems.buffer(device, "one half", 0.5f);
    }

    /** A quadratic ½ θᵀ diag(λ) θ rotated by a fixed orthogonal matrix, so that A is dense. */
    public static LinearField quadratic(Device device, double... eigenvalues) {
        int n = eigenvalues.length;
        double[][] q = rotation(n);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int l = 0; l < n; l++) {
                    s += q[i][l] * eigenvalues[l] * q[j][l];
                }
                a[i][j] = s;
            }
        }
        return new LinearField(device, a);
    }

    /** A fixed orthogonal matrix: a product of Givens rotations by angles 0.3·(i + 1). */
    static double[][] rotation(int n) {
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            q[i][i] = 1;
        }
        for (int i = 0; i + 1 < n; i++) {
            double c = Math.cos(0.3 * (i + 1)), s = Math.sin(0.3 * (i + 1));
            for (int r = 0; r < n; r++) {
                double x = q[r][i], y = q[r][i + 1];
                q[r][i] = c * x - s * y;
                q[r][i + 1] = s * x + c * y;
            }
        }
        return q;
    }

    public double[][] matrix() {
        return a;
    }


    @Override
    public void record(Graph g, int slot, FloatSlice theta, FloatSlice grad, FloatSlice loss) {
        g.gemm(GemmForm.NN, n, 1, n, grad, matrix.all(), theta, false);
        g.dot(scratch.all(), theta, grad);
        g.scale(loss, half.all(), scratch.all());
    }
}
