package io.rkflow.kernels.jvm;

import static io.rkflow.kernels.jvm.JvmDevice.array;
import static io.rkflow.kernels.jvm.Widening.D;
import static io.rkflow.kernels.jvm.Widening.FH;
import static io.rkflow.kernels.jvm.Widening.widen;

import io.rkflow.kernels.Fused;
import io.rkflow.kernels.Task;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Dense-layer kernels besides GEMM: bias add, bias gradient, fused softmax cross-entropy. */
final class Dense {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Columns per bias-gradient chunk. */
    private static final int COLUMN_BLOCK = 256;

    private Dense() {}

    /** y[r, j] += bias[j]; chunks are whole rows. */
    static Step biasAdd(WorkerPool pool, Task.BiasAdd t) {
        float[] y = array(t.y().buffer());
        float[] bias = array(t.bias().buffer());
        int yo = t.y().offset(), bo = t.bias().offset(), cols = t.cols();
        int rowsPerChunk = Math.max(1, Chunked.GRAIN / Math.max(1, cols));
        return new Chunked(pool, t.rows(), rowsPerChunk) {
            @Override
            void apply(int chunk, int lo, int hi) {
                for (int r = lo; r < hi; r++) {
                    addBias(y, yo + r * cols, bias, bo, cols);
                }
            }
        };
    }

    /** y[at + j] += bias[bo + j], j &lt; count. */
    private static void addBias(float[] y, int at, float[] bias, int bo, int count) {
        int j = 0;
        for (int end = F.loopBound(count); j < end; j += F.length()) {
            FloatVector.fromArray(F, y, at + j).add(FloatVector.fromArray(F, bias, bo + j)).intoArray(y, at + j);
        }
        for (; j < count; j++) {
            y[at + j] += bias[bo + j];
        }
    }

    /**
     * The epilogue of a fused dense forward: each finished row segment of C gets its bias, then
     * (if any) its activation, with the arithmetic of the separate kernels.
     */
    static JvmGemm.Epilogue biasActivationEpilogue(WorkerPool pool, Fused.DenseForward f) {
        float[] y = array(f.bias().y().buffer());
        float[] bias = array(f.bias().bias().buffer());
        int yo = f.bias().y().offset(), bo = f.bias().bias().offset(), cols = f.bias().cols();
        Chunked activation = f.activation() == null ? null : (Chunked) Activations.forward(pool, f.activation());
        return (i0, i1, j0, j1) -> {
            for (int r = i0; r < i1; r++) {
                addBias(y, yo + r * cols + j0, bias, bo + j0, j1 - j0);
                if (activation != null) {
                    activation.apply(0, r * cols + j0, r * cols + j1);
                }
            }
        };
    }

    /** Rows of dy per call of {@link #addRows} in the bias gradient. */
    private static final int ROW_BLOCK = 64;
    private static final ThreadLocal<double[]> COLUMN_SUMS = ThreadLocal.withInitial(() -> new double[COLUMN_BLOCK]);

    /**
     * db[j] (+)= Σ_r dy[r, j], summed over rows in order in double; chunks are column blocks. The
     * running sums live in a per-thread double array, and the rows are added {@link #ROW_BLOCK}
     * at a time by a short method: with the sums in vector locals across one loop over every row
     * (10⁵ rows for a first convolution), the loop ran as an on-stack-replacement compilation in
     * which C2 left the Vector API's additions to their Java fallback, allocating 58 MB per
     * gradient evaluation of the README's CNN. Same sums in the same order, so the same bits.
     */
    static Step biasGrad(WorkerPool pool, Task.BiasGrad t) {
        float[] db = array(t.db().buffer());
        float[] dy = array(t.dy().buffer());
        int dbo = t.db().offset(), dyo = t.dy().offset(), rows = t.rows(), cols = t.cols();
        boolean accumulate = t.accumulate();
        return new Chunked(pool, cols, COLUMN_BLOCK) {
            @Override
            void apply(int chunk, int lo, int hi) {
                double[] sums = COLUMN_SUMS.get();
                int width = hi - lo;
                for (int j = 0; j < width; j++) {
                    sums[j] = accumulate ? db[dbo + lo + j] : 0.0;
                }
                for (int r = 0; r < rows; r += ROW_BLOCK) {
                    addRows(sums, width, dy, dyo + r * cols + lo, cols, Math.min(ROW_BLOCK, rows - r));
                }
                for (int j = 0; j < width; j++) {
                    db[dbo + lo + j] = (float) sums[j];
                }
            }
        };
    }

