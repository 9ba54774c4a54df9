package io.rkflow.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.kernels.GemmForm;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link JvmGemm.Epilogue} contract, on every path: each element of C is passed to the
 * epilogue exactly once, inside C, and by then holds its final value.
 */
class JvmGemmEpilogueTest {

    /** (form, m, n, k, accumulate): several chunks, strips and k-blocks; thin shapes; k = 0. */
    private static final Object[][] SHAPES = {
        {GemmForm.NN, 130, 300, 520, false}, {GemmForm.TN, 300, 130, 70, true}, {GemmForm.NT, 128, 1024, 10, false},
        {GemmForm.NN, 128, 10, 1024, true}, {GemmForm.NT, 67, 7, 33, false}, {GemmForm.TN, 1000, 10, 129, false},
        {GemmForm.NN, 5, 3, 0, false}, {GemmForm.TN, 5, 3, 0, true},
    };

    static Stream<Arguments> cases() {
        return Stream.of(GemmKernel.values()).flatMap(kernel -> Stream.of(SHAPES).map(s ->
                Arguments.of(kernel, s[0], s[1], s[2], s[3], s[4])));
    }

    @ParameterizedTest(name = "{0} {1} m={2} n={3} k={4} accumulate={5}")
    @MethodSource("cases")
    void everyElementIsPassedOnceWithItsFinalValue(GemmKernel kernel, GemmForm form, int m, int n, int k,
                                                   boolean accumulate) {
        SplittableRandom random = new SplittableRandom(7);
        int off = 3;
        float[] a = random(random, off + m * k);
        float[] b = random(random, off + k * n);
        float[] c = random(random, off + m * n);
        AtomicIntegerArray seen = new AtomicIntegerArray(m * n);
        float[] atEpilogue = new float[m * n];
        boolean[] outside = new boolean[1];
        JvmGemm.Epilogue record = (i0, i1, j0, j1) -> {
            if (i0 < 0 || i1 > m || j0 < 0 || j1 > n || i0 >= i1 || j0 >= j1) {
                outside[0] = true;
                return;
            }
            for (int i = i0; i < i1; i++) {
                for (int j = j0; j < j1; j++) {
                    seen.incrementAndGet(i * n + j);
                    atEpilogue[i * n + j] = c[off + i * n + j];
                }
            }
        };
        try (WorkerPool pool = new WorkerPool(2)) {
            JvmGemm.create(pool, new Scratch(), kernel, form, m, n, k, accumulate, c, off, a, off, b, off, record).run();
        }
        assertTrue(!outside[0], "a region outside C or empty");
        for (int e = 0; e < m * n; e++) {
            assertEquals(1, seen.get(e), "element " + e + ": times passed to the epilogue");
            assertEquals(Float.floatToRawIntBits(c[off + e]), Float.floatToRawIntBits(atEpilogue[e]),
                    "element " + e + " changed after its epilogue");
        }
    }

    private static float[] random(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return values;
    }
}
