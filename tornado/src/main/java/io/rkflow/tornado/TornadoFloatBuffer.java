package io.rkflow.tornado;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** A float buffer of the TornadoVM device: a {@link FloatArray} (off-heap) and its device copies. */
final class TornadoFloatBuffer extends Residency implements FloatBuffer {

    private final int length;
    final FloatArray data;

    TornadoFloatBuffer(TornadoVmDevice device, String name, int length) {
        super(device, name);
        this.length = length;
        this.data = new FloatArray(Math.max(1, length)); // TornadoVM arrays cannot be empty
        data.init(0f);
    }

    @Override
    Object array() {
        return data;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public void write(int offset, float[] src, int srcOffset, int count) {
        TornadoVmDevice.checkTransfer(name, "write", offset, count, length, srcOffset, src.length);
        synchronized (device) {
            device.checkOpen();
            if (count < length) {
                toHost(); // the rest of the buffer must be the newest contents
            }
            for (int i = 0; i < count; i++) {
                data.set(offset + i, src[srcOffset + i]);
            }
            hostWrote();
        }
    }

    @Override
    public void read(int offset, float[] dst, int dstOffset, int count) {
        TornadoVmDevice.checkTransfer(name, "read", offset, count, length, dstOffset, dst.length);
        synchronized (device) {
            device.checkOpen();
            toHost();
            for (int i = 0; i < count; i++) {
                dst[dstOffset + i] = data.get(offset + i);
            }
        }
    }

    @Override
    public String toString() {
        return "FloatBuffer[" + name + ", " + length + " on " + device.id() + "]";
    }
}
