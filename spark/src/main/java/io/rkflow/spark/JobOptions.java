package io.rkflow.spark;

import io.rkflow.train.cli.DataOption;
import io.rkflow.train.cli.FusionOption;
import io.rkflow.train.sweep.Sweep;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options every Spark job of rkflow takes besides its own: the shared output folder, the
 * device, the data and the fusion level, and the sweep options and schedulers they make.
 */
final class JobOptions {

    @Option(names = "--device", description = "Device of every run (default: jvm:K, K = spark.task.cpus);"
            + " tornado:<backend> trains on the GPU Spark assigns each task (spark.task.resource.gpu.amount=1).")
    String device;

    @Mixin
    DataOption data;

    @Mixin
    FusionOption fusion;

    @Option(names = "--out", required = true, description = "The job's folder, on a file system the driver and"
            + " every executor share (NFS and the like; not HDFS or S3).")
    Path out;

    /** Checks what can be checked before Spark is asked: an unknown fusion level is an error here. */
    void check() {
        fusion.given();
    }

    /** --out as an absolute path, which the executors get as it is. */
    Path folder() {
        return out.toAbsolutePath().normalize();
    }

    /**
     * The sweep options of a job on {@code spark}: as many runs at once as the cluster has task
     * slots, the device as the driver's log names it.
     */
    Sweep.Options sweepOptions(SparkSession spark) {
        int taskCpus = spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
        int slots = Math.max(1, spark.sparkContext().defaultParallelism() / taskCpus);
        Path dataFolder = data.given() == null ? null : data.given().toAbsolutePath().normalize();
        return new Sweep.Options(folder(), slots, PointTask.label(device, taskCpus), dataFolder, fusion.given());
    }

    /** The scheduler that runs {@code sweep}'s unfinished runs on {@code spark}, a task per run. */
    Sweep.Scheduler scheduler(SparkSession spark, Sweep sweep) {
        Sweep.Options o = sweep.options();
        PointTask task = new PointTask(sweep.grid(), o.out().toString(), device,
                o.data() == null ? null : o.data().toString(), o.fusion());
        return (todo, log) -> SweepJob.runTasks(spark, task::run, sweep, todo, log);
    }
}
