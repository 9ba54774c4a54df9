package io.rkflow.tornado.bench;

import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.GemmForm;
import io.rkflow.tornado.GemmVariant;
import io.rkflow.tornado.TornadoVmDevice;
import io.rkflow.tornado.TornadoVmPlan;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * GEMM on a TornadoVM device per shape and variant: the products of an MLP 784-1024-1024-10 at
 * batch 128 (forward NN, input gradient NT, weight gradient TN; weights stored in × out) and
 * 512³, each variant forced, timed by TornadoVM's profiler (device kernel time) and by the wall
 * clock. Products with fewer than 64 rows or columns always take the 16 × 16 tile (the thin
 * path), so they appear once.
 */
final class GemmTable {

    private static final String[] SHAPES = {
        "NN:512:512:512", "NN:128:1024:784", "NN:128:1024:1024", "NT:128:1024:1024", "NT:128:784:1024",
        "TN:784:1024:128", "TN:1024:1024:128", "NN:128:10:1024", "NT:128:1024:10", "TN:1024:10:128",
    };

    private GemmTable() {}

    static String run(String deviceId, int runs) {
        StringBuilder out = new StringBuilder();
        try (TornadoVmDevice device = StepFixture.open(deviceId)) {
            out.append(String.format(Locale.ROOT, "%nGEMM per shape and variant (device kernel time from the profiler, mean"
                    + " of %d executions after 3; GFLOP/s = 2mnk / time); the variant this device chose: %s%n"
                    + "| form | m | n | k | variant | device µs | GFLOP/s (device) | wall µs | GFLOP/s (wall) |%n"
                    + "|---|---|---|---|---|---|---|---|---|%n", runs, device.gemmVariant().id()));
            for (String shape : SHAPES) {
                String[] p = shape.split(":");
                GemmForm form = GemmForm.valueOf(p[0]);
                int m = Integer.parseInt(p[1]);
                int n = Integer.parseInt(p[2]);
                int k = Integer.parseInt(p[3]);
                boolean thin = m < 64 || n < 64;
                for (GemmVariant v : GemmVariant.values()) {
                    if (thin && v != GemmVariant.TILE16) {
                        continue;
                    }
                    device.gemmVariant(v);
                    FloatBuffer a = random(device, "a", m * k, 1);
                    FloatBuffer b = random(device, "b", k * n, 2);
                    FloatBuffer c = device.allocFloat("c", m * n);
                    try (TornadoVmPlan plan = (TornadoVmPlan) device.graph("gemm " + shape + " " + v.id())
                            .gemm(form, m, n, k, c.all(), a.all(), b.all(), false).compile()) {
                        for (int i = 0; i < 3; i++) {
                            plan.execute();
                        }
                        long wall = 0;
                        plan.profile(true);
                        double kernel = 0;
                        for (int r = 0; r < runs; r++) {
                            long t0 = System.nanoTime();
                            plan.execute();
                            wall += System.nanoTime() - t0;
                            kernel += plan.lastProfile().kernelNanos();
                        }
                        plan.profile(false);
                        double flops = 2.0 * m * n * k;
                        double kernelNs = kernel / runs;
                        double wallNs = (double) wall / runs;
                        out.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %.1f | %.1f | %.1f | %.1f |%n",
                                form, m, n, k, thin ? "tile16 (thin path)" : v.id(), kernelNs / 1e3,
                                flops / kernelNs, wallNs / 1e3, flops / wallNs));
                    }
                }
            }
        }
        return out.toString();
    }

    private static FloatBuffer random(TornadoVmDevice device, String name, int length, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] host = new float[length];
        for (int i = 0; i < length; i++) {
            host[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        FloatBuffer buffer = device.allocFloat(name, length);
        buffer.write(host);
        return buffer;
    }
}
