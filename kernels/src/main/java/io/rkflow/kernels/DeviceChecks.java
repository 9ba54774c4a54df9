package io.rkflow.kernels;

/**
 * Argument checks every {@link Device} implementation makes the same way, so that the JVM device
 * and the others reject bad allocations and transfers with the same messages.
 */
public final class DeviceChecks {

    private DeviceChecks() {}

    /** An allocation needs a name (errors show it) and a length of zero or more. */
    public static void alloc(String name, int length) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("alloc: buffer name is empty");
        }
        if (length < 0) {
            throw new IllegalArgumentException("alloc: buffer '" + name + "' length " + length + " is negative");
        }
    }

    /**
     * A host {@code op} ("write" or "read") of {@code count} elements at {@code offset} of a buffer of
     * {@code length}, from or to a host array of {@code hostLength} at {@code hostOffset}.
     */
    public static void transfer(String buffer, String op, int offset, int count, int length, int hostOffset,
            int hostLength) {
        if (offset < 0 || count < 0 || (long) offset + count > length) {
            throw new IllegalArgumentException(op + " of buffer '" + buffer + "': range [" + offset + ", "
                    + ((long) offset + count) + ") is out of bounds [0, " + length + ")");
        }
        if (hostOffset < 0 || (long) hostOffset + count > hostLength) {
            throw new IllegalArgumentException(op + " of buffer '" + buffer + "': host array range [" + hostOffset
                    + ", " + ((long) hostOffset + count) + ") is out of bounds [0, " + hostLength + ")");
        }
    }
}
