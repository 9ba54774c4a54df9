package io.rkflow.kernels;

import java.util.Objects;

/** The elements {@code [offset, offset + length)} of an int buffer; see {@link FloatSlice}. */
public record IntSlice(IntBuffer buffer, int offset, int length) {

    public IntSlice {
        Objects.requireNonNull(buffer, "buffer");
    }

    @Override
    public String toString() {
        return buffer.name() + "[" + offset + ", " + (offset + (long) length) + ")";
    }
}
