package io.rkflow.tornado;

import io.rkflow.kernels.Activation;
import io.rkflow.kernels.DropoutMask;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.Fused;
import io.rkflow.kernels.Pooling;
import io.rkflow.kernels.Task;
import io.rkflow.kernels.Window;
import java.util.List;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Records each {@link Task} of a graph as TornadoVM tasks of one {@link TaskGraph}: elementwise
 * kernels as one {@code @Parallel} task, reductions and the softmax loss as a pass-1 and a pass-2
 * {@link KernelContext} task with explicit local sizes, GEMM as a tiled 2-D KernelContext task.
 * Tasks with nothing to do (empty slices) record nothing; their reductions still write 0.
 */
final class Lowering {

    private final String graphName;
    private final TaskGraph tg;
    private final GridScheduler grids = new GridScheduler();
    private boolean hasGrids;
    private int kernels;
    private DoubleArray partials;
    private DoubleArray rowLoss;
    private DoubleArray rowHit;
    /** Stands in for an output passed through another output's array; never read or written. */
    private final FloatArray placeholder = new FloatArray(1);
    /** A second placeholder, where two unused outputs of one task would otherwise share one array. */
    private final FloatArray spare = new FloatArray(1);

    /** The device's GEMM variant, asked for at the first product that can use it. */
    private final java.util.function.Supplier<GemmVariant> gemmVariant;

    Lowering(String graphName, TaskGraph tg, java.util.function.Supplier<GemmVariant> gemmVariant) {
        this.graphName = graphName;
        this.tg = tg;
        this.gemmVariant = gemmVariant;
    }

    int kernels() {
        return kernels;
    }

    boolean hasGrids() {
        return hasGrids;
    }

    GridScheduler grids() {
        return grids;
    }

    /** Allocates the plan's scratch (reduction partials, softmax rows) and declares it to the graph. */
    void declareScratch(List<Task> tasks) {
        int rows = 0;
        boolean reduces = false;
        List<Task> all = new java.util.ArrayList<>(tasks);
        for (Task t : tasks) {
            if (t instanceof Fused f) {
                all.addAll(f.parts()); // a fused task may be lowered as its parts
            }
        }
        for (Task t : all) {
            if (t instanceof Task.Reduce || t instanceof Task.RmsErrorNorm) {
                reduces = true;
            } else if (t instanceof Task.SoftmaxCrossEntropy s) {
                rows = Math.max(rows, s.rows());
            }
        }
        tg.transferToDevice(DataTransferMode.FIRST_EXECUTION, placeholder, spare);
        if (reduces) {
            partials = new DoubleArray(ReductionKernels.MAX_GROUPS);
            tg.transferToDevice(DataTransferMode.FIRST_EXECUTION, partials);
        }
        if (rows > 0) {
            rowLoss = new DoubleArray(rows);
            rowHit = new DoubleArray(rows);
            tg.transferToDevice(DataTransferMode.FIRST_EXECUTION, rowLoss, rowHit);
        }
    }

