package io.rkflow.spark;

import io.rkflow.train.cli.Main;
import io.rkflow.train.sweep.Grid;
import io.rkflow.train.sweep.Sweep;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * What a Spark task needs to train one point of a sweep, the way {@code rkflow sweep} trains it:
 * the grid's shared settings, the sweep's shared folder and the job's options. It travels to the
 * executors; each task trains the point it is given there into the point's run folder under
 * {@code out}.
 *
 * @param grid the sweep's grid (the settings its points share: epochs, steps, validation, intervals)
 * @param out the sweep's folder, an absolute path the driver and every executor share
 * @param device the --device of the job, or null for {@code jvm:K} with K = the task's cores
 * @param data the --data folder (absolute), or null for each executor's own search
 * @param fusion the --fusion level, or null for the default
 */
record PointTask(Grid grid, String out, String device, String data, String fusion) implements Serializable {

    /** The resource name Spark schedules GPUs by ({@code spark.task.resource.gpu.amount}). */
    static final String GPU = "gpu";

    /**
     * Trains point {@code p} in this task, unless its folder already holds the finished run (a
     * task Spark runs again after it finished once); never throws.
     */
    Sweep.Outcome run(Grid.Point p) {
        TaskContext task = TaskContext.get();
        String taskDevice;
        try {
            taskDevice = device(device, task.cpus(), task.resourcesJMap());
        } catch (IllegalArgumentException e) {
            return new Sweep.Outcome(p.name(), "failed", e.getMessage());
        }
        Sweep sweep = new Sweep(grid, new Sweep.Options(Path.of(out), 1, taskDevice, data == null ? null : Path.of(data),
                fusion), Main::train);
        return sweep.finished(p) ? new Sweep.Outcome(p.name(), "finished", null) : sweep.runPoint(p);
    }

    /**
     * The device a task trains on: {@code jvm:K} with K = the task's cores ({@code spark.task.cpus})
     * when none is given; for {@code tornado:<backend>} the GPU Spark assigned to the task,
     * {@code tornado:<backend>:<address>}; any other id as given.
     *
     * @throws IllegalArgumentException for {@code tornado:<backend>} in a task without a GPU
     */
    static String device(String device, int taskCpus, Map<String, ResourceInformation> resources) {
        if (device == null) {
            return "jvm:" + Math.max(1, taskCpus);
        }
        if (!device.matches("tornado:[0-9]+")) {
            return device;
        }
        ResourceInformation gpu = resources.get(GPU);
        if (gpu == null || gpu.addresses().length == 0) {
            throw new IllegalArgumentException("--device " + device + " trains on the GPU Spark assigns the task, and"
                    + " this task has none: give spark.task.resource.gpu.amount=1 and spark.executor.resource.gpu.amount"
                    + " (with a discovery script such as scripts/spark-gpu-discovery.sh), or a whole device id"
                    + " tornado:<backend>:<device>");
        }
        return device + ":" + gpu.addresses()[0];
    }

    /** The device {@code device} (null: the default) as the driver's log names it. */
    static String label(String device, int taskCpus) {
        if (device == null) {
            return "jvm:" + Math.max(1, taskCpus) + " (spark.task.cpus)";
        }
        return device.matches("tornado:[0-9]+") ? device + ":<the task's GPU>" : device;
    }
}
