package io.rkflow.bench;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.Fusion;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
import io.rkflow.models.nn.Network;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.solvers.optim.Optimizer;
import io.rkflow.solvers.optim.Spec;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The training budgets: one gradient evaluation of an MLP (forward and backward, recorded as one
 * plan) and one whole optimizer step (for RK4: four evaluations plus the stage combinations, the
 * update and the checks), on a fixed random batch. The difference between an RK4 step and four
 * evaluations is the step's non-gradient work. Each runs at every fusion level ({@code none},
 * {@code epilogue}, {@code full}), for a small and a large MLP, each at its own batch size.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TrainingBenchmark {

    /** The model and its batch size, {@code SPEC@BATCH}. */
    @Param({"784-128-10:relu@64", "784-1024-1024-10:relu@128"})
    public String mlp;

    @Param({"rk4+h(0.05)+adagrad"})
    public String optimizer;

    @Param({"none", "epilogue", "full"})
    public String fusion;

    @Param({"jvm"})
    public String device;

    private Device dev;
    private Plan gradient;
    private Optimizer step;

    /** The model of a {@code SPEC@BATCH} workload. */
    static ModelSpec model(String mlp) {
        return ModelSpec.parse(mlp.substring(0, mlp.indexOf('@')));
    }

    /** The batch size of a {@code SPEC@BATCH} workload. */
    static int batch(String mlp) {
        return Integer.parseInt(mlp.substring(mlp.indexOf('@') + 1));
    }

    @Setup
    public void setup() {
        dev = Devices.open(device);
        dev.fusion(Fusion.parse(fusion));
        step = create(dev, mlp, optimizer);
        gradient = gradientPlan;
    }

    private Plan gradientPlan;

    /** The optimizer over a seeded model and batch on {@code dev}; its gradient plan is kept in {@link #gradientPlan}. */
    private Optimizer create(Device dev, String workload, String optimizerSpec) {
        ModelSpec spec = model(workload);
        int batch = batch(workload);
        Network mlp = new Network(dev, spec, batch, 1);
        SplittableRandom random = new SplittableRandom(1);
        float[] x = new float[batch * spec.inputs()];
        int[] y = new int[batch];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < batch; i++) {
            y[i] = random.nextInt(spec.outputs());
        }
        mlp.writeBatch(0, x, y);
        FloatBuffer theta = dev.allocFloat("theta", mlp.dimension());
        theta.write(mlp.initialParameters(1));
        FloatBuffer grad = dev.allocFloat("grad", mlp.dimension());
        FloatBuffer loss = dev.allocFloat("loss", 1);
        Graph g = dev.graph("gradient");
        mlp.record(g, 0, theta.all(), grad.all(), loss.all());
        gradientPlan = g.compile();
        return Optimizer.create(Spec.parse(optimizerSpec), mlp, theta.all());
    }

    /** The optimizer of a {@code SPEC@BATCH} workload over a seeded model and batch on {@code dev}. */
    static Optimizer optimizer(Device dev, String workload, String optimizerSpec) {
        return new TrainingBenchmark().create(dev, workload, optimizerSpec);
    }

    /** Kernels one optimizer step runs on {@code deviceId} at a fusion level (one step, counted). */
    static double kernelsPerStep(String deviceId, String workload, String optimizerSpec, String fusion) {
        try (Device d = Devices.open(deviceId)) {
            d.fusion(Fusion.parse(fusion));
            TrainingBenchmark b = new TrainingBenchmark();
            try (Optimizer o = b.create(d, workload, optimizerSpec)) {
                long before = d.kernels();
                o.step();
                return d.kernels() - before;
            }
        }
    }

    @Benchmark
    public void gradientEvaluation() {
        gradient.execute();
    }

    @Benchmark
    public void optimizerStep() {
        step.step();
    }

    @TearDown
    public void tearDown() {
        step.close();
        dev.close();
    }
}
