package io.rkflow.bench;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.kernels.jvm.JvmDevice;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks and prints one table per family: GEMM in GFLOP/s, the stage combination
 * in GB/s next to a plain copy measured in the same run. {@code --help} lists the options.
 */
public final class BenchMain {

    /** The training benchmark's workloads and optimizer (its JMH parameters), for the paired comparison. */
    private static final List<String> TRAINING_WORKLOADS = List.of(param("mlp"));
    private static final String TRAINING_OPTIMIZER = param("optimizer")[0];

    private static String[] param(String field) {
        try {
            return TrainingBenchmark.class.getField(field).getAnnotation(org.openjdk.jmh.annotations.Param.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final String USAGE = """
            usage: bench.sh [--quick] [--only gemm|combine|training|paired|cnn] [--device ID] [--forks N] [--fusion LEVELS]
              --quick        short warm-up and measurement (a rough number in about 4 minutes)
              --only FAMILY  run only the gemm (with the fp32 peak), the combine, the training benchmarks,
                             or paired: the optimizer step at each fusion level interleaved in one JVM,
                             or cnn: the README's CNN's gradient evaluation at batch 128
              --device ID    device to measure (default jvm; jvm:N for N threads)
              --forks N      JMH forks per benchmark (default 1)
              --fusion LEVELS  fusion levels of the training and paired benchmarks, comma separated
                             (default none,epilogue,full)
              --peer         (bench.sh) then run the PyTorch CPU peer on the same shapes and models
            JVM options for the benchmark JVMs (which inherit this one's) go in RKFLOW_BENCH_JVM_ARGS,
            e.g. RKFLOW_BENCH_JVM_ARGS='-XX:UseAVX=2' (256-bit vectors, 16 registers) or
            '-Drkflow.gemm.kernel=12x2' (force a GEMM micro-kernel).
            Raw JMH results are also written to bench-results/<family>.json.""";

    private BenchMain() {}

    public static void main(String[] args) throws RunnerException {
        boolean quick = false;
        String only = null;
        String device = "jvm";
        int forks = 1;
        String[] fusion = {"none", "epilogue", "full"};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--only" -> only = value(args, ++i, "--only");
                case "--device" -> device = value(args, ++i, "--device");
                case "--forks" -> forks = Integer.parseInt(value(args, ++i, "--forks"));
                case "--fusion" -> fusion = value(args, ++i, "--fusion").split(",");
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> fail("unknown option '" + args[i] + "'");
            }
        }
        if (only != null && !java.util.List.of("gemm", "combine", "training", "paired", "cnn").contains(only)) {
            fail("--only: '" + only + "' is not a family; valid: gemm, combine, training, paired, cnn");
        }
        for (String level : fusion) {
            try {
                io.rkflow.kernels.Fusion.parse(level);
            } catch (IllegalArgumentException e) {
                fail("--fusion: " + e.getMessage());
            }
        }
        String description;
        int threads;
        try (Device d = Devices.open(device)) {
            description = d.id() + " (" + d.description() + ")";
            threads = d instanceof JvmDevice jvm ? jvm.threads() : 0;
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        new java.io.File("bench-results").mkdirs();
        System.out.printf("rkflow benchmarks on %s, %s %s%n", description, System.getProperty("java.vm.name"),
                Runtime.version());
        System.out.println("CPU: " + cpu());
        System.out.println("JVM device: " + JvmDevice.describeMachine());
        if (only == null || only.equals("gemm")) {
            double peak = Double.NaN;
            if (threads > 0) {
                RunResult p = run(options(quick, forks, device, "peak").threads(threads)
                        .include(PeakBenchmark.class.getName() + ".fma")).iterator().next();
                peak = printPeak(p, threads);
            }
            Collection<RunResult> gemm = run(options(quick, forks, device, "gemm")
                    .include(GemmBenchmark.class.getName() + ".gemm"));
            printGemm(gemm, peak);
        }
        if (only == null || only.equals("combine")) {
            Collection<RunResult> combine = run(options(quick, forks, device, "combine")
                    .include(CombineBenchmark.class.getName() + ".run")
                    .param("variant", "fused", "unfused"));
            Collection<RunResult> copy = run(options(quick, forks, device, "copy")
                    .include(CombineBenchmark.class.getName() + ".run")
                    .param("variant", "copy").param("s", "1"));
            printCombine(combine, copy);
        }
        if (only == null || only.equals("training")) {
            printTraining(run(options(quick, forks, device, "training")
                    .include(TrainingBenchmark.class.getName() + ".*").param("fusion", fusion)), device);
        }
        if (only == null || only.equals("cnn")) {
            printCnn(run(options(quick, forks, device, "cnn").include(CnnBenchmark.class.getName() + ".*")));
        }
        if (only == null || only.equals("paired")) {
            PairedFusion.run(device, TRAINING_OPTIMIZER, TRAINING_WORKLOADS, fusion, quick);
        }
    }

    private static void printCnn(Collection<RunResult> results) {
        io.rkflow.models.nn.ModelSpec spec = io.rkflow.models.nn.ModelSpec.parse(CnnBenchmark.MODEL);
        double flops = spec.gradientFlops(CnnBenchmark.BATCH);
        System.out.println();
        System.out.printf(Locale.ROOT, "CNN: a gradient evaluation (forward + backward, one plan) of %s at batch %d"
                + " (%.3f GFLOP)%n", spec, CnnBenchmark.BATCH, flops / 1e9);
        System.out.printf("%-9s %12s %10s %10s %12s%n", "fusion", "time (ms)", "± (ms)", "GFLOP/s", "images/s");
        for (RunResult r : results) {
            double us = r.getPrimaryResult().getScore();
            double err = r.getPrimaryResult().getScoreError();
            System.out.printf(Locale.ROOT, "%-9s %12.2f %10.2f %10.1f %12.0f%n", r.getParams().getParam("fusion"),
                    us / 1e3, err / 1e3, flops / us / 1e3, CnnBenchmark.BATCH / (us / 1e6));
        }
    }

    private static void printTraining(Collection<RunResult> results, String device) {
        Map<String, RunResult> byKey = new HashMap<>();
        List<String> workloads = new ArrayList<>();
        for (RunResult r : results) {
            String mlp = r.getParams().getParam("mlp");
            byKey.put(r.getPrimaryResult().getLabel() + "|" + mlp + "|" + r.getParams().getParam("fusion"), r);
            if (!workloads.contains(mlp)) {
                workloads.add(mlp);
            }
        }
        System.out.println();
        System.out.println("Training: a gradient evaluation and an optimizer step of an MLP, at each fusion level"
                + " (kernels per step counted on one step; GFLOP/s = the evaluation's 2mnk flops / time)");
        System.out.printf("%-24s %-20s %-9s %8s %12s %9s %12s %10s %12s%n", "model@batch", "optimizer", "fusion",
                "kernels", "gradient ms", "GFLOP/s", "step ms", "±", "alloc B/op");
        for (String mlp : workloads) {
            for (String fusion : List.of("none", "epilogue", "full")) {
                RunResult grad = byKey.get("gradientEvaluation|" + mlp + "|" + fusion);
                RunResult step = byKey.get("optimizerStep|" + mlp + "|" + fusion);
                if (grad == null || step == null) {
                    continue;
                }
                String optimizer = step.getParams().getParam("optimizer");
                double flops = TrainingBenchmark.model(mlp).gradientFlops(TrainingBenchmark.batch(mlp));
                double gradUs = grad.getPrimaryResult().getScore();
                double stepUs = step.getPrimaryResult().getScore();
                double kernels = TrainingBenchmark.kernelsPerStep(device, mlp, optimizer, fusion);
                System.out.printf(Locale.ROOT, "%-24s %-20s %-9s %8.0f %12.3f %9.1f %12.3f %10.3f %12.1f%n", mlp,
                        optimizer, fusion, kernels, gradUs / 1e3, flops / (gradUs * 1e3), stepUs / 1e3,
                        step.getPrimaryResult().getScoreError() / 1e3, allocPerOp(step));
            }
        }
    }

    private static ChainedOptionsBuilder options(boolean quick, int forks, String device, String family) {
        return new OptionsBuilder()
                .forks(forks)
                .warmupIterations(quick ? 2 : 5)
                .warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 3 : 5)
                .measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .jvmArgsAppend("--add-modules", "jdk.incubator.vector", "-Xmx6g")
                .param("device", device)
                .resultFormat(org.openjdk.jmh.results.format.ResultFormatType.JSON)
                .result("bench-results/" + family + ".json")
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true);
    }

