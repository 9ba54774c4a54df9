package io.rkflow.solvers.field;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.Graph;

/**
 * The vector field of the gradient flow dθ/dt = −P·∇L_B(θ), as solvers see it: the loss and
 * gradient of the current mini-batch at a point θ, recorded onto a device graph. Solvers never see
 * layers; a model, or a test problem, implements this.
 *
 * <p>A model that trains on mini-batches holds {@link #batchSlots()} batch buffers that the host
 * fills before each step; by default every stage of a step evaluates slot 0 (the same batch), and
 * solvers asked for a fresh batch per stage evaluate stage i on slot i.
 */
public interface Objective {

    /** The device whose buffers the objective reads. */
    Device device();

    /** The number of parameters n. */
    int dimension();

    /** How many distinct mini-batches one step may use; 1 for a fixed objective. */
    default int batchSlots() {
        return 1;
    }

    /**
     * Whether the objective is the same function at every step (full batch, a test problem): then
     * a gradient evaluated at the end of one step is the first stage of the next, and FSAL
     * tableaux reuse it. False for mini-batch training, whose batch changes between steps.
     */
    default boolean fixed() {
        return false;
    }

    /**
     * Records onto {@code graph} the tasks that set {@code loss[0] = L(θ)} and {@code grad = ∇L(θ)}
     * for the batch in {@code slot}. Buffers the host rewrites between executions (the batch)
     * are declared on the graph with {@link Graph#hostWrites}, so a device that keeps buffers
     * resident uploads them on every execution.
     *
     * @param theta n parameters, read only
     * @param grad n outputs, fully written
     * @param loss one element, written
     */
    void record(Graph graph, int slot, FloatSlice theta, FloatSlice grad, FloatSlice loss);
}
