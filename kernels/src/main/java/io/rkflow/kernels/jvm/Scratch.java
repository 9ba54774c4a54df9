package io.rkflow.kernels.jvm;

import java.util.ArrayList;
import java.util.List;

/**
 * Working memory shared by the kernels of one device. A device runs one kernel at a time, so
 * kernels that need scratch (GEMM's packed operands) can share it instead of each holding its own:
 * a plan's memory is then its buffers plus the largest scratch of any one kernel. Slots are
 * reserved, and grown, when plans are compiled; a kernel fetches its arrays when it runs, so it
 * sees a slot grown by a later compilation and nothing is allocated while plans execute.
 */
final class Scratch {

    private final List<float[]> slots = new ArrayList<>();

    /** Makes slot {@code slot} hold at least {@code size} floats. */
    synchronized void reserve(int slot, int size) {
        while (slots.size() <= slot) {
            slots.add(new float[0]);
        }
        if (slots.get(slot).length < size) {
            slots.set(slot, new float[size]);
        }
    }

    /** The array of a reserved slot. */
    synchronized float[] get(int slot) {
        return slots.get(slot);
    }
}
