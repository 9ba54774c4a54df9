package io.rkflow.kernels.jvm;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.DeviceChecks;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.Fused;
import io.rkflow.kernels.Fusion;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.IntBuffer;
import io.rkflow.kernels.Plan;
import io.rkflow.kernels.Task;
import java.util.List;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;

/**
 * The embedded default device: kernels in plain Java with the Vector API, on a fixed pool of
 * worker threads with fixed partitions, so that results are identical from run to run and for
 * any thread count. It is the reference every other device is checked against. It runs one plan
 * at a time (concurrent executions from several threads wait for each other), which lets its
 * kernels share one scratch memory.
 */
public final class JvmDevice implements Device {

    private final WorkerPool pool;
    private final GemmKernel gemmKernel;
    private final Scratch scratch = new Scratch();
    private volatile boolean closed;
    private long executions; // guarded by this: plans execute synchronized on the device
    private long kernels;    // guarded by this
    private volatile Fusion fusion = Fusion.DEFAULT;

    /**
     * A JVM device with {@code threads} worker threads (the calling thread counts as one) and the
     * GEMM of {@link GemmKernel#configured()}: the one forced by system property
     * {@value GemmKernel#PROPERTY}, else {@link GemmKernel#AUTO}.
     */
    public JvmDevice(int threads) {
        this(threads, GemmKernel.configured());
    }

    /**
     * A JVM device with {@code threads} worker threads whose GEMM runs {@code gemmKernel}: one
     * tile, or the thin path, for every product, or {@link GemmKernel#AUTO}.
     */
    public JvmDevice(int threads, GemmKernel gemmKernel) {
        this.gemmKernel = java.util.Objects.requireNonNull(gemmKernel, "gemmKernel");
        this.pool = new WorkerPool(threads);
    }

    /** The default thread count: system property {@code rkflow.threads}, else the available processors. */
    public static int defaultThreads() {
        return Integer.getInteger("rkflow.threads", Runtime.getRuntime().availableProcessors());
    }

    static String describe(int threads, GemmKernel gemmKernel) {
        return "pure Java, " + threads + (threads == 1 ? " thread" : " threads") + ", "
                + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors, GEMM " + gemmKernel.summary()
                + ", Java " + Runtime.version().feature();
    }

    /**
     * What the JVM device makes of this machine, for benchmark reports: the preferred vector
     * width, the vector registers it assumes ({@link GemmKernel#vectorRegisters()}) and the GEMM
     * of {@link GemmKernel#configured()}.
     */
    public static String describeMachine() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors (" + FloatVector.SPECIES_PREFERRED.length()
                + " floats), " + GemmKernel.vectorRegisters() + " vector registers assumed; GEMM "
                + GemmKernel.configured().describe();
    }

    /** How this device computes GEMM. */
    public GemmKernel gemmKernel() {
        return gemmKernel;
    }

    public int threads() {
        return pool.threads();
    }

    @Override
    public String id() {
        return "jvm";
    }

    @Override
    public String description() {
        return describe(pool.threads(), gemmKernel);
    }

    @Override
    public FloatBuffer allocFloat(String name, int length) {
        DeviceChecks.alloc(name, length);
        return new JvmFloatBuffer(this, name, length);
    }

    @Override
    public IntBuffer allocInt(String name, int length) {
        DeviceChecks.alloc(name, length);
        return new JvmIntBuffer(this, name, length);
    }

    @Override
    public Plan compile(Graph graph) {
        if (graph.device() != this) {
            throw new IllegalArgumentException("graph '" + graph.name() + "' belongs to device " + graph.device().id());
        }
        checkOpen();
        List<Task> tasks = graph.kernelTasks();
        Step[] steps = new Step[tasks.size()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = compile(tasks.get(i));
        }
        return new JvmPlan(graph, steps, this);
    }

    private Step compile(Task task) {
        return switch (task) {
            case Task.Combine t -> Elementwise.combine(pool, t);
            case Task.Copy t -> Elementwise.copy(pool, t);
            case Task.Fill t -> Elementwise.fill(pool, t);
            case Task.Scale t -> Elementwise.scale(pool, t);
            case Task.Axpby t -> Elementwise.axpby(pool, t);
            case Task.AccumulateSquares t -> Elementwise.accumulateSquares(pool, t);
            case Task.Precondition t -> Elementwise.precondition(pool, t);
            case Task.Momentum t -> Elementwise.momentum(pool, t);
            case Task.Adam t -> Elementwise.adam(pool, t);
            case Task.ActivationForward t -> Activations.forward(pool, t);
            case Task.ActivationBackward t -> Activations.backward(pool, t);
            case Task.Reduce t -> Reductions.reduce(pool, t);
            case Task.RmsErrorNorm t -> Reductions.rmsErrorNorm(pool, t);
            case Task.Gemm t -> gemm(t, null);
            case Task.BiasAdd t -> Dense.biasAdd(pool, t);
            case Task.BiasGrad t -> Dense.biasGrad(pool, t);
            case Task.SoftmaxCrossEntropy t -> Dense.softmaxCrossEntropy(pool, t);
            case Task.Im2col t -> Windows.im2col(pool, t);
            case Task.Col2im t -> Windows.col2im(pool, t);
            case Task.Pool t -> Windows.pool(pool, t);
            case Task.PoolBackward t -> Windows.poolBackward(pool, t);
            case Task.Dropout t -> Windows.dropout(pool, t);
            case Fused.DenseForward t -> gemm(t.gemm(), Dense.biasActivationEpilogue(pool, t));
            case Fused.GemmActivationBackward t -> gemm(t.gemm(), Activations.backwardEpilogue(pool, t));
            case Fused.GemmBiasGrad t -> {
                Step product = gemm(t.gemm(), null);
                Step bias = Dense.biasGrad(pool, t.bias());
                yield () -> {
                    product.run();
                    bias.run();
                };
            }
            case Fused.OptimizerTail t -> Chunked.fuse(pool, t.parts().stream().map(p -> (Chunked) compile(p)).toList());
        };
    }

    private Step gemm(Task.Gemm t, JvmGemm.Epilogue epilogue) {
        return JvmGemm.create(pool, scratch, gemmKernel, t.form(), t.m(), t.n(), t.k(), t.accumulate(),
                array(t.c().buffer()), t.c().offset(), array(t.a().buffer()), t.a().offset(),
                array(t.b().buffer()), t.b().offset(), epilogue);
    }

    @Override
    public Fusion fusion() {
        return fusion;
    }

    @Override
    public void fusion(Fusion level) {
        this.fusion = Objects.requireNonNull(level, "fusion");
    }

    @Override
    public synchronized long executions() {
        return executions;
    }

    @Override
    public synchronized long kernels() {
        return kernels;
    }

    /** Called by a plan at the end of each execution, holding this device's lock. */
    void executed(int planKernels) {
        executions++;
        kernels += planKernels;
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the JVM device is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        pool.close();
    }

    @Override
    public String toString() {
        return "jvm (" + description() + ")";
    }

    static float[] array(FloatBuffer b) {
        return ((JvmFloatBuffer) b).data;
    }

    static int[] array(IntBuffer b) {
        return ((JvmIntBuffer) b).data;
    }
}
