package io.rkflow.bench;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.kernels.Fusion;
import io.rkflow.solvers.optim.Optimizer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The optimizer step at each fusion level, interleaved in one JVM: one device and one optimizer
 * per level, all warmed up, then rounds in which each level runs a few steps in turn. A host whose
 * speed drifts from minute to minute (a shared machine) moves every level of a round alike, so the
 * per-round differences against the first level measure what fusion changes far more precisely
 * than separate JMH runs can; they are reported as mean ± standard error, with the median and how
 * many rounds the level was the faster one.
 */
final class PairedFusion {

    private PairedFusion() {}

    /** Runs and prints the comparison for each {@code SPEC@BATCH} workload. */
    static void run(String device, String optimizer, List<String> workloads, String[] levels, boolean quick) {
        int rounds = quick ? 10 : 30;
        System.out.println();
        System.out.printf("Fusion, paired: %s steps on %s, levels interleaved in one JVM, %d rounds"
                + " (differences against '%s': mean ± standard error)%n", optimizer, device, rounds, levels[0]);
        System.out.printf("%-26s %-9s %8s %10s %10s %22s %10s %8s%n", "model@batch", "fusion", "kernels",
                "median ms", "min ms", "difference ms", "median", "faster");
        for (String workload : workloads) {
            Device[] devices = new Device[levels.length];
            Optimizer[] steps = new Optimizer[levels.length];
            try {
                for (int l = 0; l < levels.length; l++) {
                    devices[l] = Devices.open(device);
                    devices[l].fusion(Fusion.parse(levels[l]));
                    steps[l] = TrainingBenchmark.optimizer(devices[l], workload, optimizer);
                }
                long[] kernels = new long[levels.length];
                for (int l = 0; l < levels.length; l++) {
                    long before = devices[l].kernels();
                    steps[l].step();
                    kernels[l] = devices[l].kernels() - before;
                }
                // warm-up: each level in turn for a while (the JIT compiles the kernels of each), then
                // steps per round for about 200 ms of work per level (short rounds measure the cache
                // misses of switching between the levels' data)
                long warmNanos = (quick ? 2_000_000_000L : 6_000_000_000L) / levels.length;
                double once = 0;
                for (int l = 0; l < levels.length; l++) {
                    long start = System.nanoTime();
                    int count = 0;
                    while (System.nanoTime() - start < warmNanos) {
                        steps[l].step();
                        count++;
                    }
                    once = Math.max(once, (System.nanoTime() - start) / 1e6 / count);
                }
                int per = (int) Math.clamp(Math.round(200 / Math.max(once, 1e-3)), 1, 1000);
                double[][] ms = new double[levels.length][rounds];
                for (int r = -2; r < rounds; r++) { // two more rounds of warm-up
                    for (int l = 0; l < levels.length; l++) {
                        long start = System.nanoTime();
                        for (int s = 0; s < per; s++) {
                            steps[l].step();
                        }
                        if (r >= 0) {
                            ms[l][r] = (System.nanoTime() - start) / 1e6 / per;
                        }
                    }
                }
                for (int l = 0; l < levels.length; l++) {
                    double[] sorted = ms[l].clone();
                    Arrays.sort(sorted);
                    String diff = "", median = "", faster = "";
                    if (l > 0) {
                        double[] d = new double[rounds];
                        int wins = 0;
                        for (int r = 0; r < rounds; r++) {
                            d[r] = ms[l][r] - ms[0][r];
                            wins += d[r] < 0 ? 1 : 0;
                        }
                        double mean = Arrays.stream(d).average().orElse(Double.NaN);
                        double var = Arrays.stream(d).map(x -> (x - mean) * (x - mean)).sum() / (rounds - 1);
                        Arrays.sort(d);
                        diff = String.format(Locale.ROOT, "%+.3f ± %.3f", mean, Math.sqrt(var / rounds));
                        median = String.format(Locale.ROOT, "%+.3f", d[rounds / 2]);
                        faster = wins + "/" + rounds;
                    }
                    System.out.printf(Locale.ROOT, "%-26s %-9s %8d %10.3f %10.3f %22s %10s %8s%n", workload, levels[l],
                            kernels[l], sorted[rounds / 2], sorted[0], diff, median, faster);
                }
            } finally {
                for (int l = 0; l < levels.length; l++) {
                    if (steps[l] != null) {
                        steps[l].close();
                    }
                    if (devices[l] != null) {
                        devices[l].close();
                    }
                }
            }
        }
    }
}
