package io.rkflow.kernels;

/**
 * A compute device: it owns buffers, records kernel graphs and runs them as plans.
 *
 * <p>Shaped after TornadoVM so a TornadoVM device maps one to one: buffers are device resident and
 * move to and from the host only through explicit {@link FloatBuffer#write writes} and
 * {@link FloatBuffer#read reads}; a {@link Graph} records typed kernel tasks once and compiles into
 * a {@link Plan} that runs the whole recording on every {@link Plan#execute()}.
 *
 * <p>Devices are found with {@link Devices#open(String)} by id ({@code jvm}, {@code tornado:0:0}).
 */
public interface Device extends AutoCloseable {

    /** The id this device is opened by, e.g. {@code jvm}. */
    String id();

    /** A one-line human description: the hardware, the backend, the thread count. */
    String description();

    /** Allocates a zero-filled float buffer of {@code length} elements on this device. */
    FloatBuffer allocFloat(String name, int length);

    /** Allocates a zero-filled int buffer of {@code length} elements on this device. */
    IntBuffer allocInt(String name, int length);

    /** Starts recording a new graph on this device. */
    default Graph graph(String name) {
        return new Graph(this, name);
    }

    /** The fusion level graphs recorded on this device compile at; {@link Fusion#DEFAULT} at first. */
    Fusion fusion();

    /** Sets the fusion level of graphs recorded from now on (a graph may still set its own). */
    void fusion(Fusion level);

    /**
     * Compiles a recorded graph into a plan. Called by {@link Graph#compile()}; the graph has
     * already validated every task, so a device checks only what is particular to it.
     */
    Plan compile(Graph graph);

    /**
     * How many plan executions this device has run since it was opened. The trainer reports the
     * executions per step from it: one for a whole explicit RK step recorded as one plan.
     */
    long executions();

    /**
     * How many kernels this device's plan executions have run since it was opened: a plan's
     * {@link Plan#kernels()} for each execution. Per training step it shows what fusion saves.
     */
    long kernels();

    /** Releases the device's threads and memory. Buffers and plans of a closed device are unusable. */
    @Override
    void close();
}
