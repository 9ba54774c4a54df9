package io.rkflow.tornado;

import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Operand;
import io.rkflow.kernels.Plan;
import io.rkflow.kernels.Task;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.TornadoProfilerResult;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;

/**
 * A compiled graph on the TornadoVM device: ONE TornadoVM task graph in one execution plan, so
 * {@link #execute()} is one TornadoVM {@code execute()} however many kernels were recorded.
 *
 * <p>Transfers: buffers the graph declares as {@link Graph#hostWrites} go to the device on every
 * execution; every other buffer goes once and stays ({@code FIRST_EXECUTION}). Buffers the plan
 * writes and the graph declares as {@link Graph#hostReads} come back after every execution; the
 * others stay on the device and come back only when the host reads them ({@code UNDER_DEMAND}).
 * {@link Residency} tracks which copy is newest; when another plan or the host has changed a
 * resident buffer since this plan last ran, the plan frees its device memory and uploads its
 * buffers again (TornadoVM has no per-array re-upload), after saving what only it held.
 */
public final class TornadoVmPlan implements Plan {

    private static final AtomicLong PLANS = new AtomicLong();
    /** {@code -Drkflow.tornado.trace=true}: report every re-upload and what caused it. */
    private static final boolean TRACE = Boolean.getBoolean("rkflow.tornado.trace");

    private final TornadoVmDevice device;
    private final Graph graph;
    private final String graphName;
    /** Every buffer a task touches, with whether some task writes it. */
    private final Map<Residency, Boolean> used = new LinkedHashMap<>();
    private final Set<Residency> everyExecution = new HashSet<>(); // buffers compare by identity
    private final Set<Residency> readBack = new HashSet<>();
    /** The version of each buffer this plan's device copy holds. */
    private final Map<Residency, Long> deviceVersion = new IdentityHashMap<>();
    private final TornadoExecutionPlan plan; // null when the graph lowers to no TornadoVM task
    private final int kernels;
    private TornadoExecutionResult last;
    private boolean ranSinceFree;
    private boolean profiling;
    private int reuploads;
    private Profile lastProfile = new Profile(0, 0, 0, 0);
    private boolean closed;

    /** Whether this plan captures its execution as one CUDA graph. */
    private final boolean cudaGraph;

    TornadoVmPlan(TornadoVmDevice device, Graph graph, java.util.function.Supplier<GemmVariant> gemmVariant) {
        this.device = device;
        this.graph = graph;
        this.graphName = "rk" + PLANS.incrementAndGet();
        List<Task> tasks = graph.kernelTasks();
        for (Task task : tasks) {
            for (Operand op : task.operands()) {
                Residency r = (Residency) op.buffer();
                used.merge(r, op.access().writes(), Boolean::logicalOr);
            }
        }
        for (Object b : graph.hostWrites()) {
            everyExecution.add((Residency) b);
        }
        for (Object b : graph.hostReads()) {
            Residency r = (Residency) b;
            if (Boolean.TRUE.equals(used.get(r))) {
                readBack.add(r);
            }
        }
        TaskGraph tg = new TaskGraph(graphName);
        Lowering lowering = new Lowering(graphName, tg, gemmVariant);
        List<Object> every = new ArrayList<>();
        List<Object> first = new ArrayList<>();
        for (Residency r : used.keySet()) {
            (everyExecution.contains(r) ? every : first).add(r.array());
        }
        if (!every.isEmpty()) {
            tg.transferToDevice(DataTransferMode.EVERY_EXECUTION, every.toArray());
        }
        if (!first.isEmpty()) {
            tg.transferToDevice(DataTransferMode.FIRST_EXECUTION, first.toArray());
        }
        lowering.declareScratch(tasks);
        try {
            for (Task task : tasks) {
                lowering.lower(task);
            }
        } catch (java.nio.BufferOverflowException e) { // TornadoVM records a graph into a fixed 8 KB buffer
            throw new IllegalArgumentException("graph '" + graph.name() + "' is too large for one TornadoVM task graph: "
                    + tasks.size() + " kernels at fusion level " + graph.fusion().label() + " (TornadoVM's 8 KB task"
                    + " buffer holds about 160 kernels); compile it at fusion level full (--fusion full), or use a"
                    + " smaller model or a method with fewer stages", e);
        }
        List<Object> back = new ArrayList<>();
        List<Object> onDemand = new ArrayList<>();
        used.forEach((r, writes) -> {
            if (writes) {
                (readBack.contains(r) ? back : onDemand).add(r.array());
            }
        });
        if (!back.isEmpty()) {
            tg.transferToHost(DataTransferMode.EVERY_EXECUTION, back.toArray());
        }
        if (!onDemand.isEmpty()) {
            tg.transferToHost(DataTransferMode.UNDER_DEMAND, onDemand.toArray());
        }
        kernels = lowering.kernels();
        cudaGraph = kernels > 0 && device.cudaGraphs();
        if (kernels == 0) {
            plan = null;
        } else {
            // configured once, before the first execution; the same object runs every step
            ImmutableTaskGraph snapshot = tg.snapshot();
            plan = new TornadoExecutionPlan(snapshot).withDevice(device.tornadoDevice());
            if (lowering.hasGrids()) {
                plan.withGridScheduler(lowering.grids());
            }
            if (cudaGraph) {
                // The first execution captures every launch and copy; later ones replay the graph. Every
                // per-step value lives in a device buffer (scalar arguments are frozen at capture), and
                // host arrays never move. freeDeviceMemory (a re-upload, below) destroys the captured
                // graph, so the execution after it captures again against the new device memory.
                plan.withCUDAGraph();
            }
        }
    }

