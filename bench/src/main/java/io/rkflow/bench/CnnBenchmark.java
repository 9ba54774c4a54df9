package io.rkflow.bench;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.Fusion;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.models.nn.Network;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One gradient evaluation (forward and backward, one plan, dropout on) of the README's
 * Fashion-MNIST CNN at batch 128, on a fixed random batch: the number images/s and GFLOP/s of
 * {@code bench.sh --only cnn} come from, next to PyTorch's same network in {@code --peer}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CnnBenchmark {

    /** The README's CNN (its default model for {@code --model cnn}). */
    public static final String MODEL = "28x28x1:conv(32,3,pad=1)-relu-maxpool(2)-conv(64,3,pad=1)-relu-maxpool(2)"
            + "-flatten-dense(128)-relu-dropout(0.25)-dense(10)";
    public static final int BATCH = 128;

    @Param({"full"})
    public String fusion;

    @Param({"jvm"})
    public String device;

    private Device dev;
    private Plan gradient;

    @Setup(Level.Trial)
    public void setup() {
        dev = Devices.open(device);
        dev.fusion(Fusion.parse(fusion));
        ModelSpec spec = ModelSpec.parse(MODEL);
        Network net = new Network(dev, spec, BATCH, 1);
        SplittableRandom random = new SplittableRandom(1);
        float[] x = new float[BATCH * spec.inputs()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        net.writeBatch(0, x, random.ints(BATCH, 0, spec.outputs()).toArray());
        net.writeStep(1, 1);
        FloatBuffer theta = dev.allocFloat("theta", net.dimension());
        theta.write(net.initialParameters(1));
        Graph g = dev.graph("cnn gradient");
        net.record(g, 0, theta.all(), dev.allocFloat("grad", net.dimension()).all(), dev.allocFloat("loss", 1).all());
        gradient = g.compile();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        gradient.close();
        dev.close();
    }

    @Benchmark
    public void gradientEvaluation() {
        gradient.execute();
    }
}
