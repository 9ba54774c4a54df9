package io.rkflow.solvers.problems;

import io.rkflow.kernels.Device;
import io.rkflow.solvers.field.Objective;

/** A fixed (full-batch) test objective of n parameters on a device. */
abstract class TestProblem implements Objective {

    private final Device device;
    private final int dimension;

    TestProblem(Device device, int dimension) {
        this.device = device;
        this.dimension = dimension;
    }

    @Override
    public final Device device() {
        return device;
    }

    @Override
    public final boolean fixed() {
        return true;
    }

    @Override
    public final int dimension() {
        return dimension;
    }
}
