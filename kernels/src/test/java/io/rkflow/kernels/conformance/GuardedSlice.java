package io.rkflow.kernels.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import java.util.Arrays;

/**
 * A slice at a random non-zero offset inside a larger device buffer, with random guard elements
 * before and after it and a host copy of everything written. Kernels are handed the slice;
 * {@link #readChecked} then proves they wrote nothing outside it.
 */
final class GuardedSlice {

    /** Guards are 1..MAX_GUARD elements on each side, so offsets vary in alignment too. */
    private static final int MAX_GUARD = 7;
    private static final Dist GUARD_VALUES = Dist.uniform(-1, 1);

    private final FloatBuffer buffer;
    private final FloatSlice slice;
    private final float[] written;

    private GuardedSlice(Device device, String name, Case c, float[] contents) {
        int head = 1 + c.random.nextInt(MAX_GUARD);
        int tail = 1 + c.random.nextInt(MAX_GUARD);
        written = new float[head + contents.length + tail];
        for (int i = 0; i < written.length; i++) {
            written[i] = c.next(GUARD_VALUES);
        }
        System.arraycopy(contents, 0, written, head, contents.length);
        buffer = device.allocFloat(name, written.length);
        buffer.write(written);
        slice = buffer.slice(head, contents.length);
    }

    /** An input (or read-write operand) of {@code n} elements drawn from {@code dist}. */
    static GuardedSlice input(Device device, String name, int n, Case c, Dist dist) {
        float[] contents = new float[n];
        for (int i = 0; i < n; i++) {
            contents[i] = c.next(dist);
        }
        return new GuardedSlice(device, name, c, contents);
    }

    /** An input holding exactly {@code values}: per-run scalars, planted special values. */
    static GuardedSlice of(Device device, String name, Case c, float... values) {
        return new GuardedSlice(device, name, c, values.clone());
    }

    /** An output of {@code n} elements, poisoned with NaN so that every element must be written. */
    static GuardedSlice output(Device device, String name, int n, Case c) {
        float[] poison = new float[n];
        Arrays.fill(poison, Float.NaN);
        return new GuardedSlice(device, name, c, poison);
    }

    FloatSlice slice() {
        return slice;
    }

    /** Element {@code i} of the slice as a one-element slice (a per-run scalar argument). */
    FloatSlice element(int i) {
        return slice.sub(i, 1);
    }

    /** The values written into the slice. */
    float[] values() {
        return Arrays.copyOfRange(written, slice.offset(), slice.offset() + slice.length());
    }

    /** The value written at element {@code i} of the slice. */
    float value(int i) {
        return written[slice.offset() + i];
    }

    /**
     * Reads the slice back after asserting that every element of the buffer outside it still
     * holds, bit for bit, what was written.
     */
    float[] readChecked(Object context) {
        float[] all = buffer.read();
        int from = slice.offset();
        int to = from + slice.length();
        for (int i = 0; i < all.length; i++) {
            if ((i < from || i >= to) && Float.floatToRawIntBits(all[i]) != Float.floatToRawIntBits(written[i])) {
                fail(context + ": element " + i + " of buffer '" + buffer.name() + "', outside the slice " + slice
                        + ", was overwritten: " + written[i] + " became " + all[i]);
            }
        }
        return Arrays.copyOfRange(all, from, to);
    }
}
