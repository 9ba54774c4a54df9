package io.rkflow.kernels.jvm;

import static io.rkflow.kernels.jvm.JvmDevice.array;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;

import io.rkflow.kernels.DropoutMask;
import io.rkflow.kernels.Pooling;
import io.rkflow.kernels.Task;
import io.rkflow.kernels.Window;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The JVM device's kernels of convolutional networks: im2col and its adjoint, pooling forward and
 * backward, dropout. Every output element is computed by one chunk in a fixed order (the
 * backward kernels gather, they never scatter), so results do not depend on the thread count;
 * nothing is allocated when they run.
 */
final class Windows {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private Windows() {}

    /** Items per chunk for work of about {@code perItem} elements each. */
    private static int grain(long perItem) {
        return (int) Math.max(1, Chunked.GRAIN / Math.max(1, perItem));
    }

    /** Rows of the im2col matrix, each a run of window pixels copied channel-contiguous or zeroed. */
    static Step im2col(WorkerPool pool, Task.Im2col t) {
        Window w = t.window();
        float[] cols = array(t.cols().buffer());
        float[] x = array(t.x().buffer());
        int co = t.cols().offset(), xo = t.x().offset();
        int h = w.height(), wd = w.width(), c = w.channels(), k = w.size(), s = w.stride(), p = w.pad();
        int oh = w.outHeight(), ow = w.outWidth(), patch = w.patch();
        return new Chunked(pool, w.positions(), grain(patch)) {
            @Override
            void apply(int chunk, int lo, int hi) {
                for (int r = lo; r < hi; r++) {
                    int n = r / (oh * ow), q = r % (oh * ow), y0 = (q / ow) * s - p, x0 = (q % ow) * s - p;
                    int at = co + r * patch;
                    for (int i = 0; i < k; i++) {
                        int yy = y0 + i;
                        if (yy < 0 || yy >= h) {
                            Arrays.fill(cols, at, at + k * c, 0f);
                            at += k * c;
                            continue;
                        }
                        int row = xo + (n * h + yy) * wd * c;
                        for (int j = 0; j < k; j++, at += c) {
                            int xx = x0 + j;
                            if (xx < 0 || xx >= wd) {
                                Arrays.fill(cols, at, at + c, 0f);
                            } else if (c == 1) {
                                cols[at] = x[row + xx];
                            } else {
                                System.arraycopy(x, row + xx * c, cols, at, c);
                            }
                        }
                    }
                }
            }
        };
    }

    /**
     * Each input pixel gathers its channels from every window position that covers it, in (i, j)
     * order: dx[pixel] = Σ dcols[r, (i·k + j)·C ...].
     */
    static Step col2im(WorkerPool pool, Task.Col2im t) {
        Window w = t.window();
        float[] dx = array(t.dx().buffer());
        float[] dcols = array(t.dcols().buffer());
        int xo = t.dx().offset(), co = t.dcols().offset();
        int h = w.height(), wd = w.width(), c = w.channels(), k = w.size(), s = w.stride(), p = w.pad();
        int oh = w.outHeight(), ow = w.outWidth(), patch = w.patch();
        int pixels = w.batch() * h * wd;
        long covering = (long) ((k + s - 1) / s) * ((k + s - 1) / s);
        return new Chunked(pool, pixels, grain(covering * c)) {
            @Override
            void apply(int chunk, int lo, int hi) {
                for (int px = lo; px < hi; px++) {
                    int n = px / (h * wd), q = px % (h * wd), yy = q / wd, xx = q % wd;
                    int out = xo + px * c;
                    Arrays.fill(dx, out, out + c, 0f);
                    // the windows (a, b) that cover the pixel, at tap (i, j) = (yy + p − a·s, xx + p − b·s):
                    // a and b descending is i and j ascending, the order of the sum; no division per tap
                    int aLo = Math.max(0, ceilDiv(yy + p - k + 1, s)), aHi = Math.min(oh - 1, Math.floorDiv(yy + p, s));
                    int bLo = Math.max(0, ceilDiv(xx + p - k + 1, s)), bHi = Math.min(ow - 1, Math.floorDiv(xx + p, s));
                    for (int a = aHi; a >= aLo; a--) {
                        int i = yy + p - a * s;
                        int rowBase = (n * oh + a) * ow;
                        for (int b = bHi; b >= bLo; b--) {
                            add(dx, out, dcols, co + (rowBase + b) * patch + (i * k + xx + p - b * s) * c, c);
                        }
                    }
                }
            }
        };
    }

