package io.rkflow.tornado;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.DeviceChecks;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.Fusion;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.IntBuffer;
import io.rkflow.kernels.Plan;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * The TornadoVM device {@code tornado:<backend>:<device>}: buffers are TornadoVM off-heap arrays,
 * a compiled graph is one TornadoVM task graph in one execution plan ({@link TornadoVmPlan}), and
 * every kernel of the catalogue is a Java method TornadoVM JIT-compiles to OpenCL C or PTX.
 *
 * <p>Plans run one at a time per device; host reads and writes wait for a running plan.
 */
public final class TornadoVmDevice implements Device {

    private final String id;
    private final TornadoDevice device;
    private final String description;
    private final Set<TornadoVmPlan> plans = new LinkedHashSet<>();
    private long executions;
    private long kernels;
    private volatile Fusion fusion = Fusion.DEFAULT;
    private boolean closed;
    private boolean warned;

    TornadoVmDevice(String id, TornadoDevice device, String description) {
        this.id = id;
        this.device = device;
        this.description = description;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return description;
    }

    /** The TornadoVM device the plans run on. */
    TornadoDevice tornadoDevice() {
        return device;
    }

    @Override
    public FloatBuffer allocFloat(String name, int length) {
        DeviceChecks.alloc(name, length);
        synchronized (this) {
            checkOpen();
            return new TornadoFloatBuffer(this, name, length);
        }
    }

    @Override
    public IntBuffer allocInt(String name, int length) {
        DeviceChecks.alloc(name, length);
        synchronized (this) {
            checkOpen();
            return new TornadoIntBuffer(this, name, length);
        }
    }

    @Override
    public Plan compile(Graph graph) {
        synchronized (this) {
            checkOpen();
            TornadoVmPlan plan = new TornadoVmPlan(this, graph);
            plans.add(plan);
            return plan;
        }
    }

    /** The plans compiled on this device and not yet closed, oldest first. */
    public synchronized List<TornadoVmPlan> plans() {
        return List.copyOf(plans);
    }

    /** How many times plans of this device have executed (a training step should add one). */
    @Override
    public synchronized long executions() {
        return executions;
    }

    /** True the first time it is called: a warning about re-uploads is printed once per device. */
    synchronized boolean warnOnce() {
        boolean first = !warned;
        warned = true;
        return first;
    }

    @Override
    public synchronized long kernels() {
        return kernels;
    }

    @Override
    public Fusion fusion() {
        return fusion;
    }

    @Override
    public void fusion(Fusion level) {
        this.fusion = Objects.requireNonNull(level, "fusion");
    }

    synchronized void executed(int planKernels) {
        executions++;
        kernels += planKernels;
    }

    synchronized void closed(TornadoVmPlan plan) {
        plans.remove(plan);
    }

    @Override
    public void close() {
        List<TornadoVmPlan> open;
        synchronized (this) {
            if (closed) {
                return;
            }
            open = new ArrayList<>(plans);
        }
        for (TornadoVmPlan plan : open) {
            plan.close();
        }
        synchronized (this) {
            closed = true;
        }
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("device " + id + " is closed");
        }
    }

    @Override
    public String toString() {
        return "TornadoVmDevice[" + id + ": " + description + "]";
    }
}
