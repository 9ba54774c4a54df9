package io.rkflow.kernels.jvm;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.DeviceChecks;
import io.rkflow.kernels.FloatBuffer;

/** A float buffer of the JVM device: a Java array the kernels read and write directly. */
final class JvmFloatBuffer implements FloatBuffer {

    private final JvmDevice device;
    private final String name;
    final float[] data;

    JvmFloatBuffer(JvmDevice device, String name, int length) {
        this.device = device;
        this.name = name;
        this.data = new float[length];
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
        return data.length;
    }

    @Override
    public void write(int offset, float[] src, int srcOffset, int count) {
        DeviceChecks.transfer(name, "write", offset, count, data.length, srcOffset, src.length);
        System.arraycopy(src, srcOffset, data, offset, count);
    }

    @Override
    public void read(int offset, float[] dst, int dstOffset, int count) {
        DeviceChecks.transfer(name, "read", offset, count, data.length, dstOffset, dst.length);
        System.arraycopy(data, offset, dst, dstOffset, count);
    }

    @Override
    public String toString() {
        return "FloatBuffer[" + name + ", " + data.length + " on jvm]";
    }
}
