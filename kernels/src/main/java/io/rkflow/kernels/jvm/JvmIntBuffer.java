package io.rkflow.kernels.jvm;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.DeviceChecks;
import io.rkflow.kernels.IntBuffer;

/** An int buffer of the JVM device. */
final class JvmIntBuffer implements IntBuffer {

    private final JvmDevice device;
    private final String name;
    final int[] data;

    JvmIntBuffer(JvmDevice device, String name, int length) {
        this.device = device;
        this.name = name;
        this.data = new int[length];
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
    public void write(int offset, int[] src, int srcOffset, int count) {
        DeviceChecks.transfer(name, "write", offset, count, data.length, srcOffset, src.length);
        System.arraycopy(src, srcOffset, data, offset, count);
    }

    @Override
    public void read(int offset, int[] dst, int dstOffset, int count) {
        DeviceChecks.transfer(name, "read", offset, count, data.length, dstOffset, dst.length);
        System.arraycopy(data, offset, dst, dstOffset, count);
    }

    @Override
    public String toString() {
        return "IntBuffer[" + name + ", " + data.length + " on jvm]";
    }
}
