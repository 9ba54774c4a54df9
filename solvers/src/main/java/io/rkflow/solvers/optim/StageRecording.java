package io.rkflow.solvers.optim;

import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.Graph;
import io.rkflow.solvers.tableau.ButcherTableau;

/**
 * The recording pieces that explicit and implicit Runge–Kutta steps share: stage points, the
 * preconditioner accumulator, and the update θ ← θ − h Σ b_i k_i (or its momentum form). Stage
 * values live in one s × n buffer; coefficients in a small buffer, −h·a_ij at i·s + j.
 */
final class StageRecording {

    private StageRecording() {}

    /**
     * Records stage point i, θ − h Σ_j a_ij K_j over the columns j &lt; {@code columns} whose a_ij
     * is not zero (a contiguous range from the first to the last such j), into {@code point}, and
     * returns where stage i evaluates: {@code point}, or θ itself when the row is zero.
     */
    static FloatSlice stagePoint(Graph g, ButcherTableau tableau, int i, int columns, FloatSlice theta,
            FloatBuffer stages, FloatBuffer point, FloatBuffer coef) {
        int n = theta.length();
        int s = tableau.stages();
        int first = -1;
        int last = -1;
        for (int j = 0; j < columns; j++) {
            if (tableau.a(i, j) != 0) {
                first = first < 0 ? j : first;
                last = j;
            }
        }
        if (first < 0) {
            return theta;
        }
        g.combine(point.all(), theta, stages.slice(first * n, (last - first) * n + n), n, last - first + 1,
                coef.slice(i * s + first, last - first + 1));
        return point.all();
    }

    /** v += g⊙g (AdaGrad) or the EMA with β2 from {@code beta2}. */
    static void accumulate(Graph g, Preconditioner pre, FloatSlice acc, FloatSlice grad, FloatSlice beta2) {
        if (pre.kind() == Preconditioner.Kind.ADAGRAD) {
            g.accumulateSquares(acc, grad);
        } else {
            g.emaSquares(acc, grad, beta2);
        }
    }

    /**
     * Records the update over the stages up to the last non-zero weight: θ += Σ w_i K_i with the
     * weights −h·b_i at {@code weights}, or, with momentum, g* = Σ w_i K_i (weights b_i) followed by
     * the momentum kernel with {@code momentumParams} = [β, h].
     */
    static void update(Graph g, Spec spec, FloatSlice theta, FloatBuffer stages, FloatSlice weights, FloatBuffer m,
            FloatBuffer gStar, FloatSlice momentumParams) {
        int n = theta.length();
        int used = spec.tableau().stages();
        while (used > 1 && spec.tableau().b(used - 1) == 0) {
            used--;
        }
        if (m == null) {
            g.combine(theta, theta, stages.all(), n, used, weights.sub(0, used));
            return;
        }
        g.combine(gStar.all(), null, stages.all(), n, used, weights.sub(0, used));
        if (spec.momentum().nesterov()) {
            g.nesterov(theta, m.all(), gStar.all(), momentumParams);
        } else {
            g.momentum(theta, m.all(), gStar.all(), momentumParams);
        }
    }
}
