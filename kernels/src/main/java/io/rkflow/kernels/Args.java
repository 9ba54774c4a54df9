package io.rkflow.kernels;

/** Checks of a kernel's arguments; each error names the kernel and the argument. */
final class Args {

    private final String kernel;

    Args(String kernel) {
        this.kernel = kernel;
    }

    IllegalArgumentException error(String argument, String problem) {
        return new IllegalArgumentException(kernel + ": argument '" + argument + "' " + problem);
    }

    void nonNegative(String argument, long value) {
        if (value < 0) {
            throw error(argument, "is " + value + ", must not be negative");
        }
    }

    void positive(String argument, long value) {
        if (value <= 0) {
            throw error(argument, "is " + value + ", must be at least 1");
        }
    }

    void scalar(String argument, FloatSlice s) {
        if (s.length() != 1) {
            throw error(argument, "has length " + s.length() + ", must be a one-element slice (a per-run scalar)");
        }
    }

    void equal(String argument, int length, String other, int otherLength) {
        if (length != otherLength) {
            throw error(argument, "has length " + length + " but '" + other + "' has length " + otherLength);
        }
    }

    void exactly(String argument, int length, long expected, String what) {
        if (length != expected) {
            throw error(argument, "has length " + length + ", expected " + expected + " (" + what + ")");
        }
    }

    void atLeast(String argument, int length, long minimum, String what) {
        if (length < minimum) {
            throw error(argument, "has length " + length + ", needs at least " + minimum + " (" + what + ")");
        }
    }
}
