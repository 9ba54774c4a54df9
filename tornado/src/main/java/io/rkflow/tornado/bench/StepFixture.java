package io.rkflow.tornado.bench;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.Fusion;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
import io.rkflow.kernels.Task;
import io.rkflow.models.nn.Network;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.solvers.optim.Optimizer;
import io.rkflow.solvers.optim.Spec;
import io.rkflow.tornado.TornadoVmDevice;
import io.rkflow.tornado.TornadoVmPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One RK step of MLP training on a TornadoVM device at a fusion level, two ways: the optimizer's
 * own plan (the whole step, one execution), and the same kernels (the recording after the fusion
 * pass) as one plan per kernel, executed in order (only when asked for: 60 to 90 plans). Also
 * the stage combination out = x + Σ c_j K_j fused (one kernel) and unfused (a copy and s axpby
 * kernels), each one plan.
 */
final class StepFixture implements AutoCloseable {

    final TornadoVmDevice device;
    final Optimizer optimizer;
    final TornadoVmPlan fused;
    final List<TornadoVmPlan> perKernel = new ArrayList<>();
    final List<String> perKernelNames = new ArrayList<>();
    final TornadoVmPlan combineFused;
    final TornadoVmPlan combineUnfused;

    StepFixture(String deviceId, Fusion fusion, boolean perTask, String model, int batch, String optimizerSpec, int n,
            int s) {
        this(deviceId, fusion, perTask, model, batch, optimizerSpec, n, s, null);
    }

    /** As above, with CUDA-graph capture set on or off ({@code null}: the device's default). */
    StepFixture(String deviceId, Fusion fusion, boolean perTask, String model, int batch, String optimizerSpec, int n,
            int s, Boolean cudaGraph) {
        device = open(deviceId);
        device.fusion(fusion);
        if (cudaGraph != null) {
            device.cudaGraphs(cudaGraph);
        }
        ModelSpec spec = ModelSpec.parse(model);
        Network mlp = new Network(device, spec, batch, 1);
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
        FloatBuffer theta = device.allocFloat("theta", mlp.dimension());
        theta.write(mlp.initialParameters(1));
        int before = device.plans().size();
        optimizer = Optimizer.create(Spec.parse(optimizerSpec), mlp, theta.all());
        optimizer.step(); // writes the step's coefficients; the plans below re-run that step
        TornadoVmPlan step = null;
        for (TornadoVmPlan p : device.plans().subList(before, device.plans().size())) {
            if (p.graph().name().endsWith(" step")) {
                step = p;
            }
        }
        if (step == null) {
            throw new IllegalStateException("the optimizer " + optimizerSpec + " recorded no step plan");
        }
        fused = step;
        int i = 0;
        for (Task task : perTask ? step.graph().kernelTasks() : List.<Task>of()) {
            Graph g = device.graph("kernel " + i++ + " " + task.kernel()).add(task).fusion(Fusion.NONE);
            perKernel.add((TornadoVmPlan) g.compile());
            perKernelNames.add(task.kernel());
        }
        FloatBuffer cx = device.allocFloat("x", n);
        FloatBuffer k = device.allocFloat("K", s * n);
        FloatBuffer out = device.allocFloat("out", n);
        FloatBuffer c = device.allocFloat("c", s + 1);
        float[] values = new float[s * n];
        for (int j = 0; j < values.length; j++) {
            values[j] = (float) random.nextGaussian();
        }
        k.write(values);
        cx.write(java.util.Arrays.copyOf(values, n));
        float[] coeffs = new float[s + 1];
        for (int j = 0; j < s; j++) {
            coeffs[j] = 0.1f * (j + 1);
        }
        coeffs[s] = 1f;
        c.write(coeffs);
        combineFused = (TornadoVmPlan) device.graph("combine fused").combine(out.all(), cx.all(), k.all(), n, s, c.all())
                .compile();
        Graph unfused = device.graph("combine unfused").copy(out.all(), cx.all());
        for (int j = 0; j < s; j++) {
            unfused.axpby(out.all(), c.at(s), out.all(), c.at(j), k.slice(j * n, n));
        }
        combineUnfused = (TornadoVmPlan) unfused.compile();
    }

    /** The TornadoVM device {@code deviceId}; any other device is an error that names it. */
    static TornadoVmDevice open(String deviceId) {
        Device d = Devices.open(deviceId);
        if (!(d instanceof TornadoVmDevice t)) {
            d.close();
            throw new IllegalArgumentException("--device " + deviceId + " is not a TornadoVM device");
        }
        return t;
    }

    void runFused() {
        fused.execute();
    }

    void runPerKernel() {
        for (Plan p : perKernel) {
            p.execute();
        }
    }

    @Override
    public void close() {
        optimizer.close();
        device.close();
    }
}
