package io.rkflow.tornado;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.kernels.conformance.FusedConformanceTest;

/**
 * The fused kernels' conformance suite with the register-tiled GEMM ({@link GemmVariant#REGISTER64})
 * forced: its epilogues (bias and activation, activation backward) on every fused shape.
 */
class TornadoRegisterGemmFusedConformanceTest extends FusedConformanceTest {

    @Override
    protected Device openDevice() {
        TornadoVmDevice d = (TornadoVmDevice) Devices.open(TornadoDeviceConformanceTest.deviceId());
        d.gemmVariant(GemmVariant.REGISTER64);
        return d;
    }
}
