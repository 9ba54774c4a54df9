package io.rkflow.kernels.jvm;

import static io.rkflow.kernels.jvm.JvmDevice.array;

import io.rkflow.kernels.Task;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise kernels of the JVM device: stage combination, copy, fill, scale, axpby, the
 * preconditioner and the fused optimizer updates. Each is one pass over memory; scalars that
 * change between runs are read from their small buffers when the step starts.
 */
final class Elementwise {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private Elementwise() {}

    /**
     * out[i] = x[i] + Σ_j c_j·K[j·stride + i], an fma chain in stage order, in one pass over memory:
     * all s + 1 input streams advance together, one vector at a time.
     */
    static Step combine(WorkerPool pool, Task.Combine t) {
        float[] out = array(t.out().buffer());
        float[] x = t.x() == null ? null : array(t.x().buffer());
        float[] k = array(t.stages().buffer());
        float[] cs = array(t.coeffs().buffer());
        int o = t.out().offset(), xo = t.x() == null ? 0 : t.x().offset();
        int ko = t.stages().offset(), co = t.coeffs().offset();
        int stride = t.stride(), s = t.count();
        float[] c = new float[s];
        return new Chunked(pool, t.out().length()) {
            @Override
            void prepare() {
                System.arraycopy(cs, co, c, 0, s);
            }

            @Override
            void apply(int chunk, int lo, int hi) {
                int i = lo;
                for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
                    FloatVector acc = x == null ? FloatVector.fromArray(F, k, ko + i).mul(c[0])
                            : FloatVector.fromArray(F, k, ko + i).fma(FloatVector.broadcast(F, c[0]),
                                    FloatVector.fromArray(F, x, xo + i));
                    for (int j = 1, kj = ko + stride + i; j < s; j++, kj += stride) {
                        acc = FloatVector.fromArray(F, k, kj).fma(FloatVector.broadcast(F, c[j]), acc);
                    }
                    acc.intoArray(out, o + i);
                }
                for (; i < hi; i++) {
                    float acc = x == null ? k[ko + i] * c[0] : Math.fma(k[ko + i], c[0], x[xo + i]);
                    for (int j = 1, kj = ko + stride + i; j < s; j++, kj += stride) {
                        acc = Math.fma(k[kj], c[j], acc);
                    }
                    out[o + i] = acc;
                }
            }
        };
    }

    static Step copy(WorkerPool pool, Task.Copy t) {
        float[] out = array(t.out().buffer());
        float[] x = array(t.x().buffer());
        int o = t.out().offset(), xo = t.x().offset();
        return new Chunked(pool, t.out().length()) {
            @Override
            void apply(int chunk, int lo, int hi) {
                System.arraycopy(x, xo + lo, out, o + lo, hi - lo);
            }
        };
    }

    static Step fill(WorkerPool pool, Task.Fill t) {
        float[] out = array(t.out().buffer());
        int o = t.out().offset();
        float value = t.value();
        return new Chunked(pool, t.out().length()) {
            @Override
            void apply(int chunk, int lo, int hi) {
                java.util.Arrays.fill(out, o + lo, o + hi, value);
            }
        };
    }

    static Step scale(WorkerPool pool, Task.Scale t) {
        float[] out = array(t.out().buffer());
        float[] x = array(t.x().buffer());
        float[] alpha = array(t.alpha().buffer());
        int o = t.out().offset(), xo = t.x().offset(), ao = t.alpha().offset();
        return new Chunked(pool, t.out().length()) {
            private float a;

            @Override
            void prepare() {
                a = alpha[ao];
            }

            @Override
            void apply(int chunk, int lo, int hi) {
                float a = this.a;
                int i = lo;
                for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
                    FloatVector.fromArray(F, x, xo + i).mul(a).intoArray(out, o + i);
                }
                for (; i < hi; i++) {
                    out[o + i] = a * x[xo + i];
                }
            }
        };
    }

    /** out = α·x + β·y, evaluated as fma(α, x, β·y). */
    static Step axpby(WorkerPool pool, Task.Axpby t) {
        float[] out = array(t.out().buffer());
        float[] x = array(t.x().buffer());
        float[] y = array(t.y().buffer());
        float[] alpha = array(t.alpha().buffer());
        float[] beta = array(t.beta().buffer());
        int o = t.out().offset(), xo = t.x().offset(), yo = t.y().offset();
        int ao = t.alpha().offset(), bo = t.beta().offset();
        return new Chunked(pool, t.out().length()) {
            private float a;
            private float b;

            @Override
            void prepare() {
                a = alpha[ao];
                b = beta[bo];
            }

            @Override
            void apply(int chunk, int lo, int hi) {
                float a = this.a, b = this.b;
                int i = lo;
                for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
                    FloatVector by = FloatVector.fromArray(F, y, yo + i).mul(b);
                    FloatVector.fromArray(F, x, xo + i).fma(FloatVector.broadcast(F, a), by).intoArray(out, o + i);
                }
                for (; i < hi; i++) {
                    out[o + i] = Math.fma(x[xo + i], a, b * y[yo + i]);
                }
            }
        };
    }

    /** v += g⊙g, or v = β·v + (1 − β)·g⊙g. */
    static Step accumulateSquares(WorkerPool pool, Task.AccumulateSquares t) {
        float[] v = array(t.v().buffer());
        float[] g = array(t.g().buffer());
        int vo = t.v().offset(), go = t.g().offset();
        boolean ema = t.beta() != null;
        float[] betaArr = ema ? array(t.beta().buffer()) : null;
        int bo = ema ? t.beta().offset() : 0;
        return new Chunked(pool, t.v().length()) {
            private float keep = 1f;
            private float take = 1f;

            @Override
            void prepare() {
                if (ema) {
                    keep = betaArr[bo];
                    take = 1f - keep;
                }
            }

            @Override
            void apply(int chunk, int lo, int hi) {
                float keep = this.keep, take = this.take;
                int i = lo;
                for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
                    FloatVector gv = FloatVector.fromArray(F, g, go + i);
                    FloatVector vv = FloatVector.fromArray(F, v, vo + i);
                    (ema ? vv.mul(keep).add(gv.mul(gv).mul(take)) : vv.add(gv.mul(gv))).intoArray(v, vo + i);
                }
                for (; i < hi; i++) {
                    float gi = g[go + i];
                    v[vo + i] = ema ? v[vo + i] * keep + gi * gi * take : v[vo + i] + gi * gi;
                }
            }
        };
    }

    /** out = g / sqrt(δ + v). */
    static Step precondition(WorkerPool pool, Task.Precondition t) {
        float[] out = array(t.out().buffer());
        float[] g = array(t.g().buffer());
        float[] v = array(t.v().buffer());
        float[] delta = array(t.delta().buffer());
        int o = t.out().offset(), go = t.g().offset(), vo = t.v().offset(), dOff = t.delta().offset();
        return new Chunked(pool, t.out().length()) {
            private float d;

            @Override
            void prepare() {
                d = delta[dOff];
            }

            @Override
            void apply(int chunk, int lo, int hi) {
                float d = this.d;
                int i = lo;
                for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
                    FloatVector den = FloatVector.fromArray(F, v, vo + i).add(d).sqrt();
                    FloatVector.fromArray(F, g, go + i).div(den).intoArray(out, o + i);
                }
                for (; i < hi; i++) {
                    out[o + i] = g[go + i] / (float) Math.sqrt(d + v[vo + i]);
                }
            }
        };
    }

    /** m = β·m + g; θ −= h·m (heavy ball) or θ −= h·(g + β·m) (Nesterov), fused. */
    static Step momentum(WorkerPool pool, Task.Momentum t) {
        float[] theta = array(t.theta().buffer());
        float[] m = array(t.m().buffer());
        float[] g = array(t.g().buffer());
        float[] p = array(t.params().buffer());
        int to = t.theta().offset(), mo = t.m().offset(), go = t.g().offset(), po = t.params().offset();
        boolean nesterov = t.nesterov();
        return new Chunked(pool, t.theta().length()) {
            private float beta;
            private float minusH;

            @Override
            void prepare() {
                beta = p[po + Task.Momentum.BETA];
                minusH = -p[po + Task.Momentum.H];
            }

            @Override
            void apply(int chunk, int lo, int hi) {
                float beta = this.beta, minusH = this.minusH;
                FloatVector betaV = FloatVector.broadcast(F, beta), minusHV = FloatVector.broadcast(F, minusH);
                int i = lo;
                for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
                    FloatVector gv = FloatVector.fromArray(F, g, go + i);
                    FloatVector mv = FloatVector.fromArray(F, m, mo + i).fma(betaV, gv);
                    mv.intoArray(m, mo + i);
                    FloatVector d = nesterov ? mv.fma(betaV, gv) : mv;
                    d.fma(minusHV, FloatVector.fromArray(F, theta, to + i)).intoArray(theta, to + i);
                }
                for (; i < hi; i++) {
                    float gi = g[go + i];
                    float mi = Math.fma(m[mo + i], beta, gi);
                    m[mo + i] = mi;
                    float d = nesterov ? Math.fma(mi, beta, gi) : mi;
                    theta[to + i] = Math.fma(d, minusH, theta[to + i]);
                }
            }
        };
    }

    /** Adam / AdamW in one pass; see {@link Task.Adam}. */
    static Step adam(WorkerPool pool, Task.Adam t) {
        float[] theta = array(t.theta().buffer());
        float[] m = array(t.m().buffer());
        float[] v = array(t.v().buffer());
        float[] g = array(t.g().buffer());
        float[] p = array(t.params().buffer());
        int to = t.theta().offset(), mo = t.m().offset(), vo = t.v().offset(), go = t.g().offset();
        int po = t.params().offset();
        boolean decoupled = t.decoupled();
        return new Chunked(pool, t.theta().length()) {
            private float lr, b1, b2, eps, wd, c1, c2, decay;

            @Override
            void prepare() {
                lr = p[po + Task.Adam.LR];
                b1 = p[po + Task.Adam.BETA1];
                b2 = p[po + Task.Adam.BETA2];
                eps = p[po + Task.Adam.EPS];
                wd = p[po + Task.Adam.WEIGHT_DECAY];
                c1 = p[po + Task.Adam.BIAS_CORRECTION1];
                c2 = p[po + Task.Adam.BIAS_CORRECTION2];
                decay = 1f - lr * wd;
            }

            @Override
            void apply(int chunk, int lo, int hi) {
                float lr = this.lr, b1 = this.b1, b2 = this.b2, eps = this.eps, wd = this.wd;
                float c1 = this.c1, c2 = this.c2, decay = this.decay;
                float t1 = 1f - b1, t2 = 1f - b2;
                int i = lo;
                for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
                    FloatVector th = FloatVector.fromArray(F, theta, to + i);
                    FloatVector gv = FloatVector.fromArray(F, g, go + i);
                    if (decoupled) {
                        th = th.mul(decay);
                    } else {
                        gv = gv.add(th.mul(wd));
                    }
                    FloatVector mv = FloatVector.fromArray(F, m, mo + i).mul(b1).add(gv.mul(t1));
                    FloatVector vv = FloatVector.fromArray(F, v, vo + i).mul(b2).add(gv.mul(gv).mul(t2));
                    mv.intoArray(m, mo + i);
                    vv.intoArray(v, vo + i);
                    FloatVector upd = mv.mul(c1).div(vv.mul(c2).sqrt().add(eps));
                    th.sub(upd.mul(lr)).intoArray(theta, to + i);
                }
                for (; i < hi; i++) {
                    float th = theta[to + i];
                    float gi = g[go + i];
                    if (decoupled) {
                        th = th * decay;
                    } else {
                        gi = gi + th * wd;
                    }
                    float mi = m[mo + i] * b1 + gi * t1;
                    float vi = v[vo + i] * b2 + gi * gi * t2;
                    m[mo + i] = mi;
                    v[vo + i] = vi;
                    float upd = mi * c1 / ((float) Math.sqrt(vi * c2) + eps);
                    theta[to + i] = th - upd * lr;
                }
            }
        };
    }
}
