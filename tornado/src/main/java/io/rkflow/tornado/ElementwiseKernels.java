package io.rkflow.tornado;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The elementwise kernels of the catalogue in TornadoVM's Java idiom: one {@code @Parallel} loop
 * over the elements, buffers as {@link FloatArray}s with element offsets (one flat buffer holds
 * many slices), per-run scalars read from small buffers on the device.
 *
 * <p>TornadoVM compiles every int argument into the kernel as a constant, so offsets, lengths and
 * the int mode flags below cost nothing at run time: the branches on them fold away.
 *
 * <p>Outputs come last in every signature. TornadoVM orders tasks by their arguments; an input
 * that shares its array with an output of the same task (an in-place update, or two slices of one
 * flat buffer) must come before it, or TornadoVM's scheduler loops forever. Two outputs in one
 * array are passed once, with an int saying so.
 *
 * <p>Every store is guarded by {@code if (offset >= 0)}, always true. TornadoVM deduces from the
 * kernel's code whether a parameter is read; an output that is only written is not uploaded and
 * comes back zero outside the written slice, which would wipe the rest of a flat buffer. A
 * conditional store makes the parameter read-write, so the whole buffer is kept; the guard folds
 * away when the offset becomes a constant.
 */
final class ElementwiseKernels {

    private ElementwiseKernels() {}

    /** out = x + Σ_{j&lt;count} c_j·K_j; without x ({@code hasX == 0}), out = Σ_j c_j·K_j. */
    static void combine(FloatArray x, int xo, FloatArray k, int ko, int stride, int count, FloatArray c, int co,
            int hasX, int n, FloatArray out, int oo) {
        for (@Parallel int i = 0; i < n; i++) {
            float acc = hasX == 1 ? x.get(xo + i) + c.get(co) * k.get(ko + i) : c.get(co) * k.get(ko + i);
            for (int j = 1; j < count; j++) {
                acc += c.get(co + j) * k.get(ko + j * stride + i);
            }
            if (oo >= 0) {
                out.set(oo + i, acc);
            }
        }
    }

    static void copy(FloatArray x, int xo, int n, FloatArray out, int oo) {
        for (@Parallel int i = 0; i < n; i++) {
            if (oo >= 0) {
                out.set(oo + i, x.get(xo + i));
            }
        }
    }

    static void fill(float value, int n, FloatArray out, int oo) {
        for (@Parallel int i = 0; i < n; i++) {
            if (oo >= 0) {
                out.set(oo + i, value);
            }
        }
    }

    static void scale(FloatArray alpha, int ao, FloatArray x, int xo, int n, FloatArray out, int oo) {
        for (@Parallel int i = 0; i < n; i++) {
            float a = alpha.get(ao);
            if (oo >= 0) {
                out.set(oo + i, a * x.get(xo + i));
            }
        }
    }

    static void axpby(FloatArray alpha, int ao, FloatArray x, int xo, FloatArray beta, int bo, FloatArray y, int yo,
            int n, FloatArray out, int oo) {
        for (@Parallel int i = 0; i < n; i++) {
            float a = alpha.get(ao);
            float b = beta.get(bo);
            float v = a * x.get(xo + i) + b * y.get(yo + i);
            if (oo >= 0) {
                out.set(oo + i, v);
            }
        }
    }

    /** v += g², or with {@code ema == 1}, v = β·v + (1 − β)·g². */
    static void squares(FloatArray g, int go, FloatArray beta, int bo, int ema, int n, FloatArray v, int vo) {
        for (@Parallel int i = 0; i < n; i++) {
            float value = squared(ema, v.get(vo + i), g.get(go + i), ema == 1 ? beta.get(bo) : 1f);
            if (vo >= 0) {
                v.set(vo + i, value);
            }
        }
    }

    /** The accumulator's new value: old + g², or with {@code ema == 1}, old·β + g²·(1 − β). */
    static float squared(int ema, float old, float gi, float keep) {
        return ema == 1 ? old * keep + gi * gi * (1f - keep) : old + gi * gi;
    }

