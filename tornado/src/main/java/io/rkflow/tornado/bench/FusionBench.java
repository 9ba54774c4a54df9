package io.rkflow.tornado.bench;

import io.rkflow.kernels.Fusion;
import io.rkflow.tornado.TornadoVmDevice;
import io.rkflow.tornado.TornadoVmPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The fusion benchmark of the TornadoVM device. Wall times come from JMH ({@link FusionBenchmark},
 * one fork with this JVM's TornadoVM flags); device kernel times from TornadoVM's profiler in a
 * second, in-process pass. The profiler waits for every kernel, so its wall times are shown next
 * to JMH's and not instead of them.
 */
public final class FusionBench {

    private static final String USAGE = """
            usage: FusionBench [--device ID] [--model SPEC] [--batch N] [--optimizer SPEC] [--n N] [--s S]
                               [--quick] [--no-jmh] [--profiled-runs N] [--cuda-graph on|off|both] [--no-gemm]
              --device ID        TornadoVM device (default tornado:0:0)
              --model SPEC       MLP of the RK step (default 784-128-10:relu)
              --batch N          batch size (default 64)
              --optimizer SPEC   the step (default rk4+h(0.05)+adagrad)
              --n N, --s S       stage combination size and stages (default 1048576, 4)
              --quick            short JMH warm-up and measurement
              --no-jmh           only the profiled pass
              --profiled-runs N  executions measured with the profiler (default 20)
              --cuda-graph WHEN  the whole step with CUDA-graph capture on, off, or both (default: both
                                 where the backend has CUDA graphs, PTX or CUDA; else off)
              --no-gemm          leave out the GEMM table (each variant on the big MLP's products)
            The table is also written to bench-results/tornado-fusion.txt.""";

    private FusionBench() {}

    public static void main(String[] args) throws RunnerException, IOException {
        String device = "tornado:0:0";
        String model = "784-128-10:relu";
        int batch = 64;
        String optimizer = "rk4+h(0.05)+adagrad";
        int n = 1 << 20;
        int s = 4;
        boolean quick = false;
        boolean jmh = true;
        int runs = 20;
        String graphs = null;
        boolean gemm = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = value(args, ++i);
                case "--model" -> model = value(args, ++i);
                case "--batch" -> batch = Integer.parseInt(value(args, ++i));
                case "--optimizer" -> optimizer = value(args, ++i);
                case "--n" -> n = Integer.parseInt(value(args, ++i));
                case "--s" -> s = Integer.parseInt(value(args, ++i));
                case "--quick" -> quick = true;
                case "--no-jmh" -> jmh = false;
                case "--profiled-runs" -> runs = Integer.parseInt(value(args, ++i));
                case "--cuda-graph" -> graphs = value(args, ++i);
                case "--no-gemm" -> gemm = false;
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> {
                    System.err.println("FusionBench: unknown option '" + args[i] + "'\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        if (graphs != null && !List.of("on", "off", "both").contains(graphs)) {
            System.err.println("FusionBench: --cuda-graph: '" + graphs + "' is not one of on, off, both\n" + USAGE);
            System.exit(2);
        }
        boolean capable;
        try (TornadoVmDevice d = StepFixture.open(device)) {
            capable = d.cudaGraphs();
        }
        if (graphs == null) {
            graphs = capable ? "both" : "off";
        } else if (!graphs.equals("off") && !capable) {
            System.err.println("FusionBench: --cuda-graph " + graphs + ": " + device
                    + " has no CUDA graphs (they need TornadoVM's PTX or CUDA backend)");
            System.exit(2);
        }
        List<Boolean> captures = switch (graphs) {
            case "on" -> List.of(true);
            case "both" -> List.of(false, true);
            default -> List.of(false);
        };
        Map<String, Double> wall = new LinkedHashMap<>();
        if (jmh) {
            // the whole step at every fusion level; the per-kernel plans and the combinations once
            wall.putAll(jmh(device, model, batch, optimizer, n, s, quick, "stepOnePlan", "none", "epilogue", "full"));
            wall.putAll(jmh(device, model, batch, optimizer, n, s, quick, "(stepPlanPerKernel|combineFused|combineUnfused)",
                    "none"));
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "TornadoVM fusion benchmark, %s %s%n", System.getProperty("java.vm.name"),
                Runtime.version()));
        out.append(String.format(Locale.ROOT, "%nRK step: %s, batch %d, %s; wall = JMH average, profiled = "
                + "TornadoVM profiler on (%d executions)%n", model, batch, optimizer, runs));
        out.append(String.format(Locale.ROOT, "| variant | fusion | executes/step | kernels | wall ms/step (JMH) | wall "
                + "ms/step (profiled) | device kernel ms/step | host↔device MB/step |%n|---|---|---|---|---|---|---|---|%n"));
        StringBuilder graphRows = new StringBuilder();
        StringBuilder perKernelTables = new StringBuilder();
        String description = null;
        for (Fusion level : Fusion.values()) {
            boolean perTask = level == Fusion.NONE || level == Fusion.FULL;
            try (StepFixture f = new StepFixture(device, level, perTask, model, batch, optimizer, n, s)) {
                description = f.device.id() + " (" + f.device.description() + ")";
                Measured one = measure(runs, () -> List.of(f.fused), f::runFused);
                out.append(row("one plan (whole step)", level, 1, f.fused.kernels(),
                        wall.get("stepOnePlan@" + level.label()), one));
                if (!perTask) {
                    continue;
                }
                Measured per = measure(runs, () -> f.perKernel, f::runPerKernel);
                if (level == Fusion.NONE) {
                    out.append(row("one plan per kernel", level, f.perKernel.size(), f.perKernel.stream()
                            .mapToInt(TornadoVmPlan::kernels).sum(), wall.get("stepPlanPerKernel@none"), per));
                    Measured cf = measure(runs, () -> List.of(f.combineFused), f.combineFused::execute);
                    Measured cu = measure(runs, () -> List.of(f.combineUnfused), f.combineUnfused::execute);
                    double fusedBytes = (s + 2) * 4.0 * n;
                    double unfusedBytes = (2 + 3.0 * s) * 4.0 * n;
                    perKernelTables.append(String.format(Locale.ROOT, "%nStage combination out = x + Σ c_j K_j, n = %d,"
                            + " s = %d (GB/s = bytes the kernels must move / time)%n", n, s));
                    perKernelTables.append(String.format(Locale.ROOT, "| variant | kernels | wall ms (JMH) | GB/s (JMH) |"
                            + " device kernel ms | GB/s (kernel) |%n|---|---|---|---|---|---|%n"));
                    perKernelTables.append(combineRow("fused", f.combineFused.kernels(), wall.get("combineFused@none"),
                            cf, fusedBytes));
                    perKernelTables.append(combineRow("unfused (copy + s axpby)", f.combineUnfused.kernels(),
                            wall.get("combineUnfused@none"), cu, unfusedBytes));
                }
                perKernelTables.append(String.format(Locale.ROOT, "%nDevice time per kernel type of the step at fusion"
                        + " %s (profiler, one plan per kernel; ms per step)%n| kernel | launches/step | device ms/step |"
                        + "%n|---|---|---|%n", level.label()));
                Map<String, double[]> byKernel = new LinkedHashMap<>();
                for (int i = 0; i < f.perKernel.size(); i++) {
                    double[] acc = byKernel.computeIfAbsent(f.perKernelNames.get(i), k -> new double[2]);
                    acc[0] += f.perKernel.get(i).kernels();
                    acc[1] += per.kernelNanosPerPlan.get(i) / 1e6;
                }
                byKernel.forEach((k, v) -> perKernelTables.append(String.format(Locale.ROOT, "| %s | %d | %.3f |%n",
                        k, (int) v[0], v[1])));
            }
        }
        for (boolean capture : captures) {
            for (Fusion level : Fusion.values()) {
                try (StepFixture f = new StepFixture(device, level, false, model, batch, optimizer, n, s, capture)) {
                    Wall w = measureUnprofiled(runs, f::runFused);
                    graphRows.append(String.format(Locale.ROOT, "| %s | %s | %d | %.3f | %.3f |%n", capture ? "on" : "off",
                            level.label(), f.fused.kernels(), w.meanNanos / 1e6, w.medianNanos / 1e6));
                }
            }
        }
        out.append(String.format(Locale.ROOT, "%nThe whole step, CUDA-graph capture off and on (profiler off: wall ms"
                + " per step, mean of %d executions after 3; median in the last column)%n| CUDA graph | fusion | kernels |"
                + " wall ms/step | median ms |%n|---|---|---|---|---|%n", runs));
        out.append(graphRows);
        if (gemm) {
            out.append(GemmTable.run(device, runs));
        }
        out.insert(0, "device " + description + "\n");
        out.append(perKernelTables);
        System.out.print(out);
        Path file = Path.of("bench-results", "tornado-fusion.txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, out.toString(), StandardCharsets.UTF_8);
        System.out.println("\nwritten to " + file);
    }

    /** Profiled means per run: wall ns, kernel ns, bytes in + out; and the kernel ns of each plan. */
    private record Measured(double wallNanos, double kernelNanos, double bytes, List<Double> kernelNanosPerPlan) {}

    private static Measured measure(int runs, Supplier<List<TornadoVmPlan>> plans, Runnable run) {
        List<TornadoVmPlan> list = plans.get();
        for (int i = 0; i < 3; i++) {
            run.run(); // compiled and resident before profiling
        }
        list.forEach(p -> p.profile(true));
        double[] perPlan = new double[list.size()];
        double kernel = 0;
        double bytes = 0;
        long wallSum = 0;
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            run.run();
            wallSum += System.nanoTime() - t0;
            for (int i = 0; i < list.size(); i++) {
                TornadoVmPlan.Profile p = list.get(i).lastProfile();
                perPlan[i] += p.kernelNanos();
                kernel += p.kernelNanos();
                bytes += p.bytesIn() + p.bytesOut();
            }
        }
        list.forEach(p -> p.profile(false));
        List<Double> per = new ArrayList<>();
        for (double v : perPlan) {
            per.add(v / runs);
        }
        return new Measured((double) wallSum / runs, kernel / runs, bytes / runs, per);
    }

    /** Wall ns of unprofiled executions: their mean and median. */
    private record Wall(double meanNanos, double medianNanos) {}

    /** The wall times of {@code runs} executions after 3, profiler off. */
    private static Wall measureUnprofiled(int runs, Runnable run) {
        for (int i = 0; i < 3; i++) {
            run.run();
        }
        double[] t = new double[runs];
        double sum = 0;
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            run.run();
            t[r] = System.nanoTime() - t0;
            sum += t[r];
        }
        java.util.Arrays.sort(t);
        return new Wall(sum / runs, t[runs / 2]);
    }

    private static String row(String name, Fusion level, int executes, int kernels, Double jmhMs, Measured m) {
        return String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %.3f | %.3f | %.2f |%n", name, level.label(),
                executes, kernels, jmhMs == null ? "-" : String.format(Locale.ROOT, "%.3f", jmhMs), m.wallNanos / 1e6,
                m.kernelNanos / 1e6, m.bytes / 1e6);
    }

    /** JMH wall times in ms, keyed benchmark@fusion, of the benchmarks matching {@code methods} at {@code levels}. */
    private static Map<String, Double> jmh(String device, String model, int batch, String optimizer, int n, int s,
            boolean quick, String methods, String... levels) throws RunnerException {
        ChainedOptionsBuilder o = new OptionsBuilder().include(FusionBenchmark.class.getName() + "\\." + methods + "$")
                .param("device", device).param("model", model).param("batch", String.valueOf(batch))
                .param("optimizer", optimizer).param("n", String.valueOf(n)).param("s", String.valueOf(s))
                .param("fusion", levels).forks(1).shouldFailOnError(true);
        o = quick ? o.warmupIterations(2).warmupTime(TimeValue.seconds(1)).measurementIterations(3)
                .measurementTime(TimeValue.seconds(1))
                : o.warmupIterations(3).warmupTime(TimeValue.seconds(2)).measurementIterations(5)
                        .measurementTime(TimeValue.seconds(2));
        Map<String, Double> wall = new LinkedHashMap<>();
        for (RunResult r : new Runner(o.build()).run()) {
            String label = r.getParams().getBenchmark();
            wall.put(label.substring(label.lastIndexOf('.') + 1) + "@" + r.getParams().getParam("fusion"),
                    r.getPrimaryResult().getScore() / 1000.0);
        }
        return wall;
    }

    private static String combineRow(String name, int kernels, Double jmhMs, Measured m, double bytes) {
        return String.format(Locale.ROOT, "| %s | %d | %s | %s | %.3f | %.1f |%n", name, kernels,
                jmhMs == null ? "-" : String.format(Locale.ROOT, "%.3f", jmhMs),
                jmhMs == null ? "-" : String.format(Locale.ROOT, "%.1f", bytes / (jmhMs * 1e6)), m.kernelNanos / 1e6,
                bytes / m.kernelNanos);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            System.err.println("FusionBench: " + args[i - 1] + " needs a value\n" + USAGE);
            System.exit(2);
        }
        return args[i];
    }
}
