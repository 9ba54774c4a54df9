package io.rkflow.tornado;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.kernels.conformance.DeviceConformanceTest;

/**
 * The conformance kit on a TornadoVM device: {@code tornado:0:0} unless the system property
 * {@code rkflow.tornado.device} names another. The build runs it with bailout to Java off, so a
 * kernel TornadoVM cannot compile fails instead of quietly running as Java.
 */
class TornadoDeviceConformanceTest extends DeviceConformanceTest {

    static String deviceId() {
        return System.getProperty("rkflow.tornado.device", "tornado:0:0");
    }

    @Override
    protected Device openDevice() {
        return Devices.open(deviceId());
    }

    /**
     * True unless the system property {@code rkflow.tornado.subnormals} is {@code false}: PoCL (the
     * CPU OpenCL device the build is tested on) reads, sums and writes subnormal floats as they are,
     * so the norm of subnormals is exact there. A device that flushes them to zero fails
     * normOfSubnormals with 0; test it with {@code -Drkflow.tornado.subnormals=false}.
     */
    @Override
    protected boolean keepsSubnormals() {
        return !"false".equalsIgnoreCase(System.getProperty("rkflow.tornado.subnormals", "true"));
    }
}
