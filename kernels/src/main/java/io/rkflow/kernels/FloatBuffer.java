package io.rkflow.kernels;

/**
 * A fixed-length float array resident on a device. The host sees its contents only through
 * explicit {@link #write} and {@link #read} calls.
 */
public interface FloatBuffer {

    /** The device this buffer lives on. */
    Device device();

    /** The name given at allocation, used in error messages. */
    String name();

    /** The number of elements. */
    int length();

    /** Copies {@code count} host floats from {@code src[srcOffset..]} to this buffer at {@code offset}. */
    void write(int offset, float[] src, int srcOffset, int count);

    /** Copies {@code count} floats of this buffer at {@code offset} to {@code dst[dstOffset..]}. */
    void read(int offset, float[] dst, int dstOffset, int count);

    /** Writes the whole buffer from {@code src}, whose length must equal this buffer's. */
    default void write(float[] src) {
        Check.sameLength(name(), "write", src.length, length());
        write(0, src, 0, src.length);
    }

    /** Reads the whole buffer into a new host array. */
    default float[] read() {
        float[] dst = new float[length()];
        read(0, dst, 0, dst.length);
        return dst;
    }

    /** Reads the element at {@code index}; a convenience for scalars in small buffers. */
    default float get(int index) {
        float[] one = new float[1];
        read(index, one, 0, 1);
        return one[0];
    }

    /** Writes the element at {@code index}; a convenience for scalars in small buffers. */
    default void set(int index, float value) {
        write(index, new float[] {value}, 0, 1);
    }

    /** The whole buffer as a slice. */
    default FloatSlice all() {
        return new FloatSlice(this, 0, length());
    }

    /** The elements {@code [offset, offset + length)} as a slice, checked against this buffer. */
    default FloatSlice slice(int offset, int length) {
        Check.range(name(), offset, length, length());
        return new FloatSlice(this, offset, length);
    }

    /** The single element at {@code index}, as a one-element slice (a per-run scalar). */
    default FloatSlice at(int index) {
        return slice(index, 1);
    }
}
