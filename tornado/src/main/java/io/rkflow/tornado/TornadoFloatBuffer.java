package io.rkflow.tornado;

import io.rkflow.kernels.FloatBuffer;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** A float buffer of the TornadoVM device: a {@link FloatArray} (off-heap) and its device copies. */
final class TornadoFloatBuffer extends Residency implements FloatBuffer {

    final FloatArray data;

    TornadoFloatBuffer(TornadoVmDevice device, String name, int length) {
        super(device, name, length);
        this.data = new FloatArray(Math.max(1, length)); // TornadoVM arrays cannot be empty
        data.init(0f);
    }

    @Override
    Object array() {
        return data;
    }

    @Override
    void copyIn(Object src, int srcOffset, int offset, int count) {
        float[] from = (float[]) src;
        for (int i = 0; i < count; i++) {
            data.set(offset + i, from[srcOffset + i]);
        }
    }

    @Override
    void copyOut(int offset, Object dst, int dstOffset, int count) {
        float[] to = (float[]) dst;
        for (int i = 0; i < count; i++) {
            to[dstOffset + i] = data.get(offset + i);
        }
    }

    @Override
    public void write(int offset, float[] src, int srcOffset, int count) {
        hostWrite(src, srcOffset, src.length, offset, count);
    }

    @Override
    public void read(int offset, float[] dst, int dstOffset, int count) {
        hostRead(offset, dst, dstOffset, dst.length, count);
    }

    @Override
    public String toString() {
        return "FloatBuffer[" + name + ", " + length + " on " + device.id() + "]";
    }
}
