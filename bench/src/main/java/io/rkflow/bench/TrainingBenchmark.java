package io.rkflow.bench;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
import io.rkflow.models.nn.Mlp;
import io.rkflow.models.nn.MlpSpec;
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
 * evaluations is the step's non-gradient work.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TrainingBenchmark {

    @Param({"784-1024-1024-10:relu"})
    public String model;

    @Param({"128"})
    public int batch;

    @Param({"rk4+h(0.05)"})
    public String optimizer;

    @Param({"jvm"})
    public String device;

    private Device dev;
    private Plan gradient;
    private Optimizer step;

    @Setup
    public void setup() {
        dev = Devices.open(device);
        MlpSpec spec = MlpSpec.parse(model);
        Mlp mlp = new Mlp(dev, spec, batch, 1);
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
        gradient = g.compile();
        step = Optimizer.create(Spec.parse(optimizer), mlp, theta.all());
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
