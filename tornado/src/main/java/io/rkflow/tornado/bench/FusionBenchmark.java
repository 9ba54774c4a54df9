package io.rkflow.tornado.bench;

import io.rkflow.kernels.Fusion;
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
 * Wall time of an RK step as one plan (at a fusion level) or one plan per kernel, and of the stage
 * combination fused or not. {@link FusionBench} runs {@link #stepOnePlan} at every level and the
 * others at level none.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FusionBenchmark {

    @Param({"tornado:0:0"})
    public String device;

    @Param({"784-128-10:relu"})
    public String model;

    @Param({"64"})
    public int batch;

    @Param({"rk4+h(0.05)+adagrad"})
    public String optimizer;

    @Param({"1048576"})
    public int n;

    @Param({"4"})
    public int s;

    @Param({"none", "epilogue", "full"})
    public String fusion;

    private StepFixture fixture;

    @Setup
    public void setup(org.openjdk.jmh.infra.BenchmarkParams params) {
        boolean perTask = params.getBenchmark().endsWith("stepPlanPerKernel");
        fixture = new StepFixture(device, Fusion.parse(fusion), perTask, model, batch, optimizer, n, s);
    }

    @Benchmark
    public void stepOnePlan() {
        fixture.runFused();
    }

    @Benchmark
    public void stepPlanPerKernel() {
        fixture.runPerKernel();
    }

    @Benchmark
    public void combineFused() {
        fixture.combineFused.execute();
    }

    @Benchmark
    public void combineUnfused() {
        fixture.combineUnfused.execute();
    }

    @TearDown
    public void tearDown() {
        fixture.close();
    }
}
