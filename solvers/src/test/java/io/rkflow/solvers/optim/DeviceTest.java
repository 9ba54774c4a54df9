package io.rkflow.solvers.optim;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.jvm.JvmDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Opens one two-thread JVM device per test class. */
abstract class DeviceTest {

    static Device device;

    @BeforeAll
    static void openDevice() {
        device = new JvmDevice(2);
    }

    @AfterAll
    static void closeDevice() {
        device.close();
    }
}