    /** dst[d + e] += src[s + e], e &lt; len. */
    private static void add(float[] dst, int d, float[] src, int s, int len) {
        int e = 0;
        for (int end = F.loopBound(len); e < end; e += F.length()) {
            FloatVector.fromArray(F, dst, d + e).add(FloatVector.fromArray(F, src, s + e)).intoArray(dst, d + e);
        }
        for (; e < len; e++) {
            dst[d + e] += src[s + e];
        }
    }

    /** One output position per item: the window's maximum or mean, channel by channel. */
    static Step pool(WorkerPool pool, Task.Pool t) {
        Window w = t.window();
        float[] y = array(t.y().buffer());
        float[] x = array(t.x().buffer());
        int yo = t.y().offset(), xo = t.x().offset();
        int h = w.height(), wd = w.width(), c = w.channels(), k = w.size(), s = w.stride(), p = w.pad();
        int oh = w.outHeight(), ow = w.outWidth();
        boolean max = t.kind() == Pooling.MAX;
        float area = k * k;
        return new Chunked(pool, w.positions(), grain((long) k * k * c)) {
            @Override
            void apply(int chunk, int lo, int hi) {
                for (int r = lo; r < hi; r++) {
                    int n = r / (oh * ow), q = r % (oh * ow), y0 = (q / ow) * s - p, x0 = (q % ow) * s - p;
                    int out = yo + r * c;
                    boolean first = true;
                    if (!max) {
                        Arrays.fill(y, out, out + c, 0f);
                    }
                    for (int i = 0; i < k; i++) {
                        int yy = y0 + i;
                        if (yy < 0 || yy >= h) {
                            continue;
                        }
                        for (int j = 0; j < k; j++) {
                            int xx = x0 + j;
                            if (xx < 0 || xx >= wd) {
                                continue;
                            }
                            int in = xo + ((n * h + yy) * wd + xx) * c;
                            if (!max) {
                                add(y, out, x, in, c);
                            } else if (first) {
                                System.arraycopy(x, in, y, out, c);
                                first = false;
                            } else {
                                int e = 0;
                                for (int end = F.loopBound(c); e < end; e += F.length()) {
                                    FloatVector xv = FloatVector.fromArray(F, x, in + e);
                                    FloatVector yv = FloatVector.fromArray(F, y, out + e);
                                    yv.blend(xv, xv.compare(GT, yv))
                                            .intoArray(y, out + e);
                                }
                                for (; e < c; e++) {
                                    if (x[in + e] > y[out + e]) {
                                        y[out + e] = x[in + e];
                                    }
                                }
                            }
                        }
                    }
                    if (!max) {
                        for (int e = 0; e < c; e++) {
                            y[out + e] /= area;
                        }
                    }
                }
            }
        };
    }

