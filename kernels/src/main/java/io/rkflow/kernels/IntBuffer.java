package io.rkflow.kernels;

/** A fixed-length int array resident on a device (class labels); see {@link FloatBuffer}. */
public interface IntBuffer {

    Device device();

    String name();

    int length();

    void write(int offset, int[] src, int srcOffset, int count);

    void read(int offset, int[] dst, int dstOffset, int count);

    default void write(int[] src) {
        Check.sameLength(name(), "write", src.length, length());
        write(0, src, 0, src.length);
    }

    default int[] read() {
        int[] dst = new int[length()];
        read(0, dst, 0, dst.length);
        return dst;
    }

    default IntSlice all() {
        return new IntSlice(this, 0, length());
    }

    default IntSlice slice(int offset, int length) {
        Check.range(name(), offset, length, length());
        return new IntSlice(this, offset, length);
    }
}
