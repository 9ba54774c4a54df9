package io.rkflow.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandardizationTest {

    private static Dataset set(float[] x, int features) {
        int rows = x.length / features;
        return new Dataset("d", x.clone(), new int[rows], rows, features, 1);
    }

    @Test
    void globalIsTheDataSetsOwnStandardizationBitForBit(@TempDir Path dir) throws IOException {
        IdxFiles.writeFourFiles(dir);
        Dataset[] a = FashionMnist.loadIdxFolder(dir, "a");
        Dataset[] b = FashionMnist.loadIdxFolder(dir, "b");
        Standardization s = Standardization.fit(Standardization.Mode.GLOBAL, a[0]);
        assertArrayEquals(new float[] {a[0].mean()}, s.mean());
        assertArrayEquals(new float[] {a[0].std()}, s.std());
        Dataset old = b[1].standardizedInPlace(b[0].mean(), b[0].std());
        assertArrayEquals(old.x(), s.applyInPlace(a[1]).x(), "the IDX runs' preprocessing is unchanged");
    }

    @Test
    void perFeatureCentresAndScalesEachColumnAndOnlyCentresAConstantOne() {
        // columns: 1, 3 (mean 2, std 1); 10, 10 (constant); -4, 4 (mean 0, std 4)
        Dataset train = set(new float[] {1, 10, -4, 3, 10, 4}, 3);
        Standardization s = Standardization.fit(Standardization.Mode.PER_FEATURE, train);
        assertArrayEquals(new float[] {2, 10, 0}, s.mean());
        assertArrayEquals(new float[] {1, 1, 4}, s.std());
        assertArrayEquals(new float[] {-1, 0, -1, 1, 0, 1}, s.applyInPlace(train).x());
        Dataset test = set(new float[] {2, 11, 8}, 3);
        assertArrayEquals(new float[] {0, 1, 2}, s.applyInPlace(test).x(), "the training statistics apply to the test set");
        assertThrows(IllegalArgumentException.class, () -> s.applyInPlace(set(new float[] {1, 2}, 2)));
    }

    @Test
    void noneLeavesTheValuesAndAConstantSetCannotBeStandardizedGlobally() {
        Dataset d = set(new float[] {5, 5, 5, 5}, 2);
        assertArrayEquals(new float[] {5, 5, 5, 5},
                Standardization.fit(Standardization.Mode.NONE, d).applyInPlace(d).x());
        String m = assertThrows(IllegalArgumentException.class,
                () -> Standardization.fit(Standardization.Mode.GLOBAL, d)).getMessage();
        assertTrue(m.contains("cannot standardize d globally: all its 4 values are 5.0 (std 0); use --standardize none"),
                m);
    }

    @Test
    void metadataAndFormulasNameTheStatistics() {
        Standardization global = new Standardization(Standardization.Mode.GLOBAL, new float[] {0.286f},
                new float[] {0.353f});
        assertEquals(Map.of("input_standardize", "global", "input_mean", "0.286", "input_std", "0.353"),
                global.metadata());
        assertEquals("x = (pixel / 255 - input_mean) / input_std", global.formula("pixel / 255"));
        Standardization per = new Standardization(Standardization.Mode.PER_FEATURE, new float[] {1, 0.5f},
                new float[] {2, 1e-5f});
        assertEquals("[1.0,0.5]", per.metadata().get("input_mean"));
        assertEquals("[2.0,1.0E-5]", per.metadata().get("input_std"));
        assertEquals("x[j] = (feature[j] - input_mean[j]) / input_std[j]", per.formula("feature"));
        Standardization none = new Standardization(Standardization.Mode.NONE, new float[0], new float[0]);
        assertEquals(Map.of("input_standardize", "none"), none.metadata());
        assertEquals("x = feature", none.formula("feature"));
        assertEquals(Standardization.Mode.PER_FEATURE, Standardization.Mode.parse("per-feature"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Standardization.Mode.parse("minmax"))
                .getMessage().contains("--standardize minmax: expected global, per-feature or none"));
    }
}
