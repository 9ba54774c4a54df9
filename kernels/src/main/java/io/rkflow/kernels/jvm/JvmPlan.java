package io.rkflow.kernels.jvm;

import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;

/** A compiled JVM graph: its steps run in recorded order; each step parallelizes internally. */
final class JvmPlan implements Plan {

    private final Graph graph;
    private final Step[] steps;
    private final JvmDevice device;

    JvmPlan(Graph graph, Step[] steps, JvmDevice device) {
        this.graph = graph;
        this.steps = steps;
        this.device = device;
    }

    @Override
    public Graph graph() {
        return graph;
    }

    @Override
    public int kernels() {
        return steps.length;
    }

    @Override
    public void execute() {
        device.checkOpen();
        synchronized (device) { // one plan at a time: the worker pool and the scratch are shared
            for (Step step : steps) {
                step.run();
            }
            device.executed(steps.length);
        }
    }

    @Override
    public String toString() {
        return "Plan[" + graph.name() + ", " + steps.length + " steps on jvm]";
    }
}
