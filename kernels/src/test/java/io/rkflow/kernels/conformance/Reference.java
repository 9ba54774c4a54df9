package io.rkflow.kernels.conformance;

import io.rkflow.kernels.Activation;
import io.rkflow.kernels.GemmForm;

/**
 * The kernel catalogue in double precision, on the same float inputs the device gets. Each kernel
 * returns the expected values of an output and, per element, the condition-aware scale that
 * {@link Tolerance} bounds are relative to: Σ|terms| of the kernel's formula (the size of what a
 * float evaluation rounds), with the documented extra factor where a transcendental function
 * amplifies the rounding of its argument.
 *
 * <p>Chained kernels (momentum, Adam) take the device's own float result of the first stage
 * (m, v) when computing the second (θ), as a float evaluation would: each output is then judged
 * only on its own rounding, and the first stage is checked separately.
 */
final class Reference {

    /** √(2/π) and the cubic coefficient of the tanh form of GELU. */
    private static final double GELU_S = Math.sqrt(2 / Math.PI);
    private static final double GELU_C = 0.044715;

    private Reference() {}

    /** Expected values of one output and the scale of each element's error bound. */
    record Expected(double[] value, double[] scale) {

        /** A result whose only rounding is of the result itself: scale = |value|. */
        static Expected ofValues(double[] value) {
            double[] scale = new double[value.length];
            for (int i = 0; i < value.length; i++) {
                scale[i] = Math.abs(value[i]);
            }
            return new Expected(value, scale);
        }

        static Expected scalar(double value, double scale) {
            return new Expected(new double[] {value}, new double[] {scale});
        }
    }

    // ---- elementwise ---------------------------------------------------------------------------

    /** out[i] = x[i] + Σ_j c_j·stages[j·stride + i]; scale |x| + Σ|c_j·K_j|. */
    static Expected combine(float[] x, float[] stages, int stride, float[] coeffs, int count) {
        int n = x.length;
        double[] value = new double[n];
        double[] scale = new double[n];
        for (int i = 0; i < n; i++) {
            double s = x[i];
            double a = Math.abs(s);
            for (int j = 0; j < count; j++) {
                double t = (double) coeffs[j] * stages[j * stride + i];
                s += t;
                a += Math.abs(t);
            }
            value[i] = s;
            scale[i] = a;
        }
        return new Expected(value, scale);
    }

    /** alpha·x. */
    static Expected scale(float alpha, float[] x) {
        return axpby(alpha, x, 0, new float[x.length]);
    }

