package io.rkflow.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The fp32 peak as the JVM device can reach it: per thread, {@value #CHAINS} independent chains
 * of {@code FloatVector} fused multiply-adds on the preferred species (more chains than FMA
 * latency × FMA pipes on Zen 2–4 and recent Intel cores, few enough for 16 vector registers), run
 * by as many JMH threads as the device has workers. GFLOP/s = {@link #flopsPerOp()} · ops / time;
 * the GEMM table reports GEMM as a fraction of it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PeakBenchmark {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int CHAINS = 10;
    /** Loop steps per operation, each two fma per chain. */
    private static final int STEPS = 1000;

    // fields, so that the JIT cannot fold the arithmetic away
    public float x = 1.0000001f;
    public float y = 0.9999999f;

    @Benchmark
    public float fma() {
        FloatVector a = FloatVector.broadcast(F, x);
        FloatVector b = FloatVector.broadcast(F, y);
        FloatVector c0 = b, c1 = b.add(1), c2 = b.add(2), c3 = b.add(3), c4 = b.add(4);
        FloatVector c5 = b.add(5), c6 = b.add(6), c7 = b.add(7), c8 = b.add(8), c9 = b.add(9);
        for (int i = 0; i < STEPS; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b); c4 = c4.fma(a, b);
            c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b); c8 = c8.fma(a, b); c9 = c9.fma(a, b);
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b); c4 = c4.fma(a, b);
            c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b); c8 = c8.fma(a, b); c9 = c9.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).lane(0);
    }

    /** Floating-point operations of one {@link #fma()}: 2 per lane of each fused multiply-add. */
    static double flopsPerOp() {
        return 2.0 * 2 * CHAINS * STEPS * F.length();
    }
}