    void lower(Task task) {
        switch (task) {
            case Task.Combine t -> {
                int n = t.out().length();
                if (n > 0) {
                    FloatSlice x = t.x() == null ? t.stages() : t.x();
                    tg.task(next(), ElementwiseKernels::combine, f(x), x.offset(), f(t.stages()), t.stages().offset(),
                            t.stride(), t.count(), f(t.coeffs()), t.coeffs().offset(), t.x() == null ? 0 : 1, n,
                            f(t.out()), t.out().offset());
                }
            }
            case Task.Copy t -> {
                if (t.out().length() > 0) {
                    tg.task(next(), ElementwiseKernels::copy, f(t.x()), t.x().offset(), t.out().length(), f(t.out()),
                            t.out().offset());
                }
            }
            case Task.Fill t -> {
                if (t.out().length() > 0) {
                    tg.task(next(), ElementwiseKernels::fill, t.value(), t.out().length(), f(t.out()),
                            t.out().offset());
                }
            }
            case Task.Scale t -> {
                if (t.out().length() > 0) {
                    tg.task(next(), ElementwiseKernels::scale, f(t.alpha()), t.alpha().offset(), f(t.x()),
                            t.x().offset(), t.out().length(), f(t.out()), t.out().offset());
                }
            }
            case Task.Axpby t -> {
                if (t.out().length() > 0) {
                    tg.task(next(), ElementwiseKernels::axpby, f(t.alpha()), t.alpha().offset(), f(t.x()),
                            t.x().offset(), f(t.beta()), t.beta().offset(), f(t.y()), t.y().offset(), t.out().length(),
                            f(t.out()), t.out().offset());
                }
            }
            case Task.AccumulateSquares t -> {
                if (t.v().length() > 0) {
                    FloatSlice beta = t.beta() == null ? t.g() : t.beta();
                    tg.task(next(), ElementwiseKernels::squares, f(t.g()), t.g().offset(), f(beta), beta.offset(),
                            t.beta() == null ? 0 : 1, t.v().length(), f(t.v()), t.v().offset());
                }
            }
            case Task.Precondition t -> {
                if (t.out().length() > 0) {
                    tg.task(next(), ElementwiseKernels::precondition, f(t.g()), t.g().offset(), f(t.v()),
                            t.v().offset(), f(t.delta()), t.delta().offset(), t.out().length(), f(t.out()),
                            t.out().offset());
                }
            }
            case Task.Momentum t -> {
                if (t.theta().length() > 0) {
                    boolean mInTheta = same(t.m(), t.theta());
                    tg.task(next(), ElementwiseKernels::momentum, f(t.g()), t.g().offset(), f(t.params()),
                            t.params().offset(), t.nesterov() ? 1 : 0, t.theta().length(), f(t.theta()),
                            t.theta().offset(), mInTheta ? placeholder : f(t.m()), t.m().offset(), mInTheta ? 1 : 0);
                }
            }
            case Task.Adam t -> {
                if (t.theta().length() > 0) {
                    int mIn = same(t.m(), t.theta()) ? 1 : 0;
                    int vIn = same(t.v(), t.theta()) ? 1 : same(t.v(), t.m()) ? 2 : 0;
                    tg.task(next(), ElementwiseKernels::adam, f(t.g()), t.g().offset(), f(t.params()),
                            t.params().offset(), t.decoupled() ? 1 : 0, t.theta().length(), f(t.theta()),
                            t.theta().offset(), mIn == 1 ? placeholder : f(t.m()), t.m().offset(), mIn,
                            vIn != 0 ? placeholder : f(t.v()), t.v().offset(), vIn);
                }
            }
            case Task.Reduce t -> {
                int kind = switch (t.kind()) {
                    case SUM -> ReductionKernels.SUM;
                    case DOT -> ReductionKernels.DOT;
                    case SQUARED_NORM -> ReductionKernels.SQUARED_NORM;
                    case NORM2 -> ReductionKernels.NORM2;
                    case MAX_ABS -> ReductionKernels.MAX_ABS;
                    case NON_FINITE -> ReductionKernels.NON_FINITE;
                };
                FloatSlice y = t.y() == null ? t.x() : t.y();
                reduce(t.out(), t.x(), y, t.x(), t.x(), kind);
            }
            case Task.RmsErrorNorm t -> reduce(t.out(), t.e(), t.a(), t.b(), t.tol(), ReductionKernels.RMS);
            case Task.Gemm t -> gemm(t);
            case Task.BiasAdd t -> {
                int n = t.rows() * t.cols();
                if (n > 0) {
                    tg.task(next(), ElementwiseKernels::biasAdd, f(t.bias()), t.bias().offset(), t.cols(), n,
                            f(t.y()), t.y().offset());
                }
            }
            case Task.BiasGrad t -> {
                if (t.cols() > 0) {
                    tg.task(next(), ElementwiseKernels::biasGrad, f(t.dy()), t.dy().offset(), t.rows(), t.cols(),
                            t.accumulate() ? 1 : 0, f(t.db()), t.db().offset());
                }
            }
            case Task.ActivationForward t -> {
                if (t.y().length() > 0) {
                    tg.task(next(), ElementwiseKernels::activation, f(t.x()), t.x().offset(), activation(t.kind()),
                            t.y().length(), f(t.y()), t.y().offset());
                }
            }
            case Task.ActivationBackward t -> {
                if (t.dx().length() > 0) {
                    tg.task(next(), ElementwiseKernels::activationBackward, f(t.dy()), t.dy().offset(), f(t.x()),
                            t.x().offset(), activation(t.kind()), t.dx().length(), f(t.dx()), t.dx().offset());
                }
            }
            case Task.SoftmaxCrossEntropy t -> softmax(t);
            case Task.Im2col t -> {
                Window w = t.window();
                if (t.cols().length() > 0) {
                    tg.task(next(), WindowKernels::im2col, f(t.x()), t.x().offset(), w.height(), w.width(),
                            w.channels(), w.size(), w.stride(), w.pad(), t.cols().length(), f(t.cols()),
                            t.cols().offset());
                }
            }
            case Task.Col2im t -> {
                Window w = t.window();
                if (t.dx().length() > 0) {
                    tg.task(next(), WindowKernels::col2im, f(t.dcols()), t.dcols().offset(), w.height(), w.width(),
                            w.channels(), w.size(), w.stride(), w.pad(), t.dx().length(), f(t.dx()), t.dx().offset());
                }
            }
            case Task.Pool t -> {
                Window w = t.window();
                if (t.y().length() > 0) {
                    tg.task(next(), WindowKernels::pool, f(t.x()), t.x().offset(), w.height(), w.width(), w.channels(),
                            w.size(), w.stride(), w.pad(), pooling(t.kind()), t.y().length(), f(t.y()),
                            t.y().offset());
                }
            }
            case Task.PoolBackward t -> {
                Window w = t.window();
                if (t.dx().length() > 0) {
                    tg.task(next(), WindowKernels::poolBackward, f(t.dy()), t.dy().offset(), f(t.x()), t.x().offset(),
                            w.height(), w.width(), w.channels(), w.size(), w.stride(), w.pad(), pooling(t.kind()),
                            t.dx().length(), f(t.dx()), t.dx().offset());
                }
            }
            case Task.Dropout t -> {
                if (t.y().length() > 0) {
                    tg.task(next(), WindowKernels::dropout, f(t.x()), t.x().offset(),
                            ((TornadoIntBuffer) t.key().buffer()).data, t.key().offset(), t.stream(),
                            DropoutMask.threshold(t.rate()), DropoutMask.scale(t.rate()), t.y().length(), f(t.y()),
                            t.y().offset());
                }
            }
            case Fused t -> fused(t);
        }
    }

