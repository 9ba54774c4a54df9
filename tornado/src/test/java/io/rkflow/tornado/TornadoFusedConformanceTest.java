package io.rkflow.tornado;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.kernels.conformance.FusedConformanceTest;

/** The fused kernels' conformance suite on the TornadoVM device of {@link TornadoDeviceConformanceTest}. */
class TornadoFusedConformanceTest extends FusedConformanceTest {

    @Override
    protected Device openDevice() {
        return Devices.open(TornadoDeviceConformanceTest.deviceId());
    }
}
