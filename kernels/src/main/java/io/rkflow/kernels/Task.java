package io.rkflow.kernels;

import java.util.List;

/**
 * One recorded kernel invocation: its kind, its operands and its integer shape. Tasks are plain
 * data, checked when built; a device compiles a list of them into a {@link Plan}. Every message
 * of a bad argument names the kernel and the argument.
 *
 * <p>Scalars that may change between executions (step sizes, coefficients, β powers) are
 * one-element {@link FloatSlice}s of small buffers, never Java constants: a compiled plan may
 * freeze constants (TornadoVM does).
 */
public sealed interface Task
        permits Task.Combine, Task.Copy, Task.Fill, Task.Scale, Task.Axpby, Task.AccumulateSquares,
                Task.Precondition, Task.Momentum, Task.Adam, Task.Reduce, Task.RmsErrorNorm, Task.Gemm, Task.BiasAdd,
                Task.BiasGrad, Task.ActivationForward, Task.ActivationBackward, Task.SoftmaxCrossEntropy, Task.Im2col,
                Task.Col2im, Task.Pool, Task.PoolBackward, Task.Dropout, Fused {

    /** The kernel's name as errors and profiles show it. */
    String kernel();

    /** Every buffer region the task touches, with how it touches it. */
    List<Operand> operands();

    /**
     * Whether element i of each output depends only on element i of the inputs; then an output
     * may be exactly the same region as an input (in place), otherwise outputs overlap nothing.
     */
    boolean elementwise();

    /**
     * out[i] = x[i] + Σ_{j<count} coeffs[j] · stages[j·stride + i], i &lt; out.length; without x
     * ({@code x == null}), out[i] = Σ_j coeffs[j] · stages[j·stride + i].
     */
    record Combine(FloatSlice out, FloatSlice x, FloatSlice stages, int stride, int count, FloatSlice coeffs)
            implements Task {
        public Combine {
            Args a = new Args("combine");
            a.positive("count", count);
            a.nonNegative("stride", stride);
            if (x != null) {
                a.equal("x", x.length(), "out", out.length());
            }
            if (stride < out.length()) {
                throw a.error("stride", "stride " + stride + " is less than the stage length " + out.length());
            }
            a.atLeast("stages", stages.length(), (long) (count - 1) * stride + out.length(),
                    "(count - 1) * stride + length = (" + count + " - 1) * " + stride + " + " + out.length());
            a.atLeast("coeffs", coeffs.length(), count, "count");
        }

        @Override
        public String kernel() {
            return "combine";
        }

        @Override
        public List<Operand> operands() {
            int used = out.length() == 0 ? 0 : (count - 1) * stride + out.length();
            Operand k = Operand.read("stages", new FloatSlice(stages.buffer(), stages.offset(), used));
            Operand c = Operand.read("coeffs", coeffs.sub(0, count));
            return x == null ? List.of(Operand.write("out", out), k, c)
                    : List.of(Operand.write("out", out), Operand.read("x", x), k, c);
        }

        @Override
        public boolean elementwise() {
            return true;
        }
    }

    /** out = x. */
    record Copy(FloatSlice out, FloatSlice x) implements Task {
        public Copy {
            new Args("copy").equal("x", x.length(), "out", out.length());
        }

        @Override
        public String kernel() {
            return "copy";
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.write("out", out), Operand.read("x", x));
        }

        @Override
        public boolean elementwise() {
            return true;
        }
    }

    /** out[i] = value (a constant: zeroing, initial accumulators). */
    record Fill(FloatSlice out, float value) implements Task {
        @Override
        public String kernel() {
            return "fill";
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.write("out", out));
        }

        @Override
        public boolean elementwise() {
            return true;
        }
    }

    /** out = alpha · x, alpha a one-element slice. */
    record Scale(FloatSlice out, FloatSlice alpha, FloatSlice x) implements Task {
        public Scale {
            Args a = new Args("scale");
            a.scalar("alpha", alpha);
            a.equal("x", x.length(), "out", out.length());
        }

        @Override
        public String kernel() {
            return "scale";
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.write("out", out), Operand.read("alpha", alpha), Operand.read("x", x));
        }

        @Override
        public boolean elementwise() {
            return true;
        }
    }

    /** out = alpha · x + beta · y, alpha and beta one-element slices. */
    record Axpby(FloatSlice out, FloatSlice alpha, FloatSlice x, FloatSlice beta, FloatSlice y) implements Task {
        public Axpby {
            Args a = new Args("axpby");
            a.scalar("alpha", alpha);
            a.scalar("beta", beta);
            a.equal("x", x.length(), "out", out.length());
            a.equal("y", y.length(), "out", out.length());
        }

        @Override
        public String kernel() {
            return "axpby";
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.write("out", out), Operand.read("alpha", alpha), Operand.read("x", x),
                    Operand.read("beta", beta), Operand.read("y", y));
        }

        @Override
        public boolean elementwise() {
            return true;
        }
    }

    /**
     * Preconditioner accumulator. {@code beta == null}: v += g⊙g (AdaGrad sum); otherwise the EMA
     * v = β·v + (1 − β)·g⊙g (RMSProp, Adam), β a one-element slice.
     */
    record AccumulateSquares(FloatSlice v, FloatSlice g, FloatSlice beta) implements Task {
        public AccumulateSquares {
            Args a = new Args(beta == null ? "accumulateSquares" : "emaSquares");
            if (beta != null) {
                a.scalar("beta", beta);
            }
            a.equal("g", g.length(), "v", v.length());
        }

        @Override
        public String kernel() {
            return beta == null ? "accumulateSquares" : "emaSquares";
        }

        @Override
        public List<Operand> operands() {
            return beta == null
                    ? List.of(Operand.readWrite("v", v), Operand.read("g", g))
                    : List.of(Operand.readWrite("v", v), Operand.read("g", g), Operand.read("beta", beta));
        }

        @Override
        public boolean elementwise() {
            return true;
        }
    }

    /** out = g / sqrt(delta + v), delta a one-element slice. */
    record Precondition(FloatSlice out, FloatSlice g, FloatSlice v, FloatSlice delta) implements Task {
        public Precondition {
            Args a = new Args("precondition");
            a.scalar("delta", delta);
            a.equal("g", g.length(), "out", out.length());
            a.equal("v", v.length(), "out", out.length());
        }

        @Override
        public String kernel() {
            return "precondition";
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.write("out", out), Operand.read("g", g), Operand.read("v", v),
                    Operand.read("delta", delta));
        }

        @Override
        public boolean elementwise() {
            return true;
        }
    }

    /**
     * Heavy-ball momentum, fused: m = β·m + g, then θ −= h·m; with {@code nesterov},
     * θ −= h·(g + β·m) using the updated m. {@code params} = [β, h].
     */
    record Momentum(FloatSlice theta, FloatSlice m, FloatSlice g, FloatSlice params, boolean nesterov)
            implements Task {
        /** Index of β in {@code params}. */
        public static final int BETA = 0;
        /** Index of the step size h in {@code params}. */
        public static final int H = 1;
        /** Length of {@code params}. */
        public static final int PARAMS = 2;

        public Momentum {
            Args a = new Args("momentum");
            a.exactly("params", params.length(), PARAMS, "[beta, h]");
            a.equal("m", m.length(), "theta", theta.length());
            a.equal("g", g.length(), "theta", theta.length());
        }

        @Override
        public String kernel() {
            return nesterov ? "nesterov" : "momentum";
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.readWrite("theta", theta), Operand.readWrite("m", m), Operand.read("g", g),
                    Operand.read("params", params));
        }

        @Override
        public boolean elementwise() {
            return true;
        }
    }

    /**
     * Adam (Kingma &amp; Ba, arXiv 1412.6980) in one pass, with L2 weight decay folded into the
     * gradient, or AdamW (Loshchilov &amp; Hutter, arXiv 1711.05101) with decoupled decay:
     * <pre>
     *   Adam : g' = g + wd·θ;  m = β1 m + (1−β1) g';  v = β2 v + (1−β2) g'²;  θ −= lr·(m·c1)/(sqrt(v·c2) + ε)
     *   AdamW: θ ·= (1 − lr·wd); then the Adam update with g' = g
     * </pre>
     * {@code params} = [lr, β1, β2, ε, wd, c1 = 1/(1−β1^t), c2 = 1/(1−β2^t)]: the host updates the
     * bias corrections each step.
     */
    record Adam(FloatSlice theta, FloatSlice m, FloatSlice v, FloatSlice g, FloatSlice params, boolean decoupled)
            implements Task {
        public static final int LR = 0;
        public static final int BETA1 = 1;
        public static final int BETA2 = 2;
        public static final int EPS = 3;
        public static final int WEIGHT_DECAY = 4;
        public static final int BIAS_CORRECTION1 = 5;
        public static final int BIAS_CORRECTION2 = 6;
        public static final int PARAMS = 7;

        public Adam {
            Args a = new Args(decoupled ? "adamw" : "adam");
            a.exactly("params", params.length(), PARAMS, "[lr, beta1, beta2, eps, weightDecay, c1, c2]");
            a.equal("m", m.length(), "theta", theta.length());
            a.equal("v", v.length(), "theta", theta.length());
            a.equal("g", g.length(), "theta", theta.length());
        }

        @Override
        public String kernel() {
            return decoupled ? "adamw" : "adam";
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.readWrite("theta", theta), Operand.readWrite("m", m), Operand.readWrite("v", v),
                    Operand.read("g", g), Operand.read("params", params));
        }

        @Override
        public boolean elementwise() {
            return true;
        }
    }

    /** out[0] = the reduction of x (and y for {@link Reduction#DOT}); see {@link Reduction}. */
    record Reduce(Reduction kind, FloatSlice out, FloatSlice x, FloatSlice y) implements Task {
        public Reduce {
            Args a = new Args(kernelName(kind));
            a.scalar("out", out);
            if (kind.binary()) {
                if (y == null) {
                    throw a.error("y", "is missing");
                }
                a.equal("y", y.length(), "x", x.length());
            } else if (y != null) {
                throw a.error("y", "is given, but " + kernelName(kind) + " reads only x");
            }
        }

        private static String kernelName(Reduction kind) {
            return switch (kind) {
                case SUM -> "sum";
                case DOT -> "dot";
                case SQUARED_NORM -> "squaredNorm";
                case NORM2 -> "norm";
                case MAX_ABS -> "maxAbs";
                case NON_FINITE -> "nonFinite";
            };
        }

        @Override
        public String kernel() {
            return kernelName(kind);
        }

        @Override
        public List<Operand> operands() {
            return kind.binary()
                    ? List.of(Operand.write("out", out), Operand.read("x", x), Operand.read("y", y))
                    : List.of(Operand.write("out", out), Operand.read("x", x));
        }

        @Override
        public boolean elementwise() {
            return false;
        }
    }

    /**
     * Weighted RMS error norm of an embedded RK pair (Hairer, Nørsett &amp; Wanner I, II.4):
     * out[0] = sqrt(mean_i (e_i / (atol + rtol·max(|a_i|, |b_i|)))²), 0 for empty slices.
     * {@code tol} = [atol, rtol].
     */
    record RmsErrorNorm(FloatSlice out, FloatSlice e, FloatSlice a, FloatSlice b, FloatSlice tol) implements Task {
        public static final int ATOL = 0;
        public static final int RTOL = 1;

        public RmsErrorNorm {
            Args c = new Args("rmsErrorNorm");
            c.scalar("out", out);
            c.exactly("tol", tol.length(), 2, "[atol, rtol]");
            c.equal("a", a.length(), "e", e.length());
            c.equal("b", b.length(), "e", e.length());
        }

        @Override
        public String kernel() {
            return "rmsErrorNorm";
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.write("out", out), Operand.read("e", e), Operand.read("a", a),
                    Operand.read("b", b), Operand.read("tol", tol));
        }

        @Override
        public boolean elementwise() {
            return false;
        }
    }

    /**
     * General matrix product, row major: C = op(A)·op(B), or C += op(A)·op(B) with
     * {@code accumulate}; see {@link GemmForm} for the layouts. C is m × n, the inner dimension k.
     */
    record Gemm(GemmForm form, int m, int n, int k, FloatSlice c, FloatSlice a, FloatSlice b, boolean accumulate)
            implements Task {
        public Gemm {
            Args args = new Args("gemm");
            args.nonNegative("m", m);
            args.nonNegative("n", n);
            args.nonNegative("k", k);
            args.exactly("c", c.length(), (long) m * n, "m * n = " + m + " * " + n);
            args.exactly("a", a.length(), form.aLength(m, k), (form == GemmForm.TN ? "k * m = " : "m * k = ")
                    + (form == GemmForm.TN ? k + " * " + m : m + " * " + k));
            args.exactly("b", b.length(), form.bLength(n, k), (form == GemmForm.NT ? "n * k = " + n + " * " + k
                    : "k * n = " + k + " * " + n));
        }

        @Override
        public String kernel() {
            return "gemm";
        }

        @Override
        public List<Operand> operands() {
            return List.of(accumulate ? Operand.readWrite("c", c) : Operand.write("c", c),
                    Operand.read("a", a), Operand.read("b", b));
        }

        @Override
        public boolean elementwise() {
            return false;
        }
    }

    /** y[r, j] += bias[j] for a rows × cols row-major y. */
    record BiasAdd(FloatSlice y, FloatSlice bias, int rows, int cols) implements Task {
        public BiasAdd {
            Args a = new Args("biasAdd");
            a.nonNegative("rows", rows);
            a.nonNegative("cols", cols);
            a.exactly("y", y.length(), (long) rows * cols, "rows * cols = " + rows + " * " + cols);
            a.exactly("bias", bias.length(), cols, "cols");
        }

        @Override
        public String kernel() {
            return "biasAdd";
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.readWrite("y", y), Operand.read("bias", bias));
        }

        @Override
        public boolean elementwise() {
            return false;
        }
    }

    /** db[j] = Σ_r dy[r, j] (or += with {@code accumulate}) for a rows × cols row-major dy. */
    record BiasGrad(FloatSlice db, FloatSlice dy, int rows, int cols, boolean accumulate) implements Task {
        public BiasGrad {
            Args a = new Args("biasGrad");
            a.nonNegative("rows", rows);
            a.nonNegative("cols", cols);
            a.exactly("dy", dy.length(), (long) rows * cols, "rows * cols = " + rows + " * " + cols);
            a.exactly("db", db.length(), cols, "cols");
        }

        @Override
        public String kernel() {
            return "biasGrad";
        }

        @Override
        public List<Operand> operands() {
            return List.of(accumulate ? Operand.readWrite("db", db) : Operand.write("db", db),
                    Operand.read("dy", dy));
        }

        @Override
        public boolean elementwise() {
            return false;
        }
    }

    /** y = f(x), elementwise. */
    record ActivationForward(Activation kind, FloatSlice y, FloatSlice x) implements Task {
        public ActivationForward {
            new Args("activation").equal("x", x.length(), "y", y.length());
        }

        @Override
        public String kernel() {
            return "activation";
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.write("y", y), Operand.read("x", x));
        }

        @Override
        public boolean elementwise() {
            return true;
        }
    }

    /** dx = dy ⊙ f'(x), x the activation's input (pre-activation). */
    record ActivationBackward(Activation kind, FloatSlice dx, FloatSlice dy, FloatSlice x) implements Task {
        public ActivationBackward {
            Args a = new Args("activationBackward");
            a.equal("dy", dy.length(), "dx", dx.length());
            a.equal("x", x.length(), "dx", dx.length());
        }

        @Override
        public String kernel() {
            return "activationBackward";
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.write("dx", dx), Operand.read("dy", dy), Operand.read("x", x));
        }

        @Override
        public boolean elementwise() {
            return true;
        }
    }

    /**
     * Fused softmax cross-entropy over rows × classes logits with integer labels:
     * loss[0] = mean_r −log softmax(z_r)[label_r]; correct[0] = #{r : argmax z_r = label_r} (first
     * maximum on ties); dlogits = (softmax(z) − onehot(label)) / rows, the gradient of the mean loss.
     */
    record SoftmaxCrossEntropy(FloatSlice loss, FloatSlice correct, FloatSlice dlogits, FloatSlice logits,
            IntSlice labels, int rows, int classes) implements Task {
        public SoftmaxCrossEntropy {
            Args a = new Args("softmaxCrossEntropy");
            a.nonNegative("rows", rows);
            a.positive("classes", classes);
            a.scalar("loss", loss);
            a.scalar("correct", correct);
            a.exactly("logits", logits.length(), (long) rows * classes, "rows * classes = " + rows + " * " + classes);
            a.exactly("dlogits", dlogits.length(), (long) rows * classes, "rows * classes = " + rows + " * " + classes);
            a.exactly("labels", labels.length(), rows, "rows");
        }

        @Override
        public String kernel() {
            return "softmaxCrossEntropy";
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.write("loss", loss), Operand.write("correct", correct),
                    Operand.write("dlogits", dlogits), Operand.read("logits", logits), Operand.read("labels", labels));
        }

        @Override
        public boolean elementwise() {
            return false;
        }
    }

    /**
     * The im2col matrix of a convolution over NHWC images x (see {@link Window}): row
     * r = (n, oh, ow) of {@code cols} (positions × patch) holds the window at that output position,
     * cols[r, (i·size + j)·C + c] = x[n, oh·stride − pad + i, ow·stride − pad + j, c], 0 where the
     * window is over the padding. A convolution is then cols · W for W (patch × filters).
     */
    record Im2col(FloatSlice cols, FloatSlice x, Window window) implements Task {
        public Im2col {
            Args a = new Args("im2col");
            a.exactly("x", x.length(), window.inputLength(), "batch · height · width · channels of " + window);
            a.exactly("cols", cols.length(), window.columnsLength(), "positions · size² · channels of " + window);
        }

        @Override
        public String kernel() {
            return "im2col";
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.write("cols", cols), Operand.read("x", x));
        }

        @Override
        public boolean elementwise() {
            return false;
        }
    }

    /**
     * The adjoint of {@link Im2col}: dx[n, h, w, c] = Σ dcols[r, (i·size + j)·C + c] over the
     * window positions (oh, ow, i, j) with oh·stride − pad + i = h and ow·stride − pad + j = w,
     * summed in (i, j) order. Each element of dx is gathered by itself (no scatter, no atomics),
     * so the result is deterministic on every device.
     */
    record Col2im(FloatSlice dx, FloatSlice dcols, Window window) implements Task {
        public Col2im {
            Args a = new Args("col2im");
            a.exactly("dx", dx.length(), window.inputLength(), "batch · height · width · channels of " + window);
            a.exactly("dcols", dcols.length(), window.columnsLength(), "positions · size² · channels of " + window);
        }

        @Override
        public String kernel() {
            return "col2im";
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.write("dx", dx), Operand.read("dcols", dcols));
        }

        @Override
        public boolean elementwise() {
            return false;
        }
    }

    /**
     * Pooling of NHWC images, channel by channel: y[n, oh, ow, c] is the {@link Pooling} of the
     * window at (oh, ow) in channel c of x.
     */
    record Pool(Pooling kind, FloatSlice y, FloatSlice x, Window window) implements Task {
        public Pool {
            Args a = new Args(name(kind, false));
            if (kind == null) {
                throw a.error("kind", "is missing");
            }
            checkPoolWindow(a, window);
            a.exactly("x", x.length(), window.inputLength(), "batch · height · width · channels of " + window);
            a.exactly("y", y.length(), window.pooledLength(), "batch · outHeight · outWidth · channels of " + window);
        }

        @Override
        public String kernel() {
            return name(kind, false);
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.write("y", y), Operand.read("x", x));
        }

        @Override
        public boolean elementwise() {
            return false;
        }
    }

    /**
     * The gradient of {@link Pool} w.r.t. its input, gathered per input element: for max pooling
     * dx[n, h, w, c] = Σ dy[n, oh, ow, c] over the windows whose first maximum is (h, w); for
     * average pooling Σ dy[n, oh, ow, c] / size² over the windows covering (h, w), summed in
     * (oh, ow) order. x is the forward input (max pooling finds the maxima again).
     */
    record PoolBackward(Pooling kind, FloatSlice dx, FloatSlice dy, FloatSlice x, Window window) implements Task {
        public PoolBackward {
            Args a = new Args(name(kind, true));
            if (kind == null) {
                throw a.error("kind", "is missing");
            }
            checkPoolWindow(a, window);
            a.exactly("dx", dx.length(), window.inputLength(), "batch · height · width · channels of " + window);
            a.exactly("x", x.length(), window.inputLength(), "batch · height · width · channels of " + window);
            a.exactly("dy", dy.length(), window.pooledLength(), "batch · outHeight · outWidth · channels of " + window);
        }

        @Override
        public String kernel() {
            return name(kind, true);
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.write("dx", dx), Operand.read("dy", dy), Operand.read("x", x));
        }

        @Override
        public boolean elementwise() {
            return false;
        }
    }

    private static String name(Pooling kind, boolean backward) {
        String base = kind == Pooling.AVERAGE ? "avgPool" : "maxPool";
        return backward ? base + "Backward" : base;
    }

    /** PyTorch's rule: padding at most half the window, so every window covers enough of the image. */
    private static void checkPoolWindow(Args a, Window window) {
        if (window.pad() > window.size() / 2) {
            throw a.error("window", "has pad " + window.pad() + ", more than half the window size " + window.size());
        }
    }

    /**
     * Dropout: y[i] = x[i] · scale where element i is kept, 0 where dropped, with
     * scale = 1 / (1 − rate); the mask is {@link DropoutMask}'s for key = [seed, step] (a
     * two-element int slice the host writes each step) and this layer's {@code stream}. Dropout is
     * linear in x, so its backward is this same kernel applied to the output's gradient.
     */
    record Dropout(FloatSlice y, FloatSlice x, IntSlice key, int stream, float rate) implements Task {
        public Dropout {
            Args a = new Args("dropout");
            a.equal("x", x.length(), "y", y.length());
            if (key.length() != 2) {
                throw a.error("key", "has length " + key.length() + ", expected 2 ([seed, step])");
            }
            if (!(rate >= 0 && rate < 1)) {
                throw a.error("rate", "is " + rate + ", must be in [0, 1)");
            }
        }

        @Override
        public String kernel() {
            return "dropout";
        }

        @Override
        public List<Operand> operands() {
            return List.of(Operand.write("y", y), Operand.read("x", x), Operand.read("key", key));
        }

        @Override
        public boolean elementwise() {
            return true;
        }
    }
}
