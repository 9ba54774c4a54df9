package io.rkflow.solvers.problems;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.GemmForm;
import io.rkflow.kernels.Graph;

/**
 * Rosenbrock's function f(x, y) = (1 − x)² + 100·(y − x²)², minimum 0 at (1, 1), built from the
 * kernel catalogue (products as 1 × 1 GEMMs): ∂f/∂x = −2(1 − x) − 400·x·(y − x²),
 * ∂f/∂y = 200·(y − x²).
 */
public final class Rosenbrock extends TestProblem {

    private final FloatBuffer c;    // constants: 1, −1, 200, −2, −400, 100
    private final FloatBuffer w;    // scratch: x², r = y − x², x·r, 1 − x, (1 − x)², r²

    public Rosenbrock(Device device) {
        super(device, 2);
        c = Problems.buffer(device, "rosenbrock constants", 1f, -1f, 200f, -2f, -400f, 100f);
        w = device.allocFloat("rosenbrock scratch", 6);
    }


    @Override
    public void record(Graph g, int slot, FloatSlice theta, FloatSlice grad, FloatSlice loss) {
        FloatSlice x = theta.sub(0, 1), y = theta.sub(1, 1);
        FloatSlice one = c.at(0), minusOne = c.at(1);
        g.gemm(GemmForm.NN, 1, 1, 1, w.at(0), x, x, false);                 // x²
        g.axpby(w.at(1), one, y, minusOne, w.at(0));                        // r = y − x²
        g.gemm(GemmForm.NN, 1, 1, 1, w.at(2), x, w.at(1), false);           // x·r
        g.axpby(w.at(3), one, one, minusOne, x);                            // 1 − x
        g.scale(grad.sub(1, 1), c.at(2), w.at(1));                          // ∂y = 200 r
        g.axpby(grad.sub(0, 1), c.at(3), w.at(3), c.at(4), w.at(2));        // ∂x = −2(1 − x) − 400 x r
        g.gemm(GemmForm.NN, 1, 1, 1, w.at(4), w.at(3), w.at(3), false);     // (1 − x)²
        g.gemm(GemmForm.NN, 1, 1, 1, w.at(5), w.at(1), w.at(1), false);     // r²
        g.axpby(loss, one, w.at(4), c.at(5), w.at(5));                      // f
    }
}
