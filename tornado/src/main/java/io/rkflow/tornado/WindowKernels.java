package io.rkflow.tornado;

import io.rkflow.kernels.DropoutMask;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The convolutional kernels of the catalogue (im2col, col2im, pooling, dropout) as
 * {@code @Parallel} loops, one work item per output element, each computed in a fixed order:
 * the backward kernels gather from the windows covering an element (never scatter), so they need
 * no atomics and give the same result on every run. Images are NHWC; the window geometry
 * (height h, width w, channels c, size k, stride s, pad p) arrives as int arguments, which
 * TornadoVM compiles into the kernel. Signatures follow {@link ElementwiseKernels}: outputs last,
 * every store guarded by {@code offset >= 0}.
 */
final class WindowKernels {

    /** Pooling kinds of {@link #pool} and {@link #poolBackward}. */
    static final int MAX = 0;
    static final int AVERAGE = 1;

    private WindowKernels() {}

    /** cols[r·k²c + (i·k + j)·c + e] = x[n, oh·s − p + i, ow·s − p + j, e] (0 over the padding), per element. */
    static void im2col(FloatArray x, int xo, int h, int w, int c, int k, int s, int p, int total, FloatArray cols,
            int co) {
        for (@Parallel int q = 0; q < total; q++) {
            int patch = k * k * c;
            int oh = (h + 2 * p - k) / s + 1;
            int ow = (w + 2 * p - k) / s + 1;
            int r = q / patch;
            int t = q - r * patch;
            int ij = t / c;
            int e = t - ij * c;
            int n = r / (oh * ow);
            int pos = r - n * oh * ow;
            int yy = (pos / ow) * s - p + ij / k;
            int xx = (pos - (pos / ow) * ow) * s - p + ij - (ij / k) * k;
            float v = 0f;
            if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                v = x.get(xo + ((n * h + yy) * w + xx) * c + e);
            }
            if (co >= 0) {
                cols.set(co + q, v);
            }
        }
    }

    /** dx[n, yy, xx, e] = Σ over the window positions covering it, in (i, j) order. */
    static void col2im(FloatArray dcols, int co, int h, int w, int c, int k, int s, int p, int total, FloatArray dx,
            int xo) {
        for (@Parallel int q = 0; q < total; q++) {
            int patch = k * k * c;
            int oh = (h + 2 * p - k) / s + 1;
            int ow = (w + 2 * p - k) / s + 1;
            int px = q / c;
            int e = q - px * c;
            int n = px / (h * w);
            int hw = px - n * h * w;
            int yy = hw / w;
            int xx = hw - yy * w;
            float acc = 0f;
            for (int i = 0; i < k; i++) {
                int ty = yy + p - i;
                if (ty >= 0 && ty % s == 0 && ty / s < oh) {
                    for (int j = 0; j < k; j++) {
                        int tx = xx + p - j;
                        if (tx >= 0 && tx % s == 0 && tx / s < ow) {
                            int r = (n * oh + ty / s) * ow + tx / s;
                            acc += dcols.get(co + r * patch + (i * k + j) * c + e);
                        }
                    }
                }
            }
            if (xo >= 0) {
                dx.set(xo + q, acc);
            }
        }
    }

    /** y[n, oh, ow, e]: the window's maximum (first pixel, then strictly greater ones) or its sum / k². */
    static void pool(FloatArray x, int xo, int h, int w, int c, int k, int s, int p, int kind, int total,
            FloatArray y, int yo) {
        for (@Parallel int q = 0; q < total; q++) {
            int oh = (h + 2 * p - k) / s + 1;
            int ow = (w + 2 * p - k) / s + 1;
            int r = q / c;
            int e = q - r * c;
            int n = r / (oh * ow);
            int pos = r - n * oh * ow;
            int y0 = (pos / ow) * s - p;
            int x0 = (pos - (pos / ow) * ow) * s - p;
            float acc = 0f;
            int seen = 0;
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    int yy = y0 + i;
                    int xx = x0 + j;
                    if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                        float v = x.get(xo + ((n * h + yy) * w + xx) * c + e);
                        if (kind == AVERAGE) {
                            acc += v;
                        } else if (seen == 0 || v > acc) {
                            acc = v;
                        }
                        seen = 1;
                    }
                }
            }
            if (kind == AVERAGE) {
                acc = acc / (k * k);
            }
            if (yo >= 0) {
                y.set(yo + q, acc);
            }
        }
    }

    /**
     * dx[n, yy, xx, e] = Σ over the covering windows in (oh, ow) order of dy where (yy, xx) is the
     * window's first maximum (max pooling) or of dy / k² (average pooling).
     */
    static void poolBackward(FloatArray dy, int dyo, FloatArray x, int xo, int h, int w, int c, int k, int s, int p,
            int kind, int total, FloatArray dx, int dxo) {
        for (@Parallel int q = 0; q < total; q++) {
            int oh = (h + 2 * p - k) / s + 1;
            int ow = (w + 2 * p - k) / s + 1;
            int px = q / c;
            int e = q - px * c;
            int n = px / (h * w);
            int hw = px - n * h * w;
            int yy = hw / w;
            int xx = hw - yy * w;
            // the windows (a, b) covering (yy, xx): a·s − p ≤ yy ≤ a·s − p + k − 1, likewise b
            int ty = yy + p - k + 1;
            int tx = xx + p - k + 1;
            int aLo = ty > 0 ? (ty + s - 1) / s : 0;
            int bLo = tx > 0 ? (tx + s - 1) / s : 0;
            int aHi = (yy + p) / s < oh ? (yy + p) / s : oh - 1;
            int bHi = (xx + p) / s < ow ? (xx + p) / s : ow - 1;
            float acc = 0f;
            for (int a = aLo; a <= aHi; a++) {
                int y0 = a * s - p;
                for (int b = bLo; b <= bHi; b++) {
                    int x0 = b * s - p;
                    float g = dy.get(dyo + ((n * oh + a) * ow + b) * c + e);
                    if (kind == AVERAGE) {
                        acc += g / (k * k);
                    } else {
                        // the window's first maximum, scanning in (i, j) order
                        int best = -1;
                        float value = 0f;
                        for (int i = 0; i < k; i++) {
                            for (int j = 0; j < k; j++) {
                                int qy = y0 + i;
                                int qx = x0 + j;
                                if (qy >= 0 && qy < h && qx >= 0 && qx < w) {
                                    float v = x.get(xo + ((n * h + qy) * w + qx) * c + e);
                                    if (best < 0 || v > value) {
                                        best = qy * w + qx;
                                        value = v;
                                    }
                                }
                            }
                        }
                        if (best == hw) {
                            acc += g;
                        }
                    }
                }
            }
            if (dxo >= 0) {
                dx.set(dxo + q, acc);
            }
        }
    }

    /** y[i] = x[i]·scale where {@link DropoutMask} keeps element i under key [seed, step] and stream, else 0. */
    static void dropout(FloatArray x, int xo, IntArray key, int ko, int stream, int threshold, float scale, int n,
            FloatArray y, int yo) {
        for (@Parallel int i = 0; i < n; i++) {
            int mask = DropoutMask.key(key.get(ko), key.get(ko + 1), stream);
            float v = DropoutMask.kept(mask, i, threshold) ? x.get(xo + i) * scale : 0f;
            if (yo >= 0) {
                y.set(yo + i, v);
            }
        }
    }
}
