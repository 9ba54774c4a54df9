package io.rkflow.kernels.conformance;

import io.rkflow.kernels.Pooling;
import io.rkflow.kernels.Window;
import io.rkflow.kernels.conformance.Reference.Expected;

/**
 * The convolutional kernels in double precision, written from their definitions (loops over the
 * output, scatter where the device gathers), independent of how a device computes them.
 */
final class WindowReference {

    private WindowReference() {}

    /** The index of x[n, y, x, c], or -1 outside the image. */
    private static int at(Window w, int n, int y, int x, int c) {
        if (y < 0 || y >= w.height() || x < 0 || x >= w.width()) {
            return -1;
        }
        return ((n * w.height() + y) * w.width() + x) * w.channels() + c;
    }

    /** One element of the im2col matrix: its index, and the input element it copies (-1: padding). */
    @FunctionalInterface
    private interface Tap {
        void at(int column, int pixel);
    }

    /** Every element of the im2col matrix in order, with the input element it comes from. */
    private static void forEachTap(Window w, Tap tap) {
        int k = w.size(), c = w.channels();
        for (int n = 0; n < w.batch(); n++) {
            for (int a = 0; a < w.outHeight(); a++) {
                for (int b = 0; b < w.outWidth(); b++) {
                    int row = (n * w.outHeight() + a) * w.outWidth() + b;
                    for (int i = 0; i < k; i++) {
                        for (int j = 0; j < k; j++) {
                            for (int e = 0; e < c; e++) {
                                tap.at(row * w.patch() + (i * k + j) * c + e,
                                        at(w, n, a * w.stride() - w.pad() + i, b * w.stride() - w.pad() + j, e));
                            }
                        }
                    }
                }
            }
        }
    }

    /** The im2col matrix, exactly (a copy). */
    static float[] im2col(Window w, float[] x) {
        float[] cols = new float[w.columnsLength()];
        forEachTap(w, (column, pixel) -> cols[column] = pixel < 0 ? 0f : x[pixel]);
        return cols;
    }

    /** dx = im2colᵀ · dcols, scattered; scale Σ|terms|. */
    static Expected col2im(Window w, float[] dcols) {
        double[] value = new double[w.inputLength()];
        double[] scale = new double[w.inputLength()];
        forEachTap(w, (column, pixel) -> {
            if (pixel >= 0) {
                value[pixel] += dcols[column];
                scale[pixel] += Math.abs(dcols[column]);
            }
        });
        return new Expected(value, scale);
    }

    /** Index into x of the first maximum of channel e in the window at (a, b). */
    private static int argmax(Window w, float[] x, int n, int a, int b, int e) {
        int best = -1;
        for (int i = 0; i < w.size(); i++) {
            for (int j = 0; j < w.size(); j++) {
                int src = at(w, n, a * w.stride() - w.pad() + i, b * w.stride() - w.pad() + j, e);
                if (src >= 0 && (best < 0 || x[src] > x[best])) {
                    best = src;
                }
            }
        }
        return best;
    }

    /** Pooled values; max pooling is exact (scale 0 would demand bits: the caller compares bits). */
    static Expected pool(Pooling kind, Window w, float[] x) {
        double[] value = new double[w.pooledLength()];
        double[] scale = new double[w.pooledLength()];
        double area = (double) w.size() * w.size();
        int c = w.channels();
        for (int n = 0; n < w.batch(); n++) {
            for (int a = 0; a < w.outHeight(); a++) {
                for (int b = 0; b < w.outWidth(); b++) {
                    int out = ((n * w.outHeight() + a) * w.outWidth() + b) * c;
                    for (int e = 0; e < c; e++) {
                        if (kind == Pooling.MAX) {
                            value[out + e] = x[argmax(w, x, n, a, b, e)];
                            continue;
                        }
                        double s = 0, abs = 0;
                        for (int i = 0; i < w.size(); i++) {
                            for (int j = 0; j < w.size(); j++) {
                                int src = at(w, n, a * w.stride() - w.pad() + i, b * w.stride() - w.pad() + j, e);
                                if (src >= 0) {
                                    s += x[src];
                                    abs += Math.abs(x[src]);
                                }
                            }
                        }
                        value[out + e] = s / area;
                        scale[out + e] = abs / area;
                    }
                }
            }
        }
        return new Expected(value, scale);
    }

    /** The input gradient of pooling, scattered from each window; scale Σ|terms|. */
    static Expected poolBackward(Pooling kind, Window w, float[] dy, float[] x) {
        double[] value = new double[w.inputLength()];
        double[] scale = new double[w.inputLength()];
        double area = (double) w.size() * w.size();
        int c = w.channels();
        for (int n = 0; n < w.batch(); n++) {
            for (int a = 0; a < w.outHeight(); a++) {
                for (int b = 0; b < w.outWidth(); b++) {
                    for (int e = 0; e < c; e++) {
                        double g = dy[((n * w.outHeight() + a) * w.outWidth() + b) * c + e];
                        if (kind == Pooling.MAX) {
                            int dst = argmax(w, x, n, a, b, e);
                            value[dst] += g;
                            scale[dst] += Math.abs(g);
                            continue;
                        }
                        for (int i = 0; i < w.size(); i++) {
                            for (int j = 0; j < w.size(); j++) {
                                int dst = at(w, n, a * w.stride() - w.pad() + i, b * w.stride() - w.pad() + j, e);
                                if (dst >= 0) {
                                    value[dst] += g / area;
                                    scale[dst] += Math.abs(g) / area;
                                }
                            }
                        }
                    }
                }
            }
        }
        return new Expected(value, scale);
    }

    /**
     * Dropout from its definition in {@code DropoutMask}'s documentation, computed in 64-bit
     * arithmetic reduced mod 2³² (a check of the device's 32-bit wrapping), exact: a kept element
     * is one float product x · (1 / (1 − rate)).
     */
    static float[] dropout(float[] x, int seed, int step, int stream, float rate) {
        long key = mix(mix(u32(seed + 0x632BE5ABL * stream)) ^ u32(step));
        long threshold = Math.round((double) rate * (1 << 24));
        float scale = 1f / (1f - rate);
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            long h = mix(u32(key + 0x9E3779B9L * i));
            y[i] = (h >>> 8) >= threshold ? x[i] * scale : 0f;
        }
        return y;
    }

    private static long u32(long v) {
        return v & 0xFFFFFFFFL;
    }

    private static long mix(long h) {
        h ^= h >>> 16;
        h = u32(h * 0x7feb352dL);
        h ^= h >>> 15;
        h = u32(h * 0x846ca68bL);
        h ^= h >>> 16;
        return h;
    }
}
