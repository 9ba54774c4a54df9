package io.rkflow.tornado;

import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.GemmForm;
import io.rkflow.kernels.Graph;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * Chooses a device's GEMM variant by measuring each on that device once, and remembers the choice
 * in a cache file, so that later runs on the same device start at once. The measurement times the
 * three forms of an MLP's products (NN, NT, TN) at 128 × 512 × 512 with each {@link GemmVariant},
 * median of 5 executions after 2, and takes the variant with the least total. A variant that fails
 * to compile or run on the device is left out (and said so). {@code -Drkflow.tornado.gemm=ID}
 * forces a variant; {@code -Drkflow.tornado.gemm.tune=false} takes {@link GemmVariant#TILE16},
 * known to work everywhere, without measuring.
 *
 * <p>The cache is {@code $XDG_CACHE_HOME/rkflow/tornado-gemm.properties} (else
 * {@code ~/.cache/rkflow/...}), or the file {@code -Drkflow.tornado.gemm.cache} names: one line
 * per device description and kernel revision, the variant's id first, then the times measured. A
 * cache that cannot be read or written is reported and the choice is kept for this run only.
 */
final class GemmTuner {

    /** Changes when a GEMM kernel changes, so that older measurements are not reused. */
    static final String REVISION = "1";
    static final String CACHE_PROPERTY = "rkflow.tornado.gemm.cache";
    static final String TUNE_PROPERTY = "rkflow.tornado.gemm.tune";

    private static final int[][] SHAPES = {{128, 512, 512}, {128, 512, 512}, {512, 512, 128}};
    private static final GemmForm[] FORMS = {GemmForm.NN, GemmForm.NT, GemmForm.TN};

    private GemmTuner() {}

    /** The variant for {@code device}: forced, cached, or measured now (and cached). */
    static GemmVariant choose(TornadoVmDevice device) {
        GemmVariant forced = GemmVariant.configured();
        if (forced != null) {
            return forced;
        }
        if ("false".equals(System.getProperty(TUNE_PROPERTY))) {
            return GemmVariant.TILE16;
        }
        String key = key(device.description());
        Path cache = cacheFile();
        Properties known = read(cache);
        String line = known.getProperty(key);
        if (line != null) {
            String id = line.trim().split("\\s+")[0];
            try {
                return GemmVariant.parse(id);
            } catch (IllegalArgumentException e) {
                System.err.println("rkflow tornado: GEMM cache " + cache + ": entry for this device names '" + id
                        + "', not a variant; measuring again");
            }
        }
        Map<GemmVariant, Double> ms = measure(device);
        GemmVariant best = GemmVariant.TILE16;
        for (Map.Entry<GemmVariant, Double> e : ms.entrySet()) {
            if (e.getValue() < ms.getOrDefault(best, Double.POSITIVE_INFINITY)) {
                best = e.getKey();
            }
        }
        StringBuilder entry = new StringBuilder(best.id());
        ms.forEach((v, t) -> entry.append(String.format(Locale.ROOT, " %s:%.3fms", v.id(), t)));
        System.err.println("rkflow tornado: GEMM variant for " + device.id() + " (" + device.description() + "): "
                + best.id() + ", measured " + entry.substring(best.id().length()).trim() + "; cached in " + cache);
        known.setProperty(key, entry.toString());
        write(cache, known);
        return best;
    }

    /** Milliseconds of the three measured products per variant that ran; failures are reported and left out. */
    static Map<GemmVariant, Double> measure(TornadoVmDevice device) {
        Map<GemmVariant, Double> result = new LinkedHashMap<>();
        for (GemmVariant v : GemmVariant.values()) {
            try {
                double total = 0;
                for (int s = 0; s < FORMS.length; s++) {
                    total += time(device, v, FORMS[s], SHAPES[s][0], SHAPES[s][1], SHAPES[s][2]);
                }
                result.put(v, total);
            } catch (RuntimeException e) {
                System.err.println("rkflow tornado: GEMM variant " + v.id() + " failed on " + device.id()
                        + " and is not used there: " + e);
            }
        }
        return result;
    }

    /** Median milliseconds of one product with variant {@code v} on {@code device}. */
    static double time(TornadoVmDevice device, GemmVariant v, GemmForm form, int m, int n, int k) {
        FloatBuffer a = random(device, "tune a", m * k, 1);
        FloatBuffer b = random(device, "tune b", k * n, 2);
        FloatBuffer c = device.allocFloat("tune c", m * n);
        Graph g = device.graph("GEMM tuning " + form + " " + m + "x" + n + "x" + k + " " + v.id())
                .gemm(form, m, n, k, c.all(), a.all(), b.all(), false);
        try (TornadoVmPlan plan = device.compile(g, v)) {
            plan.execute();
            plan.execute();
            double[] t = new double[5];
            for (int i = 0; i < t.length; i++) {
                long start = System.nanoTime();
                plan.execute();
                t[i] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(t);
            return t[t.length / 2];
        }
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

    /** The cache key of a device: its description and the kernels' revision, as a properties key. */
    static String key(String description) {
        return (description + " r" + REVISION).replaceAll("[^A-Za-z0-9._()+-]+", "_");
    }

    static Path cacheFile() {
        String named = System.getProperty(CACHE_PROPERTY);
        if (named != null && !named.isBlank()) {
            return Path.of(named);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("rkflow").resolve("tornado-gemm.properties");
    }

    static Properties read(Path cache) {
        Properties p = new Properties();
        if (Files.isRegularFile(cache)) {
            try (Reader r = Files.newBufferedReader(cache, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("rkflow tornado: GEMM cache " + cache + " is unreadable (" + e + "); measuring again");
                return new Properties();
            }
        }
        return p;
    }

    /** Writes the cache through a temporary file and a rename, so that no reader sees half a file. */
    static void write(Path cache, Properties p) {
        try {
            Files.createDirectories(cache.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(cache.toAbsolutePath().getParent(), ".tornado-gemm", ".tmp");
            try {
                try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    List<String> keys = new ArrayList<>(p.stringPropertyNames());
                    keys.sort(null);
                    Properties sorted = new Properties();
                    for (String k : keys) {
                        sorted.setProperty(k, p.getProperty(k));
                    }
                    sorted.store(w, "rkflow: the GEMM variant measured fastest per TornadoVM device (delete to measure again)");
                }
                Files.move(tmp, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            System.err.println("rkflow tornado: could not write the GEMM cache " + cache + " (" + e
                    + "); the choice holds for this run only");
        }
    }
}