    @Override
    public Graph graph() {
        return graph;
    }

    /** Whether this plan runs as one captured CUDA graph. */
    public boolean cudaGraph() {
        return cudaGraph;
    }

    /** The number of TornadoVM tasks (kernel launches) one execution runs. */
    public int kernels() {
        return kernels;
    }

    /**
     * Turns TornadoVM's profiler on for this plan; {@link #lastProfile()} then reports the last
     * execution. The profiler synchronizes after every kernel, so it slows what it measures.
     */
    public TornadoVmPlan profile(boolean on) {
        synchronized (device) {
            if (plan != null && on != profiling) {
                if (on) {
                    plan.withProfiler(ProfilerMode.SILENT);
                } else {
                    plan.withoutProfiler();
                }
            }
            profiling = on;
            return this;
        }
    }

    /** Device kernel time, total time (ns) and bytes copied in and out of the last profiled execution. */
    public record Profile(long kernelNanos, long totalNanos, long bytesIn, long bytesOut) {}

    /** The profile of the last execution; all zero when the profiler was off or nothing ran. */
    public Profile lastProfile() {
        synchronized (device) {
            return lastProfile;
        }
    }

    @Override
    public void execute() {
        synchronized (device) {
            device.checkOpen();
            if (closed) {
                throw new IllegalStateException("plan of graph '" + graph.name() + "' is closed");
            }
            if (plan == null) {
                device.executed(kernels);
                return;
            }
            boolean stale = false;
            for (Residency r : used.keySet()) {
                if (everyExecution.contains(r)) {
                    r.toHost();
                } else {
                    Long held = deviceVersion.get(r);
                    stale |= held == null || held != r.version;
                }
            }
            if (stale) {
                if (TRACE && ranSinceFree) {
                    System.err.println("rkflow tornado: plan of graph '" + graph.name() + "' uploads its buffers again: "
                            + staleNames() + " changed elsewhere");
                }
                if (ranSinceFree && ++reuploads == 3 && device.warnOnce()) {
                    System.err.println("rkflow tornado: plan of graph '" + graph.name() + "' has uploaded all its buffers"
                            + " again 3 times because the host or another plan changed " + staleNames()
                            + " between its executions; a buffer the host rewrites before every execution belongs in"
                            + " the graph's hostWrites (reported once per device)");
                }
                for (Residency r : used.keySet()) {
                    r.toHost(); // what only this plan's device copy holds is saved first
                }
                if (ranSinceFree) {
                    plan.freeDeviceMemory(); // the next execution uploads every FIRST_EXECUTION buffer
                }
                deviceVersion.clear();
            }
            try {
                last = plan.execute();
            } catch (RuntimeException | Error e) {
                deviceVersion.clear(); // whatever ran may have changed the device copies: upload again next time
                throw new IllegalStateException("TornadoVM failed to run graph '" + graph.name() + "' (" + kernels
                        + " kernels) on " + device.id() + ": " + e, e);
            }
            ranSinceFree = true;
            device.executed(kernels);
            if (profiling) { // read at once: the profiler's numbers belong to the latest execution of any plan
                TornadoProfilerResult p = last.getProfilerResult();
                lastProfile = new Profile(p.getDeviceKernelTime(), p.getTotalTime(), p.getTotalBytesCopyIn(),
                        p.getTotalBytesCopyOut());
            }
            for (Map.Entry<Residency, Boolean> e : used.entrySet()) {
                Residency r = e.getKey();
                if (e.getValue()) {
                    r.version++;
                    r.holder = this;
                    if (readBack.contains(r)) {
                        r.hostVersion = r.version;
                    }
                }
                deviceVersion.put(r, r.version);
            }
        }
    }

    private String staleNames() {
        List<String> names = new ArrayList<>();
        for (Residency r : used.keySet()) {
            Long held = deviceVersion.get(r);
            if (!everyExecution.contains(r) && (held == null || held != r.version)) {
                names.add("'" + r.name + "'");
            }
        }
        return String.join(", ", names);
    }

    /** Copies this plan's device copy of {@code r} to the host array (called with the device locked). */
    void download(Residency r) {
        last.transferToHost(r.array());
    }

    @Override
    public void close() {
        synchronized (device) {
            if (closed) {
                return;
            }
            for (Residency r : used.keySet()) {
                if (r.holder == this) {
                    r.toHost();
                }
            }
            closed = true;
            if (plan != null) {
                try {
                    plan.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing the TornadoVM plan of graph '" + graph.name() + "': " + e, e);
                }
            }
        }
        device.closed(this);
    }

    @Override
    public String toString() {
        return "Plan[" + graph.name() + ", " + graph.tasks().size() + " tasks, " + kernels + " kernels on "
                + device.id() + "]";
    }

}
