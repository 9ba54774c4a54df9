package io.rkflow.models.nn;

import io.rkflow.kernels.Activation;
import io.rkflow.kernels.DropoutMask;
import io.rkflow.kernels.Pooling;
import io.rkflow.models.nn.ModelSpec.Act;
import io.rkflow.models.nn.ModelSpec.Conv;
import io.rkflow.models.nn.ModelSpec.Dense;
import io.rkflow.models.nn.ModelSpec.Dropout;
import io.rkflow.models.nn.ModelSpec.Flatten;
import io.rkflow.models.nn.ModelSpec.Layer;
import io.rkflow.models.nn.ModelSpec.Pool;
import io.rkflow.models.nn.ModelSpec.Shape;

/**
 * Any {@link ModelSpec} evaluated on the host in double precision, one example at a time, written
 * from the layers' definitions (direct convolution loops, no im2col): the oracle of the gradient
 * checks. Dropout uses the training mask of (seed, step) when {@code key} is given, else none.
 */
final class HostNetwork {

    private final ModelSpec spec;

    HostNetwork(ModelSpec spec) {
        this.spec = spec;
    }

    /** Mean softmax cross-entropy over the batch; {@code key} = {seed, step} or null (no dropout). */
    double loss(double[] theta, float[] x, int[] y, int batch, int[] key) {
        double total = 0;
        int in = spec.inputs();
        for (int r = 0; r < batch; r++) {
            double[] a = new double[in];
            for (int j = 0; j < in; j++) {
                a[j] = x[r * in + j];
            }
            double[] z = logits(theta, a, r, batch, key);
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : z) {
                sum += Math.exp(v - max);
            }
            total += max + Math.log(sum) - z[y[r]];
        }
        return total / batch;
    }

    /** The logits of example r (of a batch of {@code batch}, for the dropout mask's indices). */
    double[] logits(double[] theta, double[] a, int r, int batch, int[] key) {
        for (int l = 0; l < spec.layers().size(); l++) {
            Layer layer = spec.layers().get(l);
            int off = spec.offset(l);
            a = switch (layer) {
                case Dense d -> dense(theta, off, d, a);
                case Conv c -> conv(theta, off, c, a);
                case Act act -> activate(act.kind(), a);
                case Pool p -> pool(p, a);
                case Flatten f -> a;
                case Dropout d -> key == null ? a : dropout(d, a, r, l, key);
            };
        }
        return a;
    }

    private static double[] dense(double[] theta, int off, Dense d, double[] a) {
        int in = d.in().size(), units = d.units();
        double[] z = new double[units];
        for (int o = 0; o < units; o++) {
            double s = theta[off + in * units + o];
            for (int i = 0; i < in; i++) {
                s += a[i] * theta[off + i * units + o];
            }
            z[o] = s;
        }
        return z;
    }

    /** Direct convolution of an HWC image, weights HWIO. */
    private static double[] conv(double[] theta, int off, Conv c, double[] a) {
        Shape in = c.in(), out = c.out();
        int k = c.size(), ch = in.channels(), f = c.filters();
        double[] z = new double[out.size()];
        for (int oy = 0; oy < out.height(); oy++) {
            for (int ox = 0; ox < out.width(); ox++) {
                for (int o = 0; o < f; o++) {
                    double s = theta[off + c.patch() * f + o];
                    for (int i = 0; i < k; i++) {
                        for (int j = 0; j < k; j++) {
                            int yy = oy * c.stride() - c.pad() + i, xx = ox * c.stride() - c.pad() + j;
                            if (yy < 0 || yy >= in.height() || xx < 0 || xx >= in.width()) {
                                continue;
                            }
                            for (int e = 0; e < ch; e++) {
                                s += a[(yy * in.width() + xx) * ch + e] * theta[off + ((i * k + j) * ch + e) * f + o];
                            }
                        }
                    }
                    z[(oy * out.width() + ox) * f + o] = s;
                }
            }
        }
        return z;
    }

    private static double[] pool(Pool p, double[] a) {
        Shape in = p.in(), out = p.out();
        int k = p.size(), ch = in.channels();
        double[] z = new double[out.size()];
        for (int oy = 0; oy < out.height(); oy++) {
            for (int ox = 0; ox < out.width(); ox++) {
                for (int e = 0; e < ch; e++) {
                    double best = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int i = 0; i < k; i++) {
                        for (int j = 0; j < k; j++) {
                            int yy = oy * p.stride() - p.pad() + i, xx = ox * p.stride() - p.pad() + j;
                            if (yy < 0 || yy >= in.height() || xx < 0 || xx >= in.width()) {
                                continue;
                            }
                            double v = a[(yy * in.width() + xx) * ch + e];
                            best = Math.max(best, v);
                            sum += v;
                        }
                    }
                    z[(oy * out.width() + ox) * ch + e] = p.kind() == Pooling.MAX ? best : sum / (k * k);
                }
            }
        }
        return z;
    }

    private static double[] dropout(Dropout d, double[] a, int r, int layer, int[] key) {
        int k = DropoutMask.key(key[0], key[1], layer);
        int threshold = DropoutMask.threshold(d.rate());
        double[] z = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            z[i] = DropoutMask.kept(k, r * a.length + i, threshold) ? a[i] * DropoutMask.scale(d.rate()) : 0;
        }
        return z;
    }

    private static double[] activate(Activation kind, double[] a) {
        double[] z = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            double v = a[i];
            z[i] = switch (kind) {
                case RELU -> Math.max(v, 0);
                case TANH -> Math.tanh(v);
                case GELU -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            };
        }
        return z;
    }
}
