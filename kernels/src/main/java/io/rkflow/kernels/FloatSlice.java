package io.rkflow.kernels;

import java.util.Objects;

/**
 * The elements {@code [offset, offset + length)} of a float buffer: how kernels address part of
 * a flat buffer, so one buffer can hold every parameter of a model. The range is checked against
 * the buffer when a kernel is recorded, so that the error names the kernel and the argument.
 */
public record FloatSlice(FloatBuffer buffer, int offset, int length) {

    public FloatSlice {
        Objects.requireNonNull(buffer, "buffer");
    }

    /** The slice {@code [offset + from, offset + from + length)} of the same buffer. */
    public FloatSlice sub(int from, int length) {
        Check.range(buffer.name() + "[" + offset + "+" + this.length + "]", from, length, this.length);
        return new FloatSlice(buffer, offset + from, length);
    }

    @Override
    public String toString() {
        return buffer.name() + "[" + offset + ", " + (offset + (long) length) + ")";
    }
}