    /** out = g / sqrt(δ + v); the square root and the division in double, so they round once. */
    static void precondition(FloatArray g, int go, FloatArray v, int vo, FloatArray delta, int dOff, int n,
            FloatArray out, int oo) {
        for (@Parallel int i = 0; i < n; i++) {
            float q = preconditioned(g.get(go + i), v.get(vo + i), delta.get(dOff));
            if (oo >= 0) {
                out.set(oo + i, q);
            }
        }
    }

    /** g / sqrt(δ + v), rounded once. */
    static float preconditioned(float gi, float vi, float delta) {
        float den = delta + vi;
        return (float) (gi / TornadoMath.sqrt((double) den));
    }

    /**
     * m = β·m + g; θ −= h·m, or with {@code nesterov == 1}, θ −= h·(g + β·m). params = [β, h].
     * {@code mInTheta == 1}: m is a slice of θ's buffer and is read and written through {@code theta}
     * (the {@code m} argument is then a placeholder).
     */
    static void momentum(FloatArray g, int go, FloatArray p, int po, int nesterov, int n, FloatArray theta, int to,
            FloatArray m, int mo, int mInTheta) {
        for (@Parallel int i = 0; i < n; i++) {
            float beta = p.get(po);
            float h = p.get(po + 1);
            float gi = g.get(go + i);
            float mi = (mInTheta == 1 ? theta.get(mo + i) : m.get(mo + i)) * beta + gi;
            float d = nesterov == 1 ? mi * beta + gi : mi;
            float th = theta.get(to + i) - h * d;
            if (to >= 0) {
                theta.set(to + i, th);
                if (mInTheta == 1) {
                    theta.set(mo + i, mi);
                } else {
                    m.set(mo + i, mi);
                }
            }
        }
    }

    /**
     * Adam (decoupled == 0) or AdamW; params = [lr, β1, β2, ε, wd, c1, c2] (see Task.Adam). {@code mIn}
     * and {@code vIn} say which written array holds m and v: 0 their own, 1 θ's, 2 m's (for v).
     */
    static void adam(FloatArray g, int go, FloatArray p, int po, int decoupled, int n, FloatArray theta, int to,
            FloatArray m, int mo, int mIn, FloatArray v, int vo, int vIn) {
        for (@Parallel int i = 0; i < n; i++) {
            float lr = p.get(po);
            float b1 = p.get(po + 1);
            float b2 = p.get(po + 2);
            float eps = p.get(po + 3);
            float wd = p.get(po + 4);
            float c1 = p.get(po + 5);
            float c2 = p.get(po + 6);
            float th = theta.get(to + i);
            float gi = g.get(go + i);
            if (decoupled == 1) {
                th = th * (1f - lr * wd);
            } else {
                gi = gi + th * wd;
            }
            float mOld = mIn == 1 ? theta.get(mo + i) : m.get(mo + i);
            float vOld = vIn == 1 ? theta.get(vo + i) : vIn == 2 ? m.get(vo + i) : v.get(vo + i);
            float mi = mOld * b1 + gi * (1f - b1);
            float vi = vOld * b2 + gi * gi * (1f - b2);
            double update = (mi * c1) / (TornadoMath.sqrt((double) (vi * c2)) + eps);
            if (to >= 0) {
                theta.set(to + i, (float) (th - lr * update));
                if (mIn == 1) {
                    theta.set(mo + i, mi);
                } else {
                    m.set(mo + i, mi);
                }
                if (vIn == 1) {
                    theta.set(vo + i, vi);
                } else if (vIn == 2) {
                    m.set(vo + i, vi);
                } else {
                    v.set(vo + i, vi);
                }
            }
        }
    }

    // ---- activations: ReLU exact in float; tanh and GELU in double from one exp -----------------

    static final int RELU = 0;
    static final int TANH = 1;
    static final int GELU = 2;

