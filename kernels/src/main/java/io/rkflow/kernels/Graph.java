package io.rkflow.kernels;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A recording of kernel tasks on one device, compiled once into a {@link Plan} and executed every
 * step. One method per kernel of the catalogue; each checks its arguments when it is called, so a
 * mistake is reported where it is made, naming the kernel and the argument, not when the plan runs.
 *
 * <p>The graph also declares which buffers the host writes before each execution
 * ({@link #hostWrites}) and reads after it ({@link #hostReads}); everything else may stay on the
 * device between executions. On the JVM device these declarations cost nothing; on TornadoVM they
 * become the per-execution transfers.
 */
public final class Graph {

    private final Device device;
    private final String name;
    private final List<Task> tasks = new ArrayList<>();
    private final Set<Object> hostWrites = new LinkedHashSet<>();
    private final Set<Object> hostReads = new LinkedHashSet<>();
    private boolean compiled;
    private Fusion fusion;

    Graph(Device device, String name) {
        this.device = Objects.requireNonNull(device, "device");
        this.name = Objects.requireNonNull(name, "name");
        this.fusion = device.fusion();
    }

    public Device device() {
        return device;
    }

    public String name() {
        return name;
    }

    /** The recorded tasks, in execution order. */
    public List<Task> tasks() {
        return Collections.unmodifiableList(tasks);
    }

    /** The fusion level this graph compiles at: the device's {@link Device#fusion()} unless set here. */
    public Fusion fusion() {
        return fusion;
    }

    /** Sets the fusion level of this graph's compilation. */
    public Graph fusion(Fusion level) {
        this.fusion = Objects.requireNonNull(level, "fusion");
        return this;
    }

    /** The tasks as a device compiles them, one kernel each: the recording after the fusion pass. */
    public List<Task> kernelTasks() {
        return fusion.apply(tasks);
    }

    /** Buffers ({@link FloatBuffer} or {@link IntBuffer}) the host writes before each execution. */
    public Set<Object> hostWrites() {
        return Collections.unmodifiableSet(hostWrites);
    }

    /** Buffers the host reads after each execution. */
    public Set<Object> hostReads() {
        return Collections.unmodifiableSet(hostReads);
    }

    /** Declares buffers the host writes before every execution (a batch, per-run scalars). */
    public Graph hostWrites(Object... buffers) {
        return declare("hostWrites", hostWrites, buffers);
    }

    /** Declares buffers the host reads after every execution (a loss, norms). */
    public Graph hostReads(Object... buffers) {
        return declare("hostReads", hostReads, buffers);
    }

    /** Compiles the recording into a plan on this graph's device. The graph is then closed to recording. */
    public Plan compile() {
        compiled = true;
        return device.compile(this);
    }

    // ---- the kernel catalogue ------------------------------------------------------------------

    /**
     * Fused stage combination: out[i] = x[i] + Σ_{j&lt;count} coeffs[j]·stages[j·stride + i]; with
     * {@code x == null}, out[i] = Σ_j coeffs[j]·stages[j·stride + i] (an RK-estimated gradient).
     */
    public Graph combine(FloatSlice out, FloatSlice x, FloatSlice stages, int stride, int count, FloatSlice coeffs) {
        return add(new Task.Combine(out, x, stages, stride, count, coeffs));
    }

    /** out = x. */
    public Graph copy(FloatSlice out, FloatSlice x) {
        return add(new Task.Copy(out, x));
    }

    /** out[i] = value. */
    public Graph fill(FloatSlice out, float value) {
        return add(new Task.Fill(out, value));
    }

    /** out = alpha·x, alpha a one-element slice. */
    public Graph scale(FloatSlice out, FloatSlice alpha, FloatSlice x) {
        return add(new Task.Scale(out, alpha, x));
    }

    /** out = alpha·x + beta·y, alpha and beta one-element slices. */
    public Graph axpby(FloatSlice out, FloatSlice alpha, FloatSlice x, FloatSlice beta, FloatSlice y) {
        return add(new Task.Axpby(out, alpha, x, beta, y));
    }

    /** v += g⊙g. */
    public Graph accumulateSquares(FloatSlice v, FloatSlice g) {
        return add(new Task.AccumulateSquares(v, g, null));
    }

    /** v = β·v + (1 − β)·g⊙g, β a one-element slice. */
    public Graph emaSquares(FloatSlice v, FloatSlice g, FloatSlice beta) {
        return add(new Task.AccumulateSquares(v, g, Objects.requireNonNull(beta, "emaSquares: argument 'beta'")));
    }

    /** out = g / sqrt(delta + v). */
    public Graph precondition(FloatSlice out, FloatSlice g, FloatSlice v, FloatSlice delta) {
        return add(new Task.Precondition(out, g, v, delta));
    }

    /** m = β·m + g; θ −= h·m. {@code params} = [β, h]. */
    public Graph momentum(FloatSlice theta, FloatSlice m, FloatSlice g, FloatSlice params) {
        return add(new Task.Momentum(theta, m, g, params, false));
    }

    /** m = β·m + g; θ −= h·(g + β·m). {@code params} = [β, h]. */
    public Graph nesterov(FloatSlice theta, FloatSlice m, FloatSlice g, FloatSlice params) {
        return add(new Task.Momentum(theta, m, g, params, true));
    }

    /** Fused Adam with L2 weight decay; see {@link Task.Adam} for {@code params}. */
    public Graph adam(FloatSlice theta, FloatSlice m, FloatSlice v, FloatSlice g, FloatSlice params) {
        return add(new Task.Adam(theta, m, v, g, params, false));
    }

    /** Fused AdamW (decoupled weight decay); see {@link Task.Adam} for {@code params}. */
    public Graph adamw(FloatSlice theta, FloatSlice m, FloatSlice v, FloatSlice g, FloatSlice params) {
        return add(new Task.Adam(theta, m, v, g, params, true));
    }

    /** out[0] = Σ x. */
    public Graph sum(FloatSlice out, FloatSlice x) {
        return add(new Task.Reduce(Reduction.SUM, out, x, null));
    }

    /** out[0] = Σ x·y. */
    public Graph dot(FloatSlice out, FloatSlice x, FloatSlice y) {
        return add(new Task.Reduce(Reduction.DOT, out, x, y));
    }

    /** out[0] = Σ x² (under- and overflows fp32 with ‖x‖ outside ~[1e-19, 1.8e19]: prefer {@link #norm}). */
    public Graph squaredNorm(FloatSlice out, FloatSlice x) {
        return add(new Task.Reduce(Reduction.SQUARED_NORM, out, x, null));
    }

    /** out[0] = ‖x‖₂ = sqrt(Σ x²), the root taken before rounding to float; see {@link Reduction#NORM2}. */
    public Graph norm(FloatSlice out, FloatSlice x) {
        return add(new Task.Reduce(Reduction.NORM2, out, x, null));
    }

    /** out[0] = max |x|. */
    public Graph maxAbs(FloatSlice out, FloatSlice x) {
        return add(new Task.Reduce(Reduction.MAX_ABS, out, x, null));
    }

    /** out[0] = 1 if any x is NaN or infinite, else 0. */
    public Graph nonFinite(FloatSlice out, FloatSlice x) {
        return add(new Task.Reduce(Reduction.NON_FINITE, out, x, null));
    }

    /** out[0] = sqrt(mean((e / (atol + rtol·max(|a|, |b|)))²)), {@code tol} = [atol, rtol]. */
    public Graph rmsErrorNorm(FloatSlice out, FloatSlice e, FloatSlice a, FloatSlice b, FloatSlice tol) {
        return add(new Task.RmsErrorNorm(out, e, a, b, tol));
    }

    /** C (+)= op(A)·op(B), C m × n; see {@link GemmForm}. */
    public Graph gemm(GemmForm form, int m, int n, int k, FloatSlice c, FloatSlice a, FloatSlice b, boolean accumulate) {
        return add(new Task.Gemm(form, m, n, k, c, a, b, accumulate));
    }

    /** y[r, j] += bias[j]. */
    public Graph biasAdd(FloatSlice y, FloatSlice bias, int rows, int cols) {
        return add(new Task.BiasAdd(y, bias, rows, cols));
    }

    /** db[j] (+)= Σ_r dy[r, j]. */
    public Graph biasGrad(FloatSlice db, FloatSlice dy, int rows, int cols, boolean accumulate) {
        return add(new Task.BiasGrad(db, dy, rows, cols, accumulate));
    }

    /** y = f(x). */
    public Graph activation(Activation kind, FloatSlice y, FloatSlice x) {
        return add(new Task.ActivationForward(Objects.requireNonNull(kind, "activation: argument 'kind'"), y, x));
    }

    /** dx = dy ⊙ f'(x). */
    public Graph activationBackward(Activation kind, FloatSlice dx, FloatSlice dy, FloatSlice x) {
        return add(new Task.ActivationBackward(
                Objects.requireNonNull(kind, "activationBackward: argument 'kind'"), dx, dy, x));
    }

    /** Mean softmax cross-entropy, number correct, and the gradient w.r.t. the logits. */
    public Graph softmaxCrossEntropy(FloatSlice loss, FloatSlice correct, FloatSlice dlogits, FloatSlice logits,
            IntSlice labels, int rows, int classes) {
        return add(new Task.SoftmaxCrossEntropy(loss, correct, dlogits, logits, labels, rows, classes));
    }

    /** Records a task built elsewhere, with the same checks as the named methods. */
    /** {@link Task.Im2col}: the im2col matrix of NHWC images under a window. */
    public Graph im2col(FloatSlice cols, FloatSlice x, Window window) {
        return add(new Task.Im2col(cols, x, Objects.requireNonNull(window, "im2col: argument 'window'")));
    }

    /** {@link Task.Col2im}: the adjoint of im2col, each input element gathered. */
    public Graph col2im(FloatSlice dx, FloatSlice dcols, Window window) {
        return add(new Task.Col2im(dx, dcols, Objects.requireNonNull(window, "col2im: argument 'window'")));
    }

    /** {@link Task.Pool}: max or average pooling of NHWC images. */
    public Graph pool(Pooling kind, FloatSlice y, FloatSlice x, Window window) {
        return add(new Task.Pool(kind, y, x, Objects.requireNonNull(window, "pool: argument 'window'")));
    }

    /** {@link Task.PoolBackward}: the gradient of pooling w.r.t. its input. */
    public Graph poolBackward(Pooling kind, FloatSlice dx, FloatSlice dy, FloatSlice x, Window window) {
        return add(new Task.PoolBackward(kind, dx, dy, x,
                Objects.requireNonNull(window, "poolBackward: argument 'window'")));
    }

    /** {@link Task.Dropout}: y = x masked and scaled; key = [seed, step]. */
    public Graph dropout(FloatSlice y, FloatSlice x, IntSlice key, int stream, float rate) {
        return add(new Task.Dropout(y, x, Objects.requireNonNull(key, "dropout: argument 'key'"), stream, rate));
    }

    public Graph add(Task task) {
        Objects.requireNonNull(task, "task");
        if (compiled) {
            throw new IllegalStateException("graph '" + name + "' is compiled; record a new graph to add "
                    + task.kernel());
        }
        List<Operand> ops = task.operands();
        for (Operand op : ops) {
            if (op.device() != device) {
                throw new IllegalArgumentException(task.kernel() + ": argument '" + op.name() + "' is buffer '"
                        + op.bufferName() + "' of device " + op.device().id() + ", not of this graph's device "
                        + device.id());
            }
            if (op.offset() < 0 || op.length() < 0 || (long) op.offset() + op.length() > op.bufferLength()) {
                throw new IllegalArgumentException(task.kernel() + ": argument '" + op.name() + "' range ["
                        + op.offset() + ", " + ((long) op.offset() + op.length()) + ") is out of bounds of buffer '"
                        + op.bufferName() + "' (length " + op.bufferLength() + ")");
            }
        }
        if (!(task instanceof Fused)) { // a fused task checked its parts and their hazards when built
            checkAliasing(task, ops);
        }
        tasks.add(task);
        return this;
    }

    static void checkAliasing(Task task, List<Operand> ops) {
        for (int i = 0; i < ops.size(); i++) {
            Operand w = ops.get(i);
            if (!w.access().writes()) {
                continue;
            }
            for (int j = 0; j < ops.size(); j++) {
                Operand o = ops.get(j);
                if (i == j || !w.overlaps(o)) {
                    continue;
                }
                boolean inPlace = task.elementwise() && !o.access().writes() && w.sameRegion(o);
                if (!inPlace) {
                    throw new IllegalArgumentException(task.kernel() + ": output '" + w.name() + "' overlaps '"
                            + o.name() + "' in buffer '" + w.bufferName() + "'"
                            + (task.elementwise() ? "; only an exactly equal input region may be updated in place"
                                    : "; this kernel cannot work in place"));
                }
            }
        }
    }

    private Graph declare(String what, Set<Object> set, Object... buffers) {
        for (Object b : buffers) {
            Device owner = switch (b) {
                case FloatBuffer f -> f.device();
                case IntBuffer i -> i.device();
                case null -> throw new IllegalArgumentException(what + ": a buffer is null");
                default -> throw new IllegalArgumentException(what + ": " + b.getClass().getName()
                        + " is not a FloatBuffer or IntBuffer");
            };
            if (owner != device) {
                throw new IllegalArgumentException(what + ": buffer of device " + owner.id()
                        + " declared on a graph of device " + device.id());
            }
            set.add(b);
        }
        return this;
    }

    @Override
    public String toString() {
        return "Graph[" + name + " on " + device.id() + ", " + tasks.size() + " tasks]";
    }
}