    /**
     * One input pixel per item, gathering from the windows that cover it, in (oh, ow) order: for
     * max pooling the windows whose first maximum it is (found again from x), for average pooling
     * every covering window's dy / size².
     */
    static Step poolBackward(WorkerPool pool, Task.PoolBackward t) {
        Window w = t.window();
        float[] dx = array(t.dx().buffer());
        float[] dy = array(t.dy().buffer());
        float[] x = array(t.x().buffer());
        int dxo = t.dx().offset(), dyo = t.dy().offset(), xo = t.x().offset();
        int h = w.height(), wd = w.width(), c = w.channels(), k = w.size(), s = w.stride(), p = w.pad();
        int oh = w.outHeight(), ow = w.outWidth();
        boolean max = t.kind() == Pooling.MAX;
        float area = k * k;
        long covering = (long) ((k + s - 1) / s) * ((k + s - 1) / s);
        return new Chunked(pool, w.batch() * h * wd, grain(covering * c * (max ? k * k : 1))) {
            @Override
            void apply(int chunk, int lo, int hi) {
                for (int px = lo; px < hi; px++) {
                    int n = px / (h * wd), q = px % (h * wd), yy = q / wd, xx = q % wd;
                    int out = dxo + px * c;
                    // windows (a, b) cover yy iff a·s − p ≤ yy ≤ a·s − p + k − 1
                    int aLo = Math.max(0, ceilDiv(yy + p - k + 1, s)), aHi = Math.min(oh - 1, Math.floorDiv(yy + p, s));
                    int bLo = Math.max(0, ceilDiv(xx + p - k + 1, s)), bHi = Math.min(ow - 1, Math.floorDiv(xx + p, s));
                    int e = 0;
                    if (max) { // channel vectors: the pixel is a window's first maximum where it beats every pixel
                        // before it in window order and is not beaten by any after it
                        for (int end = F.loopBound(c); e < end; e += F.length()) {
                            FloatVector xp = FloatVector.fromArray(F, x, xo + px * c + e);
                            FloatVector acc = FloatVector.zero(F);
                            for (int a = aLo; a <= aHi; a++) {
                                for (int b = bLo; b <= bHi; b++) {
                                    // inline (a mask returned from a call is not kept in registers)
                                    int y0 = a * s - p, x0 = b * s - p;
                                    var first = F.maskAll(true);
                                    for (int i = Math.max(0, -y0), iEnd = Math.min(k, h - y0); i < iEnd; i++) {
                                        for (int j = Math.max(0, -x0), jEnd = Math.min(k, wd - x0); j < jEnd; j++) {
                                            int qy = y0 + i, qx = x0 + j;
                                            if (qy == yy && qx == xx) {
                                                continue;
                                            }
                                            FloatVector xq = FloatVector.fromArray(F, x, xo + ((n * h + qy) * wd + qx) * c + e);
                                            first = first.and(qy < yy || qy == yy && qx < xx ? xp.compare(GT, xq)
                                                    : xp.compare(GE, xq));
                                        }
                                    }
                                    FloatVector g = FloatVector.fromArray(F, dy, dyo + ((n * oh + a) * ow + b) * c + e);
                                    acc = acc.add(g, first);
                                }
                            }
                            acc.intoArray(dx, out + e);
                        }
                    }
                    for (; e < c; e++) {
                        float acc = 0;
                        for (int a = aLo; a <= aHi; a++) {
                            for (int b = bLo; b <= bHi; b++) {
                                float g = dy[dyo + ((n * oh + a) * ow + b) * c + e];
                                if (!max) {
                                    acc += g / area;
                                } else if (firstMaximum(x, xo, n, a * s - p, b * s - p, e, h, wd, c, k) == yy * wd + xx) {
                                    acc += g;
                                }
                            }
                        }
                        dx[out + e] = acc;
                    }
                }
            }
        };
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    /** The pixel (row · width + column) of channel e's first maximum in the window at (y0, x0). */
    private static int firstMaximum(float[] x, int xo, int n, int y0, int x0, int e, int h, int wd, int c, int k) {
        int best = -1;
        float value = 0;
        for (int i = Math.max(0, -y0), iEnd = Math.min(k, h - y0); i < iEnd; i++) {
            for (int j = Math.max(0, -x0), jEnd = Math.min(k, wd - x0); j < jEnd; j++) {
                int pixel = (y0 + i) * wd + x0 + j;
                float v = x[xo + (n * h * wd + pixel) * c + e];
                if (best < 0 || v > value) {
                    best = pixel;
                    value = v;
                }
            }
        }
        return best;
    }

    /** y[i] = x[i] · scale if element i is kept under this run's key, else 0. */
    static Step dropout(WorkerPool pool, Task.Dropout t) {
        float[] y = array(t.y().buffer());
        float[] x = array(t.x().buffer());
        int[] keys = array(t.key().buffer());
        int yo = t.y().offset(), xo = t.x().offset(), ko = t.key().offset(), stream = t.stream();
        int threshold = DropoutMask.threshold(t.rate());
        float scale = DropoutMask.scale(t.rate());
        return new Chunked(pool, t.y().length()) {
            private int key;

            @Override
            void prepare() {
                key = DropoutMask.key(keys[ko], keys[ko + 1], stream);
            }

            @Override
            void apply(int chunk, int lo, int hi) {
                int k = key;
                for (int i = lo; i < hi; i++) {
                    y[yo + i] = DropoutMask.kept(k, i, threshold) ? x[xo + i] * scale : 0f;
                }
            }
        };
    }
}
