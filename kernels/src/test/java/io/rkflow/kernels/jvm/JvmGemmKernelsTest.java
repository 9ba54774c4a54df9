package io.rkflow.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.kernels.GemmForm;
import io.rkflow.kernels.conformance.DeviceConformanceTest;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance kit's GEMM cases with every {@link GemmKernel} forced, so that each micro-tile
 * and the thin path run on every shape, whatever the machine picks ({@code AUTO} is what
 * {@link JvmDeviceConformanceTest} runs).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JvmGemmKernelsTest {

    private final Map<GemmKernel, JvmDevice> devices = new EnumMap<>(GemmKernel.class);

    /**
     * (m, n, k) beyond the kit's shapes for the JVM device's blocking: one column strip and
     * chunks of 192 rows, which pack their rows of A in blocks of 160 (k-blocks of 200), the last
     * block partial and ending in a partial tile.
     */
    private static final int[][] BLOCKING_SHAPES = {{1500, 40, 600}};

    static Stream<Arguments> cases() {
        List<Arguments> blocking = Stream.of(GemmForm.values()).flatMap(form -> Stream.of(false, true).flatMap(
                acc -> Stream.of(BLOCKING_SHAPES).map(s -> Arguments.of(form, s[0], s[1], s[2], acc)))).toList();
        return Stream.of(GemmKernel.values()).filter(kernel -> kernel != GemmKernel.AUTO)
                .flatMap(kernel -> Stream.concat(DeviceConformanceTest.gemmCases(), blocking.stream()).map(c -> {
                    Object[] rest = c.get();
                    Object[] all = new Object[rest.length + 1];
                    all[0] = kernel;
                    System.arraycopy(rest, 0, all, 1, rest.length);
                    return Arguments.of(all);
                }));
    }

    @ParameterizedTest(name = "{0} {1} m={2} n={3} k={4} accumulate={5}")
    @MethodSource("cases")
    void gemm(GemmKernel kernel, GemmForm form, int m, int n, int k, boolean accumulate) {
        JvmDevice device = devices.computeIfAbsent(kernel, choice -> new JvmDevice(2, choice));
        DeviceConformanceTest.checkGemm(device, form, m, n, k, accumulate);
    }

    @Test
    void theSystemPropertyNamesAChoiceAndAnUnknownNameListsThemAll() {
        for (GemmKernel kernel : GemmKernel.values()) {
            assertSame(kernel, GemmKernel.parse(kernel.id()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmKernel.parse("9x9"));
        assertTrue(e.getMessage().contains(GemmKernel.PROPERTY) && e.getMessage().contains("'9x9'"), e.getMessage());
        for (GemmKernel kernel : GemmKernel.values()) {
            assertTrue(e.getMessage().contains(kernel.id()), e.getMessage());
        }
    }

    @Test
    void theMachinesTileFitsItsRegisters() {
        GemmKernel tile = GemmKernel.forMachine();
        assertEquals(FloatVector.SPECIES_PREFERRED.vectorBitSize() == 512 ? 32 : 16, GemmKernel.vectorRegisters());
        // accumulators, a row of B, and the three broadcasts of A that C2 keeps in flight
        assertTrue(tile.rows * tile.vectors + tile.vectors + 3 <= GemmKernel.vectorRegisters(), tile.id());
        assertSame(tile, GemmKernel.AUTO.tile());
        try (JvmDevice device = new JvmDevice(1, GemmKernel.K6X2)) {
            assertTrue(device.description().contains("6x2"), device.description());
        }
    }

    @AfterAll
    void closeDevices() {
        devices.values().forEach(JvmDevice::close);
    }
}
