package io.rkflow.tornado;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.DeviceProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * Opens TornadoVM devices by id: {@code tornado:<backend>:<device>} with TornadoVM's backend and
 * device indices (as {@code tornado --devices} numbers them), or {@code tornado} for TornadoVM's
 * default device. Nothing falls back: a missing device or a TornadoVM that cannot start is an
 * error that says why and lists the devices there are.
 */
public final class TornadoDeviceProvider implements DeviceProvider {

    /** The id prefix of TornadoVM devices. */
    public static final String PREFIX = "tornado";

    @Override
    public boolean accepts(String id) {
        return id.equals(PREFIX) || id.startsWith(PREFIX + ":");
    }

    @Override
    public List<DeviceInfo> available() {
        try {
            return devices();
        } catch (Throwable e) { // TornadoVM absent or unable to start: it has no devices to offer
            return List.of();
        }
    }

    @Override
    public Device open(String id) {
        int backend = 0;
        int index = 0;
        if (!id.equals(PREFIX)) {
            String[] parts = id.split(":", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException("device id '" + id
                        + "' is malformed: use tornado:<backend>:<device>, e.g. tornado:0:0; " + listing());
            }
            try {
                backend = Integer.parseInt(parts[1]);
                index = Integer.parseInt(parts[2]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device id '" + id
                        + "': backend and device must be numbers, e.g. tornado:0:0; " + listing());
            }
        }
        List<TornadoBackend> backends;
        try {
            backends = TornadoExecutionPlan.getTornadoDeviceMap().getAllBackends();
        } catch (Throwable e) {
            throw new IllegalStateException("device '" + id + "': TornadoVM did not start (" + e
                    + "). Run through the TornadoVM launcher or its JVM flags: `source tornado-env.sh` and"
                    + " `./rkflow ...`, or `tornado -m ...`", e);
        }
        if (backend < 0 || backend >= backends.size()) {
            throw new IllegalArgumentException("device '" + id + "': TornadoVM has no backend " + backend + "; "
                    + listing());
        }
        TornadoBackend b = backends.get(backend);
        if (index < 0 || index >= b.getNumDevices()) {
            throw new IllegalArgumentException("device '" + id + "': backend " + backend + " (" + b.getName()
                    + ") has no device " + index + "; " + listing());
        }
        TornadoDevice d = b.getDevice(index);
        String canonical = PREFIX + ":" + backend + ":" + index;
        return new TornadoVmDevice(canonical, d, describe(b, d));
    }

    private static List<DeviceInfo> devices() {
        List<DeviceInfo> list = new ArrayList<>();
        List<TornadoBackend> backends = TornadoExecutionPlan.getTornadoDeviceMap().getAllBackends();
        for (int i = 0; i < backends.size(); i++) {
            TornadoBackend b = backends.get(i);
            for (int j = 0; j < b.getNumDevices(); j++) {
                list.add(new DeviceInfo(PREFIX + ":" + i + ":" + j, describe(b, b.getDevice(j))));
            }
        }
        return list;
    }

    private static String describe(TornadoBackend b, TornadoDevice d) {
        return "TornadoVM " + b.getName() + ": " + d.getPhysicalDevice().getDeviceName().trim() + " ("
                + d.getDeviceType() + ", " + d.getPlatformName().trim() + ")";
    }

    private static String listing() {
        try {
            List<DeviceInfo> all = devices();
            return all.isEmpty() ? "TornadoVM lists no devices"
                    : "TornadoVM devices: " + all.stream().map(i -> i.id() + " (" + i.description() + ")")
                            .collect(Collectors.joining(", "));
        } catch (Throwable e) {
            return "TornadoVM did not start: " + e;
        }
    }
}
