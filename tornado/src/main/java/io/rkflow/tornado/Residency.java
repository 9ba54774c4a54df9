package io.rkflow.tornado;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.DeviceChecks;

/**
 * A buffer of the TornadoVM device: a TornadoVM off-heap array that is the host copy and the
 * tasks' argument, and where its newest contents are. TornadoVM gives every execution plan its own
 * device copy of an array; several rkflow plans (a training step, an evaluation, Krylov
 * iterations) share buffers. So each buffer counts its versions: a host write or a plan that
 * writes the buffer makes a new one, held by the host or by that plan's device copy. A plan
 * uploads a buffer only when its device copy is older than the newest version, and the host
 * downloads one only when it reads (or partly writes) a buffer whose newest version is on a
 * device. In a training loop nothing moves but the batch and a few scalars.
 *
 * <p>Host transfers run under the device's lock, so they wait for a running plan.
 */
abstract class Residency {

    final TornadoVmDevice device;
    final String name;
    final int length;
    /** The newest version of the contents. */
    long version;
    /** The version the host array holds. */
    long hostVersion;
    /** The plan whose device copy holds {@link #version} when the host's is older. */
    TornadoVmPlan holder;

    Residency(TornadoVmDevice device, String name, int length) {
        this.device = device;
        this.name = name;
        this.length = length;
    }

    /** The TornadoVM array (FloatArray or IntArray) that is the host copy and the tasks' argument. */
    abstract Object array();

    /** Copies {@code count} elements of the Java array {@code src} from {@code srcOffset} to the array at {@code offset}. */
    abstract void copyIn(Object src, int srcOffset, int offset, int count);

    /** Copies {@code count} elements of the array from {@code offset} to the Java array {@code dst} at {@code dstOffset}. */
    abstract void copyOut(int offset, Object dst, int dstOffset, int count);

    public Device device() {
        return device;
    }

    public String name() {
        return name;
    }

    public int length() {
        return length;
    }

    /** Copies {@code count} elements of {@code src} (a Java array) from {@code srcOffset} to {@code offset}. */
    final void hostWrite(Object src, int srcOffset, int srcLength, int offset, int count) {
        DeviceChecks.transfer(name, "write", offset, count, length, srcOffset, srcLength);
        synchronized (device) {
            device.checkOpen();
            if (count < length) {
                toHost(); // the rest of the buffer must be the newest contents
            }
            copyIn(src, srcOffset, offset, count);
            version++;
            hostVersion = version;
            holder = null;
        }
    }

    /** Copies {@code count} elements from {@code offset} to {@code dst} (a Java array) at {@code dstOffset}. */
    final void hostRead(int offset, Object dst, int dstOffset, int dstLength, int count) {
        DeviceChecks.transfer(name, "read", offset, count, length, dstOffset, dstLength);
        synchronized (device) {
            device.checkOpen();
            toHost();
            copyOut(offset, dst, dstOffset, count);
        }
    }

    /** Brings the newest version to the host array, downloading it from the plan that holds it. */
    final void toHost() {
        if (hostVersion != version) {
            holder.download(this);
            hostVersion = version;
        }
    }
}
