package io.rkflow.solvers.problems;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
import io.rkflow.solvers.field.Objective;

/** Helpers shared by the test problems. */
public final class Problems {

    private Problems() {}

    /** A buffer holding the given values. */
    public static FloatBuffer buffer(Device device, String name, float... values) {
        FloatBuffer b = device.allocFloat(name, values.length);
        b.write(values);
        return b;
    }

    /** Evaluates an objective once at θ (host values): returns {loss, gradient...}. */
    public static float[] evaluate(Objective objective, float[] theta) {
        Device d = objective.device();
        int n = objective.dimension();
        FloatBuffer t = buffer(d, "eval theta", theta);
        FloatBuffer g = d.allocFloat("eval grad", n);
        FloatBuffer loss = d.allocFloat("eval loss", 1);
        Graph graph = d.graph("evaluate");
        objective.record(graph, 0, t.all(), g.all(), loss.all());
        try (Plan p = graph.compile()) {
            p.execute();
        }
        float[] out = new float[n + 1];
        out[0] = loss.get(0);
        g.read(0, out, 1, n);
        return out;
    }

    /** Records loss = ½‖x‖² (a report for vector fields that are not gradients). */
    static void halfSquaredNorm(Graph g, FloatSlice x, FloatSlice loss, FloatSlice half) {
        g.squaredNorm(loss, x);
        g.scale(loss, half, loss);
    }
}