    /** alpha·x + beta·y; scale |alpha·x| + |beta·y|. */
    static Expected axpby(float alpha, float[] x, float beta, float[] y) {
        double[] value = new double[x.length];
        double[] scale = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double a = (double) alpha * x[i];
            double b = (double) beta * y[i];
            value[i] = a + b;
            scale[i] = Math.abs(a) + Math.abs(b);
        }
        return new Expected(value, scale);
    }

    /**
     * v·decay + weight·g² with (decay, weight) = (1, 1) for accumulateSquares and (β, 1 − β) for
     * emaSquares; scale |decay·v| + weight·g². 1 − β is exact in float for β ∈ [0.5, 1] (Sterbenz).
     */
    static Expected squares(float[] v, float[] g, double decay, double weight) {
        double[] value = new double[v.length];
        double[] scale = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double a = decay * v[i];
            double b = weight * g[i] * g[i];
            value[i] = a + b;
            scale[i] = Math.abs(a) + b;
        }
        return new Expected(value, scale);
    }

    /** g / sqrt(delta + v) for v ≥ 0, delta &gt; 0: all rounding is relative to the result. */
    static Expected precondition(float[] g, float[] v, float delta) {
        double[] value = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            value[i] = g[i] / Math.sqrt((double) delta + v[i]);
        }
        return Expected.ofValues(value);
    }

    /** The two outputs of a momentum step. */
    record MomentumExpected(Expected theta, Expected m) {}

    /**
     * m' = β·m + g; θ' = θ − h·m' (heavy ball) or θ − h·(g + β·m') (Nesterov), with the device's
     * float m' in θ's formula.
     */
    static MomentumExpected momentum(float[] theta, float[] m, float[] g, float beta, float h, boolean nesterov,
            float[] deviceM) {
        int n = theta.length;
        double[] mv = new double[n];
        double[] ms = new double[n];
        double[] tv = new double[n];
        double[] ts = new double[n];
        for (int i = 0; i < n; i++) {
            double bm = (double) beta * m[i];
            mv[i] = bm + g[i];
            ms[i] = Math.abs(bm) + Math.abs(g[i]);
            double step;
            double stepScale;
            if (nesterov) {
                double bm2 = (double) beta * deviceM[i];
                step = h * (g[i] + bm2);
                stepScale = Math.abs(h) * (Math.abs(g[i]) + Math.abs(bm2));
            } else {
                step = (double) h * deviceM[i];
                stepScale = Math.abs(step);
            }
            tv[i] = theta[i] - step;
            ts[i] = Math.abs(theta[i]) + stepScale;
        }
        return new MomentumExpected(new Expected(tv, ts), new Expected(mv, ms));
    }

    /** The three outputs of an Adam step. */
    record AdamExpected(Expected theta, Expected m, Expected v) {}

    /**
     * Adam / AdamW as {@code Task.Adam} states them, params = [lr, β1, β2, ε, wd, c1, c2]. Scales:
     * g' = g + wd·θ rounds relative to |g| + |wd·θ| =: G, so m' is judged against β1|m| + (1−β1)G,
     * v' against β2·v + (1−β2)G²; θ' (from the device's m', v') against |θ|·(1 + lr·wd) + |step|.
     */
    static AdamExpected adam(float[] theta, float[] m, float[] v, float[] g, float[] p, boolean decoupled,
            float[] deviceM, float[] deviceV) {
        double lr = p[0], b1 = p[1], b2 = p[2], eps = p[3], wd = p[4], c1 = p[5], c2 = p[6];
        int n = theta.length;
        double[][] out = new double[6][n];
        for (int i = 0; i < n; i++) {
            double decay = decoupled ? 0 : wd * theta[i];
            double gp = g[i] + decay;
            double gs = Math.abs(g[i]) + Math.abs(decay);
            out[0][i] = b1 * m[i] + (1 - b1) * gp;
            out[1][i] = b1 * Math.abs(m[i]) + (1 - b1) * gs;
            out[2][i] = b2 * v[i] + (1 - b2) * gp * gp;
            out[3][i] = b2 * v[i] + (1 - b2) * gs * gs;
            double shrunk = decoupled ? theta[i] * (1 - lr * wd) : theta[i];
            double step = lr * (deviceM[i] * c1) / (Math.sqrt(deviceV[i] * c2) + eps);
            out[4][i] = shrunk - step;
            out[5][i] = Math.abs(theta[i]) * (1 + Math.abs(lr * wd)) + Math.abs(step);
        }
        return new AdamExpected(new Expected(out[4], out[5]), new Expected(out[0], out[1]),
                new Expected(out[2], out[3]));
    }

    /** y[r, j] + bias[j]. */
    static Expected biasAdd(float[] y, float[] bias, int rows, int cols) {
        double[] value = new double[y.length];
        double[] scale = new double[y.length];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int i = r * cols + j;
                value[i] = (double) y[i] + bias[j];
                scale[i] = Math.abs(y[i]) + Math.abs(bias[j]);
            }
        }
        return new Expected(value, scale);
    }

    /**
     * f(x). ReLU and tanh: scale |f|. GELU = x·σ(2u), u = √(2/π)(x + 0.044715x³): the float
     * rounding of u (relative 2^-24) moves f by |f|·2(1 − σ(2u))·|u|·2^-24, so the scale is
     * |f|·(1 + 2(1 − σ(2u))|u|) (up to ~12|f| at x = −4).
     */
    static Expected activation(Activation kind, float[] x) {
        double[] value = new double[x.length];
        double[] scale = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double xi = x[i];
            switch (kind) {
                case RELU -> {
                    value[i] = xi > 0 ? xi : 0;
                    scale[i] = Math.abs(value[i]);
                }
                case TANH -> {
                    value[i] = Math.tanh(xi);
                    scale[i] = Math.abs(value[i]);
                }
                case GELU -> {
                    double u = geluArgument(xi);
                    double s = sigmoid(2 * u);
                    value[i] = xi * s;
                    scale[i] = Math.abs(value[i]) * (1 + 2 * (1 - s) * Math.abs(u));
                }
            }
        }
        return new Expected(value, scale);
    }

    /**
     * dy·f'(x). ReLU: dy for x &gt; 0, else 0. tanh: dy·(1 − t²), scale |dy|·(1 + t²) (the terms
     * of 1 − t², which cancel for large |x|). GELU: f' = σ + 2x·σ(1−σ)·u', u' = √(2/π)(1 + 3·0.044715x²),
     * σ = σ(2u); scale |dy|·(σ + |2x·σ(1−σ)·u'|)·(1 + 2|u|): the terms of f', times the
     * amplification of u's rounding (d ln σ/du and d ln σ(1−σ)/du are at most 2 in size).
     */
    static Expected activationBackward(Activation kind, float[] dy, float[] x) {
        double[] value = new double[x.length];
        double[] scale = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double xi = x[i];
            double d = dy[i];
            switch (kind) {
                case RELU -> {
                    value[i] = xi > 0 ? d : 0;
                    scale[i] = Math.abs(value[i]);
                }
                case TANH -> {
                    double t = Math.tanh(xi);
                    value[i] = d * (1 - t * t);
                    scale[i] = Math.abs(d) * (1 + t * t);
                }
                case GELU -> {
                    double u = geluArgument(xi);
                    double s = sigmoid(2 * u);
                    double second = 2 * xi * s * (1 - s) * GELU_S * (1 + 3 * GELU_C * xi * xi);
                    value[i] = d * (s + second);
                    scale[i] = Math.abs(d) * (s + Math.abs(second)) * (1 + 2 * Math.abs(u));
                }
            }
        }
        return new Expected(value, scale);
    }

    private static double geluArgument(double x) {
        return GELU_S * (x + GELU_C * x * x * x);
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    // ---- reductions ----------------------------------------------------------------------------

    /** Σ x, scale Σ|x|. */
    static Expected sum(float[] x) {
        double s = 0;
        double a = 0;
        for (float xi : x) {
            s += xi;
            a += Math.abs(xi);
        }
        return Expected.scalar(s, a);
    }

    /** Σ x·y, scale Σ|x·y|. */
    static Expected dot(float[] x, float[] y) {
        double s = 0;
        double a = 0;
        for (int i = 0; i < x.length; i++) {
            double t = (double) x[i] * y[i];
            s += t;
            a += Math.abs(t);
        }
        return Expected.scalar(s, a);
    }

    /** Σ x², all terms positive. */
    static Expected squaredNorm(float[] x) {
        return dot(x, x);
    }

    /**
     * sqrt(Σ x²), 0 when empty. Every term is positive, so the sum rounds relative to itself and the
     * root halves that: the scale is the result.
     */
    static Expected norm(float[] x) {
        double value = Math.sqrt(squaredNorm(x).value()[0]);
        return Expected.scalar(value, value);
    }

    /** max |x|, 0 when empty, NaN when any x is NaN; exact. */
    static double maxAbs(float[] x) {
        double max = 0;
        for (float xi : x) {
            if (Float.isNaN(xi)) {
                return Double.NaN;
            }
            max = Math.max(max, Math.abs(xi));
        }
        return max;
    }

    /** 1 if any x is NaN or infinite, else 0. */
    static double nonFinite(float[] x) {
        for (float xi : x) {
            if (!Float.isFinite(xi)) {
                return 1;
            }
        }
        return 0;
    }

    /**
     * sqrt(mean_i (e_i / (atol + rtol·max(|a_i|, |b_i|)))²), 0 when empty. Every term is positive
     * and every float operation rounds relative to its result, so the scale is the result.
     */
    static Expected rmsErrorNorm(float[] e, float[] a, float[] b, float atol, float rtol) {
        if (e.length == 0) {
            return Expected.scalar(0, 0);
        }
        double s = 0;
        for (int i = 0; i < e.length; i++) {
            double w = atol + (double) rtol * Math.max(Math.abs(a[i]), Math.abs(b[i]));
            double q = e[i] / w;
            s += q * q;
        }
        double value = Math.sqrt(s / e.length);
        return Expected.scalar(value, value);
    }

    /** db[j] = (db0[j] +) Σ_r dy[r, j]; scale (|db0[j]| +) Σ_r |dy[r, j]|. db0 null: no accumulation. */
    static Expected biasGrad(float[] dy, int rows, int cols, float[] db0) {
        double[] value = new double[cols];
        double[] scale = new double[cols];
        for (int j = 0; j < cols; j++) {
            double s = db0 == null ? 0 : db0[j];
            double a = Math.abs(s);
            for (int r = 0; r < rows; r++) {
                s += dy[r * cols + j];
                a += Math.abs(dy[r * cols + j]);
            }
            value[j] = s;
            scale[j] = a;
        }
        return new Expected(value, scale);
    }

    // ---- dense layers --------------------------------------------------------------------------

    /**
     * C = (C0 +) op(A)·op(B), row major as {@link GemmForm} lays them out; scale
     * (|C0| +) Σ_p |a_ip·b_pj|. c0 null: no accumulation.
     */
    static Expected gemm(GemmForm form, int m, int n, int k, float[] a, float[] b, float[] c0) {
        double[] value = new double[m * n];
        double[] scale = new double[m * n];
        double[] rowA = new double[k];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                rowA[p] = form == GemmForm.TN ? a[p * m + i] : a[i * k + p];
            }
            for (int j = 0; j < n; j++) {
                double s = c0 == null ? 0 : c0[i * n + j];
                double abs = Math.abs(s);
                for (int p = 0; p < k; p++) {
                    double t = rowA[p] * (form == GemmForm.NT ? b[j * k + p] : b[p * n + j]);
                    s += t;
                    abs += Math.abs(t);
                }
                value[i * n + j] = s;
                scale[i * n + j] = abs;
            }
        }
        return new Expected(value, scale);
    }

    /** The three outputs of softmax cross-entropy. */
    record SoftmaxExpected(Expected loss, double correct, Expected dlogits) {}

    /**
     * loss = mean_r (lse(z_r) − z_r[label]) with lse = max + log Σ exp(z − max); scale: the mean
     * of |max| + log Σ + |z_label|, the terms that a float evaluation rounds. correct counts rows
     * whose first maximum is the label. dlogits = (p − onehot)/rows with p = exp(z − max)/Σ; the
     * rounding of z − max (relative 2^-24) perturbs p by p·|z − max|·2^-24, so the scale is
     * (p·(1 + |z − max|) + onehot)/rows.
     */
    static SoftmaxExpected softmaxCrossEntropy(float[] logits, int[] labels, int rows, int classes) {
        double loss = 0;
        double lossScale = 0;
        int correct = 0;
        double[] dv = new double[rows * classes];
        double[] ds = new double[rows * classes];
        for (int r = 0; r < rows; r++) {
            int base = r * classes;
            int argmax = 0;
            for (int j = 1; j < classes; j++) {
                if (logits[base + j] > logits[base + argmax]) {
                    argmax = j;
                }
            }
            double max = logits[base + argmax];
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                sum += Math.exp(logits[base + j] - max);
            }
            double logSum = Math.log(sum);
            int label = labels[r];
            loss += max + logSum - logits[base + label];
            lossScale += Math.abs(max) + logSum + Math.abs(logits[base + label]);
            if (argmax == label) {
                correct++;
            }
            for (int j = 0; j < classes; j++) {
                double gap = max - logits[base + j];
                double p = Math.exp(-gap) / sum;
                double onehot = j == label ? 1 : 0;
                dv[base + j] = (p - onehot) / rows;
                ds[base + j] = (p * (1 + gap) + onehot) / rows;
            }
        }
        return new SoftmaxExpected(Expected.scalar(loss / rows, lossScale / rows), correct, new Expected(dv, ds));
    }
}