    private void reduce(FloatSlice out, FloatSlice x, FloatSlice y, FloatSlice z, FloatSlice tol, int kind) {
        int n = x.length();
        int groups = ReductionKernels.groups(n);
        String pass1 = next();
        tg.task(pass1, ReductionKernels::partials, new KernelContext(), f(x), x.offset(), f(y), y.offset(), f(z),
                z.offset(), f(tol), tol.offset(), kind, n, partials);
        grid(pass1, groups * ReductionKernels.LOCAL);
        String pass2 = next();
        tg.task(pass2, ReductionKernels::finish, new KernelContext(), partials, kind, groups, n, f(out), out.offset());
        grid(pass2, ReductionKernels.LOCAL);
    }

    private void gemm(Task.Gemm t) {
        gemm(t, GemmKernels.NONE, -1, null, null, null, false);
    }

    /**
     * The tiled GEMM with an epilogue (see {@link GemmKernels}); {@code bias}, {@code x} and
     * {@code y} are the epilogue's operands (null where it has none). False when the product is
     * empty in k, which the caller then records as its parts.
     */
    private boolean gemm(Task.Gemm t, int epilogue, int kind, FloatSlice bias, FloatSlice x, FloatSlice y,
            boolean yAccumulate) {
        int m = t.m();
        int n = t.n();
        if (m == 0 || n == 0) {
            return epilogue == GemmKernels.NONE; // nothing to compute; a fused part (a bias gradient) may still be
        }
        if (t.k() == 0) { // an empty inner product: C = 0, or C unchanged
            if (epilogue != GemmKernels.NONE) {
                return false;
            }
            if (!t.accumulate()) {
                tg.task(next(), ElementwiseKernels::fill, 0f, m * n, f(t.c()), t.c().offset());
            }
            return true;
        }
        int form = switch (t.form()) {
            case NN -> GemmKernels.NN;
            case NT -> GemmKernels.NT;
            case TN -> GemmKernels.TN;
        };
        boolean yInC = y != null && f(y) == f(t.c());
        int mode = GemmKernels.mode(form, t.accumulate() ? 1 : 0, epilogue, kind, yAccumulate ? 1 : 0, yInC ? 1 : 0);
        String name = next();
        // thin products (a classifier's n = 10) and the bias-gradient epilogue take the 16 × 16 tile
        GemmVariant v = epilogue == GemmKernels.BIAS_GRAD || m < GemmKernels.RT_TILE || n < GemmKernels.RT_TILE
                ? GemmVariant.TILE16 : gemmVariant.get();
        FloatArray biasArray = bias == null ? placeholder : f(bias);
        FloatArray xArray = x == null ? placeholder : f(x);
        FloatArray yArray = y == null || yInC ? placeholder : f(y);
        if (v == GemmVariant.REGISTER64) {
            tg.task(name, GemmKernels::gemmRegister, new KernelContext(), f(t.a()), t.a().offset(), f(t.b()),
                    t.b().offset(), biasArray, bias == null ? 0 : bias.offset(), xArray, x == null ? 0 : x.offset(), m,
                    n, t.k(), mode, f(t.c()), t.c().offset(), yArray, y == null ? 0 : y.offset());
        } else {
            tg.task(name, GemmKernels::gemm, new KernelContext(), f(t.a()), t.a().offset(), f(t.b()), t.b().offset(),
                    biasArray, bias == null ? 0 : bias.offset(), xArray, x == null ? 0 : x.offset(), m, n, t.k(), mode,
                    f(t.c()), t.c().offset(), yArray, y == null ? 0 : y.offset());
        }
        int rows = epilogue == GemmKernels.BIAS_GRAD ? m + 1 : m; // row m sums B's columns
        WorkerGrid grid = new WorkerGrid2D(ceilDiv(n, v.tile) * v.items, ceilDiv(rows, v.tile) * v.items);
        grid.setLocalWork(v.items, v.items, 1);
        grids.addWorkerGrid(graphName + "." + name, grid);
        hasGrids = true;
        return true;
    }

