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
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;

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
    /** The GEMM variant of this device's plans: forced, or chosen by {@link GemmTuner} at the first GEMM. */
    private GemmVariant gemmVariant;
    /** Whether plans capture their execution as one CUDA graph (PTX and CUDA backends). */
    private boolean cudaGraphs;

    TornadoVmDevice(String id, TornadoDevice device, String description) {
        this.id = id;
        this.device = device;
        this.description = description;
        TornadoVMBackendType backend = device.getTornadoVMBackend();
        this.cudaGraphs = graphCapable(backend) && !"false".equals(System.getProperty(CUDA_GRAPH_PROPERTY));
    }

    /**
     * {@code -Drkflow.tornado.cudaGraph=false} turns CUDA-graph capture off (it is on by default
     * where the backend has it: PTX and CUDA).
     */
    public static final String CUDA_GRAPH_PROPERTY = "rkflow.tornado.cudaGraph";

    private static boolean graphCapable(TornadoVMBackendType backend) {
        return backend == TornadoVMBackendType.PTX || backend == TornadoVMBackendType.CUDA;
    }

    /** Whether plans compiled from now on capture each execution as one CUDA graph (replayed after the first). */
    public synchronized boolean cudaGraphs() {
        return cudaGraphs;
    }

    /**
     * Turns CUDA-graph capture on or off for plans compiled from now on. On is only valid where
     * the backend has CUDA graphs (PTX, CUDA).
     */
    public synchronized void cudaGraphs(boolean on) {
        if (on && !graphCapable(device.getTornadoVMBackend())) {
            throw new IllegalArgumentException("device " + id + " (" + description + "): its backend "
                    + device.getTornadoVMBackend() + " has no CUDA graphs; they need the PTX or CUDA backend");
        }
        cudaGraphs = on;
    }

    /**
     * The GEMM variant this device's plans use for products of at least 64 rows and columns (the
     * thin ones, such as a classifier's n = 10, always take {@link GemmVariant#TILE16}): the one
     * {@code -Drkflow.tornado.gemm} forces, or the one {@link GemmTuner} measured fastest here
     * (once per device, then cached).
     */
    public synchronized GemmVariant gemmVariant() {
        checkOpen();
        if (gemmVariant == null) {
            gemmVariant = GemmTuner.choose(this);
        }
        return gemmVariant;
    }

    /** Forces the GEMM variant of plans compiled from now on. */
    public synchronized void gemmVariant(GemmVariant variant) {
        this.gemmVariant = Objects.requireNonNull(variant, "variant");
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
            TornadoVmPlan plan = new TornadoVmPlan(this, graph, this::gemmVariant);
            plans.add(plan);
            return plan;
        }
    }

    /** Compiles {@code graph} with GEMM variant {@code variant} (for measuring the variants). */
    TornadoVmPlan compile(Graph graph, GemmVariant variant) {
        synchronized (this) {
            checkOpen();
            TornadoVmPlan plan = new TornadoVmPlan(this, graph, () -> variant);
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
