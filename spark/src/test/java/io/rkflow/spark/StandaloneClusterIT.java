package io.rkflow.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rkflow.models.data.IdxFiles;
import io.rkflow.train.sweep.Grid;
import io.rkflow.train.sweep.Sweep;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.spark.launcher.JavaModuleOptions;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job jar on a real Spark standalone cluster on 127.0.0.1: a master and a worker process
 * (2 cores, 2 GB) started from the jars of a Spark 4.2.0 distribution, and the job submitted as
 * {@code spark-submit} submits it. Its numbers and final parameters are those of {@code rkflow sweep}.
 *
 * <p>There is no Spark distribution here, so the test makes one from Maven Central's jars: a
 * SPARK_HOME whose {@code jars/} folder links Spark and its dependencies (the module's provided
 * class path) with Spark's own Jackson, as the distribution has them. The worker starts each
 * executor the way it does on a real cluster: {@code java} of its own JDK with the class path
 * SPARK_HOME/jars/*; the executor fetches the job jar from the driver. SPARK_SCALA_VERSION=2.13
 * tells Spark's launcher code the Scala version that a distribution's layout would tell it.
 * Everything binds to 127.0.0.1 (SPARK_LOCAL_IP, --host, spark.driver.host); the logs stay in
 * {@code target/standalone-cluster/logs}.
 */
class StandaloneClusterIT {

    static final Path JOB_JAR = Path.of(System.getProperty("rkflow.spark.jar", "target/rkflow-spark.jar"))
            .toAbsolutePath();
    static final Path DISTRIBUTION = Path.of(System.getProperty("rkflow.spark.distribution",
            "target/spark-distribution")).toAbsolutePath();
    static final String JAVA = ProcessHandle.current().info().command().orElseThrow();

    @Test
    void theJobJarHoldsRkflowWithItsOwnJacksonAndNeitherSparkNorScala() throws IOException {
        try (JarFile jar = new JarFile(JOB_JAR.toFile())) {
            assertEquals(SweepJob.class.getName(), jar.getManifest().getMainAttributes().getValue("Main-Class"));
            for (String c : List.of("io/rkflow/spark/SweepJob.class", "io/rkflow/train/cli/Main.class",
                    "io/rkflow/kernels/Devices.class", "picocli/CommandLine.class",
                    "io/rkflow/shaded/com/fasterxml/jackson/databind/ObjectMapper.class",
                    "META-INF/services/io.rkflow.kernels.DeviceProvider")) {
                assertTrue(jar.getEntry(c) != null, c);
            }
            jar.stream().forEach(e -> {
                String n = e.getName();
                assertFalse(n.startsWith("org/apache/spark/") || n.startsWith("scala/") || n.contains("com/fasterxml/")
                        && !n.startsWith("io/rkflow/shaded/") && !n.startsWith("META-INF/maven/"), n);
            });
        }
    }

