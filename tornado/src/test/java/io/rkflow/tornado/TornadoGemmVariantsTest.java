package io.rkflow.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rkflow.kernels.Devices;
import io.rkflow.kernels.GemmForm;
import io.rkflow.kernels.conformance.DeviceConformanceTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every GEMM variant of the TornadoVM device passes the conformance kit's GEMM cases (and shapes
 * around its 64 × 64 tile), the variant is chosen per device by measuring and cached, and CUDA-graph
 * capture is refused where the backend has none.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TornadoGemmVariantsTest {

    private TornadoVmDevice device;

    @BeforeAll
    void open() {
        device = (TornadoVmDevice) Devices.open(TornadoDeviceConformanceTest.deviceId());
    }

    @AfterAll
    void close() {
        device.close();
    }

    /** Shapes at the edges of the register-tiled kernel's 64 × 64 tile and 16-deep slabs. */
    private static final int[][] TILE_SHAPES = {
        {64, 64, 1}, {64, 64, 16}, {65, 64, 17}, {64, 65, 15}, {127, 191, 33}, {128, 192, 64}, {200, 70, 100},
    };

    static Stream<Arguments> cases() {
        Stream<Arguments> tile = Stream.of(GemmForm.values()).flatMap(form -> Stream.of(false, true)
                .flatMap(acc -> Stream.of(TILE_SHAPES).map(s -> arguments(form, s[0], s[1], s[2], acc))));
        return Stream.concat(DeviceConformanceTest.gemmCases(), tile).flatMap(a -> Stream.of(GemmVariant.values())
                .map(v -> arguments(v, a.get()[0], a.get()[1], a.get()[2], a.get()[3], a.get()[4])));
    }

    @ParameterizedTest(name = "{0} {1} m={2} n={3} k={4} accumulate={5}")
    @MethodSource("cases")
    void everyVariantConforms(GemmVariant variant, GemmForm form, int m, int n, int k, boolean accumulate) {
        device.gemmVariant(variant);
        DeviceConformanceTest.checkGemm(device, form, m, n, k, accumulate);
    }

    @Test
    void theVariantIsMeasuredOnceAndCached(@TempDir Path dir) throws IOException {
        Path cache = dir.resolve("sub").resolve("gemm.properties");
        String old = System.setProperty(GemmTuner.CACHE_PROPERTY, cache.toString());
        try {
            GemmVariant chosen = GemmTuner.choose(device);
            Properties p = GemmTuner.read(cache);
            String entry = p.getProperty(GemmTuner.key(device.description()));
            assertTrue(entry != null && entry.startsWith(chosen.id() + " "), "cached: " + entry);
            for (GemmVariant v : GemmVariant.values()) {
                assertTrue(entry.contains(v.id() + ":"), v.id() + " measured: " + entry);
            }
            // the cache decides from now on: an entry naming the other variant is taken as it is
            GemmVariant other = chosen == GemmVariant.TILE16 ? GemmVariant.REGISTER64 : GemmVariant.TILE16;
            p.setProperty(GemmTuner.key(device.description()), other.id() + " edited");
            GemmTuner.write(cache, p);
            assertEquals(other, GemmTuner.choose(device));
            // a damaged entry is measured again and rewritten
            p.setProperty(GemmTuner.key(device.description()), "nonsense");
            GemmTuner.write(cache, p);
            GemmVariant again = GemmTuner.choose(device);
            assertTrue(GemmTuner.read(cache).getProperty(GemmTuner.key(device.description())).startsWith(again.id() + " "));
            try (Stream<Path> left = Files.list(cache.getParent())) {
                assertEquals(1, left.count(), "no temporary files are left beside the cache");
            }
        } finally {
            restore(GemmTuner.CACHE_PROPERTY, old);
        }
    }

    @Test
    void aForcedVariantIsNotMeasured() {
        String old = System.setProperty(GemmVariant.PROPERTY, "reg64");
        String oldCache = System.setProperty(GemmTuner.CACHE_PROPERTY, "/nonexistent/dir/never-written");
        try {
            assertEquals(GemmVariant.REGISTER64, GemmTuner.choose(device));
            System.setProperty(GemmVariant.PROPERTY, "fast");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmTuner.choose(device));
            assertTrue(e.getMessage().contains("rkflow.tornado.gemm") && e.getMessage().contains("'fast'")
                    && e.getMessage().contains("tile16") && e.getMessage().contains("reg64"), e.getMessage());
        } finally {
            restore(GemmVariant.PROPERTY, old);
            restore(GemmTuner.CACHE_PROPERTY, oldCache);
        }
        assertFalse(Files.exists(Path.of("/nonexistent/dir/never-written")));
    }

    @Test
    void everyVariantIsMeasured() {
        Map<GemmVariant, Double> ms = GemmTuner.measure(device);
        assertEquals(GemmVariant.values().length, ms.size(), "both variants ran: " + ms);
        ms.values().forEach(t -> assertTrue(t > 0 && Double.isFinite(t), "time " + t));
    }

    @Test
    void cudaGraphsAreRefusedWithoutThePtxOrCudaBackend() {
        String backend = device.tornadoDevice().getTornadoVMBackend().toString();
        if (backend.equals("PTX") || backend.equals("CUDA")) {
            assertTrue(device.cudaGraphs(), "on by default on " + backend);
            return;
        }
        assertFalse(device.cudaGraphs(), "off on " + backend);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> device.cudaGraphs(true));
        assertTrue(e.getMessage().contains(backend) && e.getMessage().contains("PTX"), e.getMessage());
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
