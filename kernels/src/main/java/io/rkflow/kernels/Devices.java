package io.rkflow.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** Finds and opens devices by id through {@link DeviceProvider}s on the class or module path. */
public final class Devices {

    /** The id of the embedded default: the pure-Java device. */
    public static final String DEFAULT_ID = "jvm";

    private Devices() {}

    /** Opens the default device ({@value #DEFAULT_ID}). */
    public static Device openDefault() {
        return open(DEFAULT_ID);
    }

    /**
     * Opens the device with the given id.
     *
     * @throws IllegalArgumentException if no provider accepts the id; the message lists the
     *     devices available
     */
    public static Device open(String id) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("device id is empty; available devices: " + describeAvailable());
        }
        for (DeviceProvider provider : providers()) {
            if (provider.accepts(id)) {
                return provider.open(id);
            }
        }
        boolean tornado = available().stream().anyMatch(d -> d.id().startsWith("tornado"));
        String hint = tornado ? ""
                : " (GPUs and other OpenCL or CUDA devices are TornadoVM devices, tornado:<backend>:<device>;"
                        + " they are listed once a TornadoVM SDK is set up: `source tornado-env.sh <SDK folder>`,"
                        + " then ./rkflow; see the README)";
        throw new IllegalArgumentException("unknown device '" + id + "'; available devices: " + describeAvailable()
                + hint);
    }

    /** Every device the providers on this machine can open. */
    public static List<DeviceProvider.DeviceInfo> available() {
        List<DeviceProvider.DeviceInfo> all = new ArrayList<>();
        for (DeviceProvider provider : providers()) {
            all.addAll(provider.available());
        }
        return all;
    }

    private static String describeAvailable() {
        List<DeviceProvider.DeviceInfo> all = available();
        return all.isEmpty()
                ? "(none: no DeviceProvider on the class path)"
                : all.stream().map(d -> d.id() + " (" + d.description() + ")").collect(Collectors.joining(", "));
    }

    private static List<DeviceProvider> providers() {
        List<DeviceProvider> list = new ArrayList<>();
        ServiceLoader.load(DeviceProvider.class, Devices.class.getClassLoader()).forEach(list::add);
        return list;
    }
}