    /**
     * A fused kernel as one TornadoVM task where the device has one for its shape and layout, else
     * its parts one by one (the same results, more kernels).
     */
    private void fused(Fused task) {
        boolean one = switch (task) {
            case Fused.DenseForward t -> gemm(t.gemm(), GemmKernels.BIAS,
                    t.activation() == null ? -1 : activation(t.activation().kind()), t.bias().bias(), null,
                    t.activation() == null ? null : t.activation().y(), false);
            case Fused.GemmActivationBackward t -> gemm(t.gemm(), GemmKernels.BACKWARD, activation(t.activation().kind()),
                    null, t.activation().x(), t.activation().dx(), false);
            case Fused.GemmBiasGrad t -> t.gemm().m() > 0 && gemm(t.gemm(), GemmKernels.BIAS_GRAD, -1, null, null,
                    t.bias().db(), t.bias().accumulate());
            case Fused.OptimizerTail t -> tail(t);
        };
        if (!one) {
            for (Task part : task.parts()) {
                lower(part);
            }
        }
    }

    /** The optimizer's tail as one kernel (see {@link TailKernels}), or false where it needs its parts. */
    private boolean tail(Fused.OptimizerTail t) {
        Task.Combine comb = t.combine();
        Task.Precondition pre = t.precondition();
        Task.AccumulateSquares acc = t.accumulate();
        int n = comb.out().length();
        if (n == 0 || comb.count() >= 1 << 19) {
            return false;
        }
        FloatSlice g = pre == null ? null : pre.g();
        FloatSlice v = pre == null ? null : pre.v();
        if (pre != null && (!pre.out().equals(pre.g()) || f(pre.v()) == f(pre.g()) || f(pre.v()) == f(comb.out())
                || f(pre.g()) == f(comb.out()))) {
            return false; // not in place, or outputs sharing an array
        }
        if (acc != null && acc.beta() != null && f(acc.beta()) != f(pre.delta())) {
            return false; // δ and β in different arrays
        }
        int preStage = -1;
        if (pre != null) {
            for (int j = 0; j < comb.count(); j++) {
                if (comb.stages().offset() + j * comb.stride() == g.offset() && f(comb.stages()) == f(g)) {
                    preStage = j;
                }
            }
        }
        boolean xIsPre = pre != null && comb.x() != null && comb.x().equals(g);
        FloatSlice x = comb.x() == null ? comb.stages() : comb.x();
        FloatSlice scalars = pre == null ? comb.coeffs() : pre.delta();
        int betaOff = acc != null && acc.beta() != null ? acc.beta().offset() : 0;
        int mode = TailKernels.mode(comb.x() == null ? 0 : 1, acc == null ? 0 : acc.beta() == null ? 1 : 2,
                pre == null ? 0 : 1, xIsPre ? 1 : 0, preStage, comb.count());
        FloatArray gArray = g == null ? placeholder : f(g);
        FloatArray vArray = v == null ? spare : f(v);
        int go = g == null ? 0 : g.offset();
        int vo = v == null ? 0 : v.offset();
        if (t.check() == null) {
            tg.task(next(), TailKernels::tail, f(x), x.offset(), f(comb.stages()), comb.stages().offset(),
                    comb.stride(), f(comb.coeffs()), comb.coeffs().offset(), f(scalars), scalars.offset(), betaOff, mode,
                    n, gArray, go, vArray, vo, f(comb.out()), comb.out().offset());
            return true;
        }
        int groups = ReductionKernels.groups(n);
        String pass1 = next();
        tg.task(pass1, TailKernels::checked, new KernelContext(), f(x), x.offset(), f(comb.stages()),
                comb.stages().offset(), comb.stride(), f(comb.coeffs()), comb.coeffs().offset(), f(scalars),
                scalars.offset(), betaOff, mode, n, gArray, go, vArray, vo, f(comb.out()), comb.out().offset(),
                partials);
        grid(pass1, groups * ReductionKernels.LOCAL);
        String pass2 = next();
        tg.task(pass2, ReductionKernels::finish, new KernelContext(), partials, ReductionKernels.NON_FINITE, groups, n,
                f(t.check().out()), t.check().out().offset());
        grid(pass2, ReductionKernels.LOCAL);
        return true;
    }