    private static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
        return new Runner(options.build()).run();
    }

    /** Prints the fp32 peak of {@link PeakBenchmark} and returns it in GFLOP/s. */
    private static double printPeak(RunResult r, int threads) {
        Result<?> res = r.getPrimaryResult();
        double gflops = res.getScore() * PeakBenchmark.flopsPerOp() / 1e3;
        double err = res.getScoreError() * PeakBenchmark.flopsPerOp() / 1e3;
        System.out.println();
        System.out.printf(Locale.ROOT, "fp32 peak: %.1f ± %.1f GFLOP/s on %d thread%s (%d fma chains per thread;"
                + " %.1f per thread)%n", gflops, err, threads, threads == 1 ? "" : "s", PeakBenchmark.CHAINS,
                gflops / threads);
        return gflops;
    }

    private static void printGemm(Collection<RunResult> results, double peak) {
        System.out.println();
        System.out.println("GEMM, fp32, row major (GFLOP/s = 2mnk / time; ± is JMH's 99.9% error; % of the fp32 peak"
                + " above)");
        System.out.printf("%-6s %6s %6s %6s %12s %10s %10s %8s %12s%n", "form", "m", "n", "k", "time (us)", "GFLOP/s",
                "±", "% peak", "alloc B/op");
        for (RunResult r : results) {
            String shape = r.getParams().getParam("shape");
            String[] p = shape.split(":");
            Result<?> res = r.getPrimaryResult();
            double us = res.getScore();
            double gflops = GemmBenchmark.flops(shape) / (us * 1e3);
            double err = gflops * res.getScoreError() / us;
            System.out.printf(Locale.ROOT, "%-6s %6s %6s %6s %12.2f %10.1f %10.1f %7.0f%% %12.1f%n", p[0], p[1], p[2],
                    p[3], us, gflops, err, 100 * gflops / peak, allocPerOp(r));
        }
    }

    private static void printCombine(Collection<RunResult> combine, Collection<RunResult> copy) {
        Map<Integer, Double> copyGbs = new HashMap<>();
        for (RunResult r : copy) {
            int n = Integer.parseInt(r.getParams().getParam("n"));
            copyGbs.put(n, CombineBenchmark.copyBytes(n) / (r.getPrimaryResult().getScore() * 1e3));
        }
        Map<String, Double> us = new HashMap<>();
        Map<String, Double> alloc = new HashMap<>();
        List<int[]> cases = new ArrayList<>();
        for (RunResult r : combine) {
            int s = Integer.parseInt(r.getParams().getParam("s"));
            int n = Integer.parseInt(r.getParams().getParam("n"));
            us.put(r.getParams().getParam("variant") + ":" + s + ":" + n, r.getPrimaryResult().getScore());
            alloc.merge(s + ":" + n, allocPerOp(r), Math::max);
            if (r.getParams().getParam("variant").equals("fused")) {
                cases.add(new int[] {s, n});
            }
        }
        System.out.println();
        System.out.println("Stage combination out = x + sum_j c_j K_j (GB/s counts (s+1)*4 read + 4 written bytes per"
                + " element; copy counts 4 + 4)");
        System.out.printf("%3s %10s %11s %13s %10s %10s %14s %12s%n", "s", "n", "fused GB/s", "unfused GB/s",
                "copy GB/s", "fused/copy", "fused/unfused", "alloc B/op");
        for (int[] c : cases) {
            int s = c[0], n = c[1];
            double bytes = CombineBenchmark.combineBytes(s, n);
            double fused = bytes / (us.get("fused:" + s + ":" + n) * 1e3);
            Double unfusedUs = us.get("unfused:" + s + ":" + n);
            double unfused = unfusedUs == null ? Double.NaN : bytes / (unfusedUs * 1e3);
            double cp = copyGbs.getOrDefault(n, Double.NaN);
            System.out.printf(Locale.ROOT, "%3d %10d %11.1f %13.1f %10.1f %9.0f%% %13.2fx %12.1f%n", s, n, fused,
                    unfused, cp, 100 * fused / cp, fused / unfused, alloc.get(s + ":" + n));
        }
    }

    /** Bytes allocated per operation (JMH's gc profiler), NaN when the profiler gave none. */
    private static double allocPerOp(RunResult r) {
        Result<?> a = r.getSecondaryResults().get("gc.alloc.rate.norm");
        return a == null ? Double.NaN : a.getScore();
    }

    /** The CPU's model name, core count and vector extensions, from /proc/cpuinfo where there is one. */
    private static String cpu() {
        String cores = Runtime.getRuntime().availableProcessors() + " cores";
        try {
            String model = null;
            java.util.Set<String> flags = java.util.Set.of();
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                String value = line.substring(line.indexOf(':') + 1).trim();
                if (model == null && line.startsWith("model name")) {
                    model = value;
                } else if (flags.isEmpty() && line.startsWith("flags")) {
                    flags = new java.util.HashSet<>(java.util.Arrays.asList(value.split("\\s+")));
                }
            }
            return (model == null ? "" : model + ", ") + cores + ", AVX2 " + (flags.contains("avx2") ? "yes" : "no")
                    + ", AVX-512F " + (flags.contains("avx512f") ? "yes" : "no") + " (/proc/cpuinfo)";
        } catch (java.io.IOException | RuntimeException e) {
            return cores; // not Linux
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            fail(option + " needs a value");
        }
        return args[i];
    }

    private static void fail(String message) {
        System.err.println("bench: " + message);
        System.err.println(USAGE);
        System.exit(2);
    }
}
