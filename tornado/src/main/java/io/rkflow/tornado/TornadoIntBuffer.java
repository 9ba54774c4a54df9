package io.rkflow.tornado;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.IntBuffer;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** An int buffer of the TornadoVM device (labels): an {@link IntArray} and its device copies. */
final class TornadoIntBuffer extends Residency implements IntBuffer {

    private final int length;
    final IntArray data;

    TornadoIntBuffer(TornadoVmDevice device, String name, int length) {
        super(device, name);
        this.length = length;
        this.data = new IntArray(Math.max(1, length));
        data.init(0);
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
    public void write(int offset, int[] src, int srcOffset, int count) {
        TornadoVmDevice.checkTransfer(name, "write", offset, count, length, srcOffset, src.length);
        synchronized (device) {
            device.checkOpen();
            if (count < length) {
                toHost();
            }
            for (int i = 0; i < count; i++) {
                data.set(offset + i, src[srcOffset + i]);
            }
            hostWrote();
        }
    }

    @Override
    public void read(int offset, int[] dst, int dstOffset, int count) {
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
        return "IntBuffer[" + name + ", " + length + " on " + device.id() + "]";
    }
}