    private void softmax(Task.SoftmaxCrossEntropy t) {
        int rows = t.rows();
        if (rows > 0) {
            String perRow = next();
            tg.task(perRow, ReductionKernels::softmaxRows, new KernelContext(), f(t.logits()), t.logits().offset(),
                    ((TornadoIntBuffer) t.labels().buffer()).data, t.labels().offset(), rows, t.classes(), rowLoss,
                    rowHit, f(t.dlogits()), t.dlogits().offset());
            grid(perRow, roundUp(rows, ReductionKernels.ROWS_LOCAL), ReductionKernels.ROWS_LOCAL);
            String finish = next();
            boolean correctInLoss = same(t.correct(), t.loss());
            tg.task(finish, ReductionKernels::softmaxFinish, new KernelContext(), rowLoss, rowHit, rows, f(t.loss()),
                    t.loss().offset(), correctInLoss ? placeholder : f(t.correct()), t.correct().offset(),
                    correctInLoss ? 1 : 0);
            grid(finish, ReductionKernels.LOCAL);
        } else {
            tg.task(next(), ElementwiseKernels::fill, 0f, 1, f(t.loss()), t.loss().offset());
            tg.task(next(), ElementwiseKernels::fill, 0f, 1, f(t.correct()), t.correct().offset());
        }
    }

    private void grid(String task, int global) {
        grid(task, global, ReductionKernels.LOCAL);
    }

    private void grid(String task, int global, int local) {
        WorkerGrid grid = new WorkerGrid1D(global);
        grid.setLocalWork(local, 1, 1);
        grids.addWorkerGrid(graphName + "." + task, grid);
        hasGrids = true;
    }

    private String next() {
        return "k" + kernels++;
    }

    private static boolean same(FloatSlice a, FloatSlice b) {
        return a.buffer() == b.buffer();
    }

    private static FloatArray f(FloatSlice s) {
        return ((TornadoFloatBuffer) s.buffer()).data;
    }

    private static int pooling(Pooling kind) {
        return kind == Pooling.MAX ? WindowKernels.MAX : WindowKernels.AVERAGE;
    }

    private static int activation(Activation kind) {
        return switch (kind) {
            case RELU -> ElementwiseKernels.RELU;
            case TANH -> ElementwiseKernels.TANH;
            case GELU -> ElementwiseKernels.GELU;
        };
    }

    private static int ceilDiv(int n, int d) {
        return (n + d - 1) / d;
    }

    private static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }
}
