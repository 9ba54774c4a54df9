package io.rkflow.tornado;

import io.rkflow.kernels.IntBuffer;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** An int buffer of the TornadoVM device (labels): an {@link IntArray} and its device copies. */
final class TornadoIntBuffer extends Residency implements IntBuffer {

    final IntArray data;

    TornadoIntBuffer(TornadoVmDevice device, String name, int length) {
        super(device, name, length);
        this.data = new IntArray(Math.max(1, length));
        data.init(0);
    }

    @Override
    Object array() {
        return data;
    }

    @Override
    void copyIn(Object src, int srcOffset, int offset, int count) {
        int[] from = (int[]) src;
        for (int i = 0; i < count; i++) {
            data.set(offset + i, from[srcOffset + i]);
        }
    }

    @Override
    void copyOut(int offset, Object dst, int dstOffset, int count) {
        int[] to = (int[]) dst;
        for (int i = 0; i < count; i++) {
            to[dstOffset + i] = data.get(offset + i);
        }
    }

    @Override
    public void write(int offset, int[] src, int srcOffset, int count) {
        hostWrite(src, srcOffset, src.length, offset, count);
    }

    @Override
    public void read(int offset, int[] dst, int dstOffset, int count) {
        hostRead(offset, dst, dstOffset, dst.length, count);
    }

    @Override
    public String toString() {
        return "IntBuffer[" + name + ", " + length + " on " + device.id() + "]";
    }
}
