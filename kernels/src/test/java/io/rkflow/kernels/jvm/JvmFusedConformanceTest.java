package io.rkflow.kernels.jvm;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.conformance.FusedConformanceTest;

/** The fused kernels' conformance suite on the JVM device with two worker threads. */
class JvmFusedConformanceTest extends FusedConformanceTest {

    @Override
    protected Device openDevice() {
        return new JvmDevice(2);
    }
}
