package io.rkflow.bench;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.GemmForm;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
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
 * GEMM throughput on a device: one plan holding one {@code gemm} task, executed per operation.
 * GFLOP/s = 2·m·n·k / time. Shapes: 512³, and the products of an MLP 784-1024-1024-10 at batch 128
 * with weights stored in × out: forward Y = X·W (NN), input gradient dX = dY·Wᵀ (NT), weight
 * gradient dW = Xᵀ·dY (TN).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemmBenchmark {

    /** form:m:n:k. */
    @Param({
        "NN:512:512:512",
        "NN:128:1024:784", "NN:128:1024:1024", "NN:128:10:1024",
        "NT:128:1024:1024", "NT:128:1024:10",
        "TN:784:1024:128", "TN:1024:1024:128", "TN:1024:10:128"
    })
    public String shape;

    /** Device id, e.g. jvm or jvm:1. */
    @Param({"jvm"})
    public String device;

    private Device dev;
    private Plan plan;

    @Setup
    public void setup() {
        String[] p = shape.split(":");
        GemmForm form = GemmForm.valueOf(p[0]);
        int m = Integer.parseInt(p[1]), n = Integer.parseInt(p[2]), k = Integer.parseInt(p[3]);
        dev = io.rkflow.kernels.Devices.open(device);
        FloatBuffer a = random(dev, "a", m * k, 1);
        FloatBuffer b = random(dev, "b", k * n, 2);
        FloatBuffer c = dev.allocFloat("c", m * n);
        Graph g = dev.graph("gemm " + shape).gemm(form, m, n, k, c.all(), a.all(), b.all(), false);
        plan = g.compile();
    }

    @Benchmark
    public void gemm() {
        plan.execute();
    }

    @TearDown
    public void tearDown() {
        dev.close();
    }

    /** Floating-point operations of one shape, 2·m·n·k. */
    static double flops(String shape) {
        String[] p = shape.split(":");
        return 2.0 * Double.parseDouble(p[1]) * Double.parseDouble(p[2]) * Double.parseDouble(p[3]);
    }

    static FloatBuffer random(Device dev, String name, int length, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] host = new float[length];
        for (int i = 0; i < length; i++) {
            host[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        FloatBuffer buf = dev.allocFloat(name, length);
        buf.write(host);
        return buf;
    }
}
