package io.rkflow.kernels.jvm;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.DeviceProvider;
import java.util.List;

/**
 * Opens the JVM device: {@code jvm} with the default thread count (system property
 * {@code rkflow.threads}, else the available processors), or {@code jvm:N} with N threads, at most
 * the available processors.
 */
public final class JvmDeviceProvider implements DeviceProvider {

    @Override
    public List<DeviceInfo> available() {
        return List.of(new DeviceInfo("jvm", JvmDevice.describe(JvmDevice.defaultThreads(), GemmKernel.configured())));
    }

    @Override
    public boolean accepts(String id) {
        return id.equals("jvm") || id.startsWith("jvm:");
    }

    @Override
    public Device open(String id) {
        if (id.equals("jvm")) {
            return new JvmDevice(JvmDevice.defaultThreads());
        }
        String count = id.substring("jvm:".length());
        int threads;
        try {
            threads = Integer.parseInt(count);
        } catch (NumberFormatException e) {
            threads = 0;
        }
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("device '" + id + "': '" + count
                    + "' is not a thread count; use jvm or jvm:N with N in [1, 1024]");
        }
        int processors = Runtime.getRuntime().availableProcessors();
        if (threads > processors) {
            // the workers spin between kernels: more threads than processors would take turns, slowly
            throw new IllegalArgumentException("device '" + id + "': " + threads + " threads, but this machine has "
                    + processors + " processor" + (processors == 1 ? "" : "s") + "; use jvm (all " + processors
                    + ") or jvm:N with N ≤ " + processors);
        }
        return new JvmDevice(threads);
    }
}