    /** y = f(x) for {@code kind} RELU, TANH or GELU. */
    static void activation(FloatArray x, int xo, int kind, int n, FloatArray y, int yo) {
        for (@Parallel int i = 0; i < n; i++) {
            float value = activate(kind, x.get(xo + i));
            if (yo >= 0) {
                y.set(yo + i, value);
            }
        }
    }

    /** dx = dy·f'(x). */
    static void activationBackward(FloatArray dy, int dyo, FloatArray x, int xo, int kind, int n, FloatArray dx,
            int dxo) {
        for (@Parallel int i = 0; i < n; i++) {
            float value = backward(kind, dy.get(dyo + i), x.get(xo + i));
            if (dxo >= 0) {
                dx.set(dxo + i, value);
            }
        }
    }

    /** f(x). */
    static float activate(int kind, float xi) {
        float value;
        if (kind == RELU) {
            value = xi > 0f ? xi : 0f;
        } else if (kind == TANH) {
            value = (float) tanh(xi);
        } else { // x·σ(2u) from E = exp(−2|u|) ≤ 1: nothing overflows, whatever exp's precision
            double u = (xi * xi * xi * 0.044715 + xi) * 0.7978845608028654;
            double e = TornadoMath.exp(-2.0 * TornadoMath.abs(u));
            double sigma = u >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
            value = (float) (xi * sigma);
        }
        return value;
    }

    /** d·f'(x). */
    static float backward(int kind, float d, float xi) {
        float value;
        if (kind == RELU) {
            value = xi > 0f ? d : 0f;
        } else if (kind == TANH) {
            double e = TornadoMath.exp(-2.0 * TornadoMath.abs((double) xi));
            double slope = 4.0 * e / ((1.0 + e) * (1.0 + e));
            value = (float) (d * slope);
        } else {
            double xd = xi;
            double u = (xd * xd * xd * 0.044715 + xd) * 0.7978845608028654;
            double e = TornadoMath.exp(-2.0 * TornadoMath.abs(u));
            double sigma = u >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
            double rest = u >= 0 ? e / (1.0 + e) : 1.0 / (1.0 + e); // 1 − σ
            double du = (xd * xd * (3.0 * 0.044715) + 1.0) * 0.7978845608028654;
            double slope = 2.0 * xd * du * sigma * rest + sigma;
            value = (float) (d * slope);
        }
        return value;
    }

    /** tanh in double: the odd series near 0 (where 1 − e cancels), sign(x)(1 − e)/(1 + e) elsewhere. */
    private static double tanh(double x) {
        double ax = TornadoMath.abs(x);
        double t;
        if (ax < 0.0625) {
            double x2 = x * x;
            t = x * (1.0 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 + x2 * (-17.0 / 315.0 + x2 * (62.0 / 2835.0)))));
        } else {
            double e = TornadoMath.exp(-2.0 * ax);
            double r = (1.0 - e) / (1.0 + e);
            t = x < 0 ? -r : r;
        }
        return t;
    }

    // ---- dense-layer helpers that are elementwise over rows × cols -----------------------------

    /** y[r, j] += bias[j]. */
    static void biasAdd(FloatArray bias, int bo, int cols, int n, FloatArray y, int yo) {
        for (@Parallel int i = 0; i < n; i++) {
            float v = y.get(yo + i) + bias.get(bo + i % cols);
            if (yo >= 0) {
                y.set(yo + i, v);
            }
        }
    }

    /** db[j] (+)= Σ_r dy[r, j], one work-item per column summing its rows in order, in double. */
    static void biasGrad(FloatArray dy, int dyo, int rows, int cols, int accumulate, FloatArray db, int dbo) {
        for (@Parallel int j = 0; j < cols; j++) {
            double s = 0.0;
            for (int r = 0; r < rows; r++) {
                s += dy.get(dyo + r * cols + j);
            }
            float v = accumulate == 1 ? (float) (db.get(dbo + j) + s) : (float) s;
            if (dbo >= 0) {
                db.set(dbo + j, v);
            }
        }
    }
}