    /** A SPARK_HOME of Spark 4.2.0's jars from Maven Central (links), with Spark's own Jackson. */
    static Path sparkHome(Path dir) throws IOException {
        Path jars = Files.createDirectories(dir.resolve("spark-home").resolve("jars"));
        List<Path> all = new ArrayList<>();
        for (String entry : Files.readString(DISTRIBUTION.resolve("classpath.txt")).strip().split(":")) {
            all.add(Path.of(entry));
        }
        try (Stream<Path> jackson = Files.list(DISTRIBUTION.resolve("jackson"))) {
            jackson.forEach(all::add);
        }
        Set<String> names = new HashSet<>();
        for (Path jar : all) {
            String name = jar.getFileName().toString();
            if (!names.add(name)) {
                name = jar.getParent().getParent().getFileName() + "-" + name;
                names.add(name);
            }
            Files.createSymbolicLink(jars.resolve(name), jar.toAbsolutePath());
        }
        assertTrue(names.stream().anyMatch(n -> n.startsWith("spark-core_2.13-4.2.0")), names.toString());
        assertTrue(names.contains("jackson-databind-2.21.2.jar") && names.contains("jackson-module-scala_2.13-2.21.2.jar")
                && names.stream().noneMatch(n -> n.startsWith("jackson-databind-2.22")), names.toString());
        return jars.getParent();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** A JVM of this test's JDK with Spark's module options and the distribution's class path. */
    static List<String> java(Path home, String... args) {
        List<String> cmd = new ArrayList<>(List.of(JAVA));
        cmd.addAll(List.of(JavaModuleOptions.defaultModuleOptionArray()));
        cmd.addAll(List.of("-cp", home.resolve("jars") + "/*"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits for {@code text} in {@code log}, while {@code process} lives, at most {@code seconds}. */
    static void await(Process process, Path log, String text, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                fail("the process ended (exit " + process.exitValue() + ") before '" + text + "':\n" + Files.readString(log));
            }
            Thread.sleep(200);
        }
        fail("no '" + text + "' in " + seconds + " s:\n" + Files.readString(log));
    }

    /** Ends {@code p} and everything it started (the worker's executors): TERM, then KILL after 10 s. */
    static void stop(Process p) {
        if (p == null) {
            return;
        }
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    /** Runs spark-submit ARGS on the cluster; returns its exit code, its output in {@code log}. */
    static int submit(Path home, Map<String, String> env, String master, List<String> conf, List<String> jobArgs,
            Path log) throws Exception {
        List<String> args = new ArrayList<>(List.of("org.apache.spark.deploy.SparkSubmit", "--master", master,
                "--deploy-mode", "client", "--class", SweepJob.class.getName(), "--conf", "spark.driver.host=127.0.0.1",
                "--conf", "spark.driver.bindAddress=127.0.0.1", "--conf", "spark.ui.enabled=false", "--conf",
                "spark.executor.memory=1g", "--conf", "spark.executor.extraJavaOptions=--add-modules=jdk.incubator.vector"));
        args.addAll(conf);
        args.add(JOB_JAR.toString());
        args.addAll(jobArgs);
        Process p = start(java(home, args.toArray(String[]::new)), env, log);
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                fail("spark-submit did not end in 300 s:\n" + Files.readString(log));
            }
            return p.exitValue();
        } finally {
            stop(p);
        }
    }

    /** An empty {@code target/standalone-cluster}: the cluster's SPARK_HOME, work folder, logs and sweeps (kept after the test). */
    static Path freshFolder() throws IOException {
        Path dir = Path.of("target", "standalone-cluster").toAbsolutePath();
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) { // links are deleted, never followed
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aStandaloneClusterRunsTheGridWithTheNumbersOfRkflowSweep() throws Exception {
        Path dir = freshFolder();
        Path home = sparkHome(dir);
        Path logs = Files.createDirectories(dir.resolve("logs"));
        // two fake GPUs for the worker (scripts/spark-gpu-discovery.sh reads them from nvidia-smi)
        Path fakeBin = GpuDiscoveryScriptTest.fakeNvidiaSmi(dir.resolve("bin"), "printf '0\\n1\\n'");
        Map<String, String> env = new HashMap<>();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("PATH", fakeBin + ":" + System.getenv("PATH"));
        int port = freePort();
        String master = "spark://127.0.0.1:" + port;
        Process masterProcess = null;
        Process worker = null;
        try {
            masterProcess = start(java(home, "-Xmx512m", "-Dspark.master.rest.enabled=false",
                    "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                    "--port", String.valueOf(port), "--webui-port", "0"), env, logs.resolve("master.log"));
            await(masterProcess, logs.resolve("master.log"), "I have been elected leader", 90);
            worker = start(java(home, "-Xmx512m", "-Dspark.worker.resource.gpu.amount=2",
                    "-Dspark.worker.resource.gpu.discoveryScript=" + GpuDiscoveryScriptTest.SCRIPT,
                    "org.apache.spark.deploy.worker.Worker", master, "--host", "127.0.0.1", "--cores", "2", "--memory",
                    "2g", "--webui-port", "0", "--work-dir", dir.resolve("work").toString()), env,
                    logs.resolve("worker.log"));
            await(worker, logs.resolve("worker.log"), "Successfully registered with master", 90);

            Path data = dir.resolve("data");
            IdxFiles.writeFourFiles(data);
            Path gridFile = dir.resolve("grid.json");
            Grid grid = SweepComparison.gridFile(gridFile, "{\"optimizer\": [\"rk4+h(0.1)\", \"adam(lr=1e-2)\"],"
                    + " \"model\": \"6-8-10:relu\", \"batch\": [4], \"seeds\": 2, \"epochs\": 3, \"steps\": 5,"
                    + " \"validation\": 4, \"log_every\": 1, \"checkpoint_every\": 1}");
            Path out = dir.resolve("spark");
            long start = System.nanoTime();
            int code = submit(home, env, master, List.of(), List.of("--grid", gridFile.toString(), "--data",
                    data.toString(), "--out", out.toString()), logs.resolve("submit.log"));
            double seconds = (System.nanoTime() - start) / 1e9;
            String submitted = Files.readString(logs.resolve("submit.log"));
            assertEquals(0, code, submitted);
            System.out.printf("StandaloneClusterIT: spark-submit of 4 points took %.1f s%n", seconds);
            assertTrue(submitted.contains("0 finished before, 4 to run"), submitted);
            assertTrue(Files.readString(logs.resolve("master.log")).contains("Registered app rkflow sweep"),
                    "the job ran on the cluster");
            try (Stream<Path> executors = Files.walk(dir.resolve("work"))) {
                assertTrue(executors.anyMatch(p -> p.getFileName().toString().equals("rkflow-spark.jar")),
                        "an executor fetched the job jar");
            }

            // tasks that ask for a GPU: tornado:0 becomes tornado:0:<the task's GPU> (there is no
            // TornadoVM here, so the device does not open: the points fail, naming it)
            Path gpuOut = dir.resolve("gpu");
            int gpuCode = submit(home, env, master, List.of("--conf", "spark.executor.resource.gpu.amount=2", "--conf",
                    "spark.task.resource.gpu.amount=1"), List.of("--optimizer", "rk4", "--model", "6-8-10:relu",
                    "--batch", "4", "--seeds", "2", "--steps", "1", "--validation", "4", "--data", data.toString(),
                    "--device", "tornado:0", "--out", gpuOut.toString()), logs.resolve("submit-gpu.log"));
            assertEquals(1, gpuCode, Files.readString(logs.resolve("submit-gpu.log")));

            SparkSession reader = SparkSession.builder().master("local[1]").appName("StandaloneClusterIT")
                    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
            try {
                Path reference = dir.resolve("sweep");
                SweepComparison.assertSameAsSweep(reader, out, reference, SweepComparison.rkflowSweep(List.of("--grid",
                        gridFile.toString(), "--data", data.toString()), grid, reference));
                List<Row> gpuRows = SweepComparison.parquet(reader, gpuOut);
                Set<String> devices = new HashSet<>();
                for (Row r : gpuRows) {
                    assertEquals("failed", r.getAs("status"));
                    String error = r.getAs("error");
                    assertTrue(error.contains("unknown device 'tornado:0:"), error);
                    devices.add(error.replaceAll(".*unknown device '(tornado:0:[0-9]+)'.*", "$1"));
                }
                assertEquals(Set.of("tornado:0:0", "tornado:0:1"), devices,
                        "the two tasks, run at once, got one GPU each");
            } finally {
                reader.stop();
            }
            assertNotEquals(0, Files.size(out.resolve(Sweep.TABLE_CSV)));
        } finally {
            stop(worker);
            stop(masterProcess);
        }
    }
}
