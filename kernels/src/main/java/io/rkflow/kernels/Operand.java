package io.rkflow.kernels;

/**
 * A buffer region a {@link Task} touches: an argument name, the buffer ({@link FloatBuffer} or
 * {@link IntBuffer}), the range, and whether the task reads it, writes it, or both. Devices use it
 * to decide what to keep resident and what to transfer; graphs use it to check ownership and
 * aliasing.
 */
public record Operand(String name, Object buffer, int offset, int length, Access access) {

    /** How a task touches an operand. */
    public enum Access {
        READ, WRITE, READ_WRITE;

        public boolean reads() {
            return this != WRITE;
        }

        public boolean writes() {
            return this != READ;
        }
    }

    static Operand read(String name, FloatSlice s) {
        return new Operand(name, s.buffer(), s.offset(), s.length(), Access.READ);
    }

    static Operand read(String name, IntSlice s) {
        return new Operand(name, s.buffer(), s.offset(), s.length(), Access.READ);
    }

    static Operand write(String name, FloatSlice s) {
        return new Operand(name, s.buffer(), s.offset(), s.length(), Access.WRITE);
    }

    static Operand readWrite(String name, FloatSlice s) {
        return new Operand(name, s.buffer(), s.offset(), s.length(), Access.READ_WRITE);
    }

    /** The device that owns the buffer. */
    public Device device() {
        return buffer instanceof FloatBuffer f ? f.device() : ((IntBuffer) buffer).device();
    }

    /** The buffer's name, for messages. */
    public String bufferName() {
        return buffer instanceof FloatBuffer f ? f.name() : ((IntBuffer) buffer).name();
    }

    /** The buffer's length. */
    public int bufferLength() {
        return buffer instanceof FloatBuffer f ? f.length() : ((IntBuffer) buffer).length();
    }

    boolean overlaps(Operand o) {
        return buffer == o.buffer && length > 0 && o.length > 0
                && offset < (long) o.offset + o.length && o.offset < (long) offset + length;
    }

    boolean sameRegion(Operand o) {
        return buffer == o.buffer && offset == o.offset && length == o.length;
    }
}
