package io.rkflow.kernels.conformance;

import static org.junit.jupiter.api.Assertions.fail;

/** Element-by-element comparisons against a {@link Reference.Expected}, reporting the first failure. */
final class Approx {

    private Approx() {}

    /** Asserts {@code |got[i] − value[i]| ≤ tolerance · scale[i] + ABSOLUTE_FLOOR} for every i. */
    static void assertClose(Object context, String output, Reference.Expected expected, float[] got,
            double tolerance) {
        if (got.length != expected.value().length) {
            fail(context + ": " + output + " has " + got.length + " elements, expected " + expected.value().length);
        }
        int first = -1;
        int failures = 0;
        for (int i = 0; i < got.length; i++) {
            double err = Math.abs(got[i] - expected.value()[i]);
            if (!(err <= bound(expected, i, tolerance))) { // NaN fails
                failures++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (failures > 0) {
            fail(String.format("%s: %s[%d] = %s, expected %s ± %.3g (tolerance %.1e × scale %.4g); "
                    + "%d of %d elements out of bounds", context, output, first, got[first],
                    expected.value()[first], bound(expected, first, tolerance), tolerance, expected.scale()[first],
                    failures, got.length));
        }
    }

    /** Asserts a one-element result. */
    static void assertClose(Object context, String output, Reference.Expected expected, float got, double tolerance) {
        assertClose(context, output, expected, new float[] {got}, tolerance);
    }

    /**
     * Asserts {@code |got − expected| ≤ tolerance · |expected| + Float.MIN_VALUE}: relative, without
     * {@link Tolerance#ABSOLUTE_FLOOR}, for results that are meant to be exact down to the
     * subnormal range (one subnormal step is the rounding of a subnormal result).
     */
    static void assertRelative(Object context, String output, double expected, float got, double tolerance) {
        double bound = tolerance * Math.abs(expected) + Float.MIN_VALUE;
        if (!(Math.abs(got - expected) <= bound)) { // NaN fails
            fail(String.format("%s: %s = %s, expected %s ± %.3g (tolerance %.1e relative)", context, output, got,
                    expected, bound, tolerance));
        }
    }

    /** Asserts the exact bits of every element (copy, fill). */
    static void assertBits(Object context, String output, float[] expected, float[] got) {
        if (got.length != expected.length) {
            fail(context + ": " + output + " has " + got.length + " elements, expected " + expected.length);
        }
        for (int i = 0; i < got.length; i++) {
            if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(expected[i])) {
                fail(context + ": " + output + "[" + i + "] = " + got[i] + ", expected exactly " + expected[i]);
            }
        }
    }

    private static double bound(Reference.Expected expected, int i, double tolerance) {
        return tolerance * expected.scale()[i] + Tolerance.ABSOLUTE_FLOOR;
    }
}
