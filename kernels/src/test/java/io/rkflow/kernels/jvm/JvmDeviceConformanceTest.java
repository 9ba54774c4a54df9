package io.rkflow.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.kernels.conformance.DeviceConformanceTest;
import org.junit.jupiter.api.Test;

/** The conformance kit on the JVM device with two worker threads (so kernels really split). */
class JvmDeviceConformanceTest extends DeviceConformanceTest {

    @Override
    protected Device openDevice() {
        return new JvmDevice(2);
    }

    /** Java float arithmetic has no flush-to-zero. */
    @Override
    protected boolean keepsSubnormals() {
        return true;
    }

    @Test
    void theDefaultDeviceIsTheJvmDevice() {
        try (Device d = Devices.open("jvm")) {
            assertEquals("jvm", d.id());
            assertEquals(JvmDevice.class, d.getClass());
        }
        try (Device d = Devices.openDefault()) {
            assertEquals("jvm", d.id());
        }
    }
}
