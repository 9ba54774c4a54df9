package io.rkflow.kernels;

/**
 * A compiled {@link Graph}: {@link #execute()} runs every recorded task in order. Build once,
 * execute every step; the host writes the declared inputs before and reads the declared outputs
 * after each execution.
 */
public interface Plan extends AutoCloseable {

    /** The graph this plan was compiled from. */
    Graph graph();

    /** How many kernels one execution runs (after fusion; a device may split a task into several). */
    int kernels();

    /** Runs the whole recorded program once and returns when its results are readable. */
    void execute();

    /** Releases device resources held by the plan (not its buffers). */
    @Override
    default void close() {}
}
