package io.rkflow.models.nn;

import io.rkflow.kernels.Activation;

/**
 * A ReLU {@link Mlp}'s loss, gradient and Hessian-vector product on the host in double precision,
 * for references. Within one linear region of the ReLUs (the signs of every hidden
 * pre-activation fixed) the network is a polynomial in θ, and the Hessian there is what autograd's
 * double backward computes (ReLU'' = 0): {@link #hessianTimes} takes it as a central difference of
 * gradients with the masks frozen at θ, which has no kink to cross.
 */
final class HostMlp {

    private final MlpSpec spec;
    private final float[] x;
    private final int[] y;
    private final int batch;

    HostMlp(MlpSpec spec, float[] x, int[] y) {
        if (spec.activation() != Activation.RELU) {
            throw new IllegalArgumentException(spec + ": HostMlp is for ReLU MLPs");
        }
        this.spec = spec;
        this.x = x;
        this.y = y;
        this.batch = y.length;
    }

    /** The loss, gradient and ReLU masks (per hidden layer, batch × width, z &gt; 0) at θ. */
    record Evaluation(double loss, double[] gradient, boolean[][] masks) {}

    /** Loss and gradient at θ with the ReLUs' own masks. */
    Evaluation evaluate(double[] theta) {
        return evaluate(theta, null);
    }

    /** Loss and gradient at θ; with {@code frozen}, each ReLU passes z where that mask says, else 0. */
    Evaluation evaluate(double[] theta, boolean[][] frozen) {
        int layers = spec.layers();
        int[] w = spec.widths();
        double[][] act = new double[layers][]; // act[l]: the input of layer l, batch × w[l]
        boolean[][] masks = new boolean[layers - 1][];
        act[0] = new double[batch * w[0]];
        for (int i = 0; i < act[0].length; i++) {
            act[0][i] = x[i];
        }
        double[] z = null;
        for (int l = 0; l < layers; l++) {
            int in = w[l], out = w[l + 1];
            z = new double[batch * out];
            int wo = spec.weightOffset(l), bo = spec.biasOffset(l);
            for (int r = 0; r < batch; r++) {
                for (int o = 0; o < out; o++) {
                    z[r * out + o] = theta[bo + o];
                }
                for (int i = 0; i < in; i++) {
                    double a = act[l][r * in + i];
                    if (a != 0) {
                        int row = wo + i * out;
                        for (int o = 0; o < out; o++) {
                            z[r * out + o] += a * theta[row + o];
                        }
                    }
                }
            }
            if (l < layers - 1) {
                boolean[] mask = new boolean[z.length];
                double[] a = new double[z.length];
                for (int i = 0; i < z.length; i++) {
                    mask[i] = z[i] > 0;
                    boolean pass = frozen != null ? frozen[l][i] : mask[i];
                    a[i] = pass ? z[i] : 0;
                }
                masks[l] = mask;
                act[l + 1] = a;
            }
        }
        int classes = spec.outputs();
        double loss = 0;
        double[] dz = new double[batch * classes];
        for (int r = 0; r < batch; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, z[r * classes + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(z[r * classes + c] - max);
            }
            loss += max + Math.log(sum) - z[r * classes + y[r]];
            for (int c = 0; c < classes; c++) {
                double p = Math.exp(z[r * classes + c] - max) / sum;
                dz[r * classes + c] = (p - (c == y[r] ? 1 : 0)) / batch;
            }
        }
        double[] grad = new double[theta.length];
        for (int l = layers - 1; l >= 0; l--) {
            int in = w[l], out = w[l + 1];
            int wo = spec.weightOffset(l), bo = spec.biasOffset(l);
            for (int r = 0; r < batch; r++) {
                for (int o = 0; o < out; o++) {
                    grad[bo + o] += dz[r * out + o];
                }
                for (int i = 0; i < in; i++) {
                    double a = act[l][r * in + i];
                    if (a != 0) {
                        int row = wo + i * out;
                        for (int o = 0; o < out; o++) {
                            grad[row + o] += a * dz[r * out + o];
                        }
                    }
                }
            }
            if (l > 0) {
                boolean[] pass = frozen != null ? frozen[l - 1] : masks[l - 1];
                double[] prev = new double[batch * in];
                for (int r = 0; r < batch; r++) {
                    for (int i = 0; i < in; i++) {
                        if (pass[r * in + i]) {
                            double s = 0;
                            int row = wo + i * out;
                            for (int o = 0; o < out; o++) {
                                s += dz[r * out + o] * theta[row + o];
                            }
                            prev[r * in + i] = s;
                        }
                    }
                }
                dz = prev;
            }
        }
        return new Evaluation(loss / batch, grad, masks);
    }

    /**
     * H·v at θ, H the Hessian of θ's linear region: (∇L(θ + t·v̂) − ∇L(θ − t·v̂)) / (2t)·‖v‖ with
     * the masks frozen at θ, v̂ = v/‖v‖ and t = 1e-4 (the truncation error is O(t²) of a
     * polynomial's third derivative, the rounding error about 1e-16/t).
     */
    double[] hessianTimes(double[] theta, double[] v) {
        boolean[][] masks = evaluate(theta).masks();
        double vNorm = norm(v);
        double t = 1e-4;
        double[] plus = new double[theta.length];
        double[] minus = new double[theta.length];
        for (int i = 0; i < theta.length; i++) {
            plus[i] = theta[i] + t * v[i] / vNorm;
            minus[i] = theta[i] - t * v[i] / vNorm;
        }
        double[] gp = evaluate(plus, masks).gradient();
        double[] gm = evaluate(minus, masks).gradient();
        double[] hv = new double[theta.length];
        for (int i = 0; i < hv.length; i++) {
            hv[i] = (gp[i] - gm[i]) / (2 * t) * vNorm;
        }
        return hv;
    }

    /** ‖H g‖ / ‖g‖ at θ, g = ∇L(θ): the curvature DAL estimates. */
    double curvatureAlongGradient(double[] theta) {
        double[] g = evaluate(theta).gradient();
        return norm(hessianTimes(theta, g)) / norm(g);
    }

    /** How many hidden pre-activations (over the batch) change sign between a and b. */
    int kinksBetween(double[] a, double[] b) {
        boolean[][] ma = evaluate(a).masks();
        boolean[][] mb = evaluate(b).masks();
        int count = 0;
        for (int l = 0; l < ma.length; l++) {
            for (int i = 0; i < ma[l].length; i++) {
                count += ma[l][i] != mb[l][i] ? 1 : 0;
            }
        }
        return count;
    }

    static double norm(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d * d;
        }
        return Math.sqrt(s);
    }

    static double[] widen(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
