package io.rkflow.solvers.optim;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
import io.rkflow.kernels.Task;
import io.rkflow.solvers.field.Objective;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Adam and AdamW baselines (Kingma &amp; Ba, arXiv 1412.6980; Loshchilov &amp; Hutter, arXiv
 * 1711.05101): one plan per step, the gradient followed by the fused update kernel; the host
 * writes the learning rate (from the schedule) and the bias corrections 1/(1 − β^t).
 */
final class AdamOptimizer implements Optimizer {

    private final Spec spec;
    private final Objective objective;
    private final int n;
    private final FloatBuffer grad;
    private final FloatBuffer m;
    private final FloatBuffer v;
    private final FloatBuffer params;
    private final FloatBuffer loss;
    private final FloatBuffer flag;
    private final Plan plan;
    private final float[] paramHost = new float[Task.Adam.PARAMS];
    private long steps;
    private double lastLoss = Double.NaN;
    private double lastLr;

    AdamOptimizer(Spec spec, Objective objective, FloatSlice theta) {
        this.spec = spec;
        this.objective = objective;
        this.n = objective.dimension();
        if (theta.length() != n) {
            throw new IllegalArgumentException("theta has " + theta.length() + " elements but the objective has "
                    + n + " parameters");
        }
        Device device = objective.device();
        grad = device.allocFloat("gradient", n);
        m = device.allocFloat("adam m", n);
        v = device.allocFloat("adam v", n);
        params = device.allocFloat("adam params", Task.Adam.PARAMS);
        loss = device.allocFloat("loss", 1);
        flag = device.allocFloat("non-finite", 1);
        Graph g = device.graph(spec.adam().decoupled() ? "adamw step" : "adam step");
        objective.record(g, 0, theta, grad.all(), loss.all());
        if (spec.adam().decoupled()) {
            g.adamw(theta, m.all(), v.all(), grad.all(), params.all());
        } else {
            g.adam(theta, m.all(), v.all(), grad.all(), params.all());
        }
        g.nonFinite(flag.all(), theta);
        plan = g.hostWrites(params).hostReads(loss, flag).compile();
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public StepReport step() {
        Spec.AdamParams a = spec.adam();
        long t = steps + 1;
        lastLr = spec.schedule().at(steps);
        paramHost[Task.Adam.LR] = (float) lastLr;
        paramHost[Task.Adam.BETA1] = (float) a.beta1();
        paramHost[Task.Adam.BETA2] = (float) a.beta2();
        paramHost[Task.Adam.EPS] = (float) a.eps();
        paramHost[Task.Adam.WEIGHT_DECAY] = (float) a.weightDecay();
        paramHost[Task.Adam.BIAS_CORRECTION1] = (float) (1.0 / (1.0 - Math.pow(a.beta1(), t)));
        paramHost[Task.Adam.BIAS_CORRECTION2] = (float) (1.0 / (1.0 - Math.pow(a.beta2(), t)));
        params.write(paramHost);
        plan.execute();
        steps++;
        lastLoss = loss.get(0);
        if (flag.get(0) != 0) {
            throw new NonFiniteException(spec.adam() + " step " + (steps - 1) + " (loss " + lastLoss
                    + "): θ became NaN or infinite; lower lr");
        }
        return new StepReport(lastLoss, lastLr, 1, 0, Double.NaN, 0);
    }

    @Override
    public Counters counters() {
        return new Counters(steps, steps, steps, 0, lastLr, lastLoss, 0);
    }

    @Override
    public OptimizerState state() {
        Map<String, float[]> arrays = OptimizerState.read(OptimizerState.buffers("m", m, "v", v));
        Map<String, Double> sc = new LinkedHashMap<>();
        sc.put("steps", (double) steps);
        sc.put("lastLoss", lastLoss);
        sc.put("lastLr", lastLr);
        return new OptimizerState(spec.toString(), arrays, sc);
    }

    @Override
    public void restore(OptimizerState state) {
        state.restoreInto(spec, OptimizerState.buffers("m", m, "v", v));
        steps = (long) state.scalar("steps");
        lastLoss = state.scalar("lastLoss");
        lastLr = state.scalar("lastLr");
    }

    @Override
    public void close() {
        plan.close();
    }
}
