package io.rkflow.kernels;

/** Argument checks shared by buffers and graphs; every message names the owner and the value. */
final class Check {

    private Check() {}

    static void range(String owner, int offset, int length, int capacity) {
        if (offset < 0 || length < 0 || (long) offset + length > capacity) {
            throw new IllegalArgumentException(owner + ": range [" + offset + ", " + ((long) offset + length)
                    + ") is out of bounds [0, " + capacity + ")");
        }
    }

    static void sameLength(String owner, String what, int got, int expected) {
        if (got != expected) {
            throw new IllegalArgumentException(owner + ": " + what + " of " + got + " elements, expected " + expected);
        }
    }
}
