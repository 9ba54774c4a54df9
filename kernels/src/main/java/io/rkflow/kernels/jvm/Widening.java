package io.rkflow.kernels.jvm;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float lanes widened to double and back, for kernels that accumulate or evaluate in double
 * precision: {@link #FH} is the float species whose lanes fill one {@link #D} vector exactly.
 */
final class Widening {

    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats per double vector: the half-width float species that widens exactly into D. */
    static final VectorSpecies<Float> FH =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));

    private Widening() {}

    /** FH.length() floats of {@code a} from {@code index}, as doubles. */
    static DoubleVector widen(float[] a, int index) {
        return (DoubleVector) FloatVector.fromArray(FH, a, index).convertShape(VectorOperators.F2D, D, 0);
    }

    /** Rounds {@code v} to floats and stores them into {@code a} from {@code index}. */
    static void narrow(DoubleVector v, float[] a, int index) {
        ((FloatVector) v.convertShape(VectorOperators.D2F, FH, 0)).intoArray(a, index);
    }
}