    /** sums[j] += dy[from + r·cols + j] for r &lt; count in order, j &lt; width, in double. */
    private static void addRows(double[] sums, int width, float[] dy, int from, int cols, int count) {
        int j = 0;
        for (int end = FH.loopBound(width); j < end; j += FH.length()) {
            DoubleVector acc = DoubleVector.fromArray(D, sums, j);
            for (int r = 0, idx = from + j; r < count; r++, idx += cols) {
                acc = acc.add(widen(dy, idx));
            }
            acc.intoArray(sums, j);
        }
        for (; j < width; j++) {
            double acc = sums[j];
            for (int r = 0, idx = from + j; r < count; r++, idx += cols) {
                acc += dy[idx];
            }
            sums[j] = acc;
        }
    }

    /**
     * Softmax cross-entropy per row in double: lse = max + log Σ exp(z − max), loss_r = lse − z_label,
     * dz = (exp(z − lse) − onehot)/rows. Row losses and hits are added in row order afterwards.
     * StrictMath, not Math: its results are the same in interpreted and compiled code.
     */
    static Step softmaxCrossEntropy(WorkerPool pool, Task.SoftmaxCrossEntropy t) {
        float[] loss = array(t.loss().buffer());
        float[] correct = array(t.correct().buffer());
        float[] dz = array(t.dlogits().buffer());
        float[] z = array(t.logits().buffer());
        int[] labels = array(t.labels().buffer());
        int lo0 = t.loss().offset(), co = t.correct().offset(), dzo = t.dlogits().offset();
        int zo = t.logits().offset(), lbo = t.labels().offset();
        int rows = t.rows(), classes = t.classes();
        int rowsPerChunk = Math.max(1, Chunked.GRAIN / classes);
        return new Chunked(pool, rows, rowsPerChunk) {
            private final double[] rowLoss = new double[rows];
            private final boolean[] rowHit = new boolean[rows];

            @Override
            void prepare() {
                for (int r = 0; r < rows; r++) {
                    int label = labels[lbo + r];
                    if (label < 0 || label >= classes) {
                        throw new IllegalArgumentException("softmaxCrossEntropy: label " + label + " of row " + r
                                + " is outside [0, " + classes + ")");
                    }
                }
            }

            @Override
            void apply(int chunk, int lo, int hi) {
                double invRows = 1.0 / rows;
                for (int r = lo; r < hi; r++) {
                    int row = zo + r * classes;
                    int label = labels[lbo + r];
                    float max = z[row];
                    int argmax = 0;
                    for (int j = 1; j < classes; j++) {
                        if (z[row + j] > max) {
                            max = z[row + j];
                            argmax = j;
                        }
                    }
                    double sum = 0.0;
                    for (int j = 0; j < classes; j++) {
                        sum += StrictMath.exp((double) z[row + j] - max);
                    }
                    double lse = max + StrictMath.log(sum);
                    rowLoss[r] = lse - z[row + label];
                    rowHit[r] = argmax == label;
                    int drow = dzo + r * classes;
                    for (int j = 0; j < classes; j++) {
                        double p = StrictMath.exp(z[row + j] - lse);
                        dz[drow + j] = (float) ((j == label ? p - 1.0 : p) * invRows);
                    }
                }
            }

            @Override
            void finish() {
                double total = 0.0;
                int hits = 0;
                for (int r = 0; r < rows; r++) {
                    total += rowLoss[r];
                    hits += rowHit[r] ? 1 : 0;
                }
                loss[lo0] = rows == 0 ? 0f : (float) (total / rows);
                correct[co] = hits;
            }
        };
    }

}
