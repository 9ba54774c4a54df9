package io.rkflow.bench;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
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
 * The RK stage combination out = x + Σ_j c_j·K[j] over n parameters and s stages:
 * {@code fused}, one {@code combine} pass reading s + 1 streams; {@code unfused}, s {@code axpby}
 * passes (out = x + c_0·K_0, then out = out + c_j·K_j); and {@code copy}, a plain copy of n floats
 * measured in the same run as the bandwidth yardstick. n = 1.86M is the MLP 784-1024-1024-10,
 * n = 11.2M a ResNet-18-sized model.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CombineBenchmark {

    @Param({"2", "4", "7"})
    public int s;

    @Param({"1863690", "11200000"})
    public int n;

    @Param({"fused", "unfused", "copy"})
    public String variant;

    @Param({"jvm"})
    public String device;

    private Device dev;
    private Plan plan;

    @Setup
    public void setup() {
        dev = Devices.open(device);
        FloatBuffer x = GemmBenchmark.random(dev, "x", n, 1);
        FloatBuffer out = dev.allocFloat("out", n);
        Graph g = dev.graph("combine " + variant + " s=" + s);
        switch (variant) {
            case "copy" -> g.copy(out.all(), x.all());
            case "fused" -> {
                FloatBuffer k = GemmBenchmark.random(dev, "K", s * n, 2);
                FloatBuffer c = GemmBenchmark.random(dev, "c", s, 3);
                g.combine(out.all(), x.all(), k.all(), n, s, c.all());
            }
            case "unfused" -> {
                FloatBuffer k = GemmBenchmark.random(dev, "K", s * n, 2);
                FloatBuffer c = GemmBenchmark.random(dev, "c", s, 3);
                FloatBuffer one = dev.allocFloat("one", 1);
                one.set(0, 1f);
                g.axpby(out.all(), one.all(), x.all(), c.at(0), k.slice(0, n));
                for (int j = 1; j < s; j++) {
                    g.axpby(out.all(), one.all(), out.all(), c.at(j), k.slice(j * n, n));
                }
            }
            default -> throw new IllegalArgumentException("variant: " + variant + "; valid: fused, unfused, copy");
        }
        plan = g.compile();
    }

    @Benchmark
    public void run() {
        plan.execute();
    }

    @TearDown
    public void tearDown() {
        dev.close();
    }

    /** Bytes a combination moves per element by definition: (s + 1)·4 read + 4 written. */
    static double combineBytes(int s, int n) {
        return ((s + 1) * 4.0 + 4.0) * n;
    }

    /** Bytes a copy moves: 4 read + 4 written per element. */
    static double copyBytes(int n) {
        return 8.0 * n;
    }
}
