package io.rkflow.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Device ids {@code jvm} and {@code jvm:N}: a thread count that is not one, or more threads than processors, is refused by name. */
class JvmDeviceIdTest {

    private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

    @Test
    void jvmOneAndJvmAllProcessorsOpen() {
        try (Device d = Devices.open("jvm:1")) {
            assertEquals(1, ((JvmDevice) d).threads());
        }
        try (Device d = Devices.open("jvm:" + PROCESSORS)) {
            assertEquals(PROCESSORS, ((JvmDevice) d).threads());
        }
    }

    @Test
    void moreThreadsThanProcessorsIsRefused() {
        String id = "jvm:" + (PROCESSORS + 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.open(id));
        assertTrue(e.getMessage().contains("'" + id + "'") && e.getMessage().contains(PROCESSORS + " processor")
                && e.getMessage().contains("N ≤ " + PROCESSORS), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jvm:0", "jvm:-2", "jvm:x", "jvm:", "jvm:99999"})
    void aThreadCountThatIsNotOneIsRefused(String id) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.open(id));
        assertTrue(e.getMessage().contains("'" + id + "'"), e.getMessage());
    }

    @Test
    void anUnknownDeviceSaysHowGpusAppear() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.open("gpu"));
        assertTrue(e.getMessage().contains("unknown device 'gpu'") && e.getMessage().contains("jvm (")
                && e.getMessage().contains("tornado:<backend>:<device>") && e.getMessage().contains("tornado-env.sh"),
                e.getMessage());
    }
}
