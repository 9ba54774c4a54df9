package io.rkflow.kernels;

import java.util.List;

/**
 * Service-provider interface through which {@link Devices} finds device implementations with
 * {@link java.util.ServiceLoader}. A provider lists the ids it can open and opens them.
 */
public interface DeviceProvider {

    /** The ids of the devices this provider can open on this machine, with a description each. */
    List<DeviceInfo> available();

    /** Whether {@code id} belongs to this provider (its prefix), whether or not it is available. */
    boolean accepts(String id);

    /**
     * Opens the device {@code id}. Throws {@link IllegalArgumentException} when the id is
     * malformed or names a device this machine lacks, saying which devices it has.
     */
    Device open(String id);

    /** An id and its one-line description. */
    record DeviceInfo(String id, String description) {}
}
