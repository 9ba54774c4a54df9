package io.rkflow.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.io.BadFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DataFolderTest {
    @TempDir
    Path dir;

    @Test
    void theFormatIsToldByTheFileNames() throws IOException {
        for (DataFolder.Format f : DataFolder.Format.values()) {
            Path folder = DataFiles.writeFolder(dir.resolve(f.label()), f);
            assertEquals(f, DataFolder.format(folder));
        }
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertTrue(DataFolder.empty(empty));
        assertEquals(DataFolder.Format.IDX, DataFolder.format(empty), "the IDX reader says what is missing");
    }

    @ParameterizedTest
    @EnumSource(value = DataFolder.Format.class, names = {"CSV", "NPY"})
    void theIdxNumbersAsCsvOrNpyAreTheSameDataSets(DataFolder.Format format) throws IOException {
        Dataset[] a = FashionMnist.loadIdxFolder(DataFiles.writeFolder(dir.resolve("idx"), DataFolder.Format.IDX), "idx");
        Path folder = DataFiles.writeFolder(dir.resolve("other"), format);
        Dataset[] b = DataFolder.load(folder, format, Csv.Options.DEFAULT);
        for (int s = 0; s < 2; s++) {
            assertArrayEquals(a[s].x(), b[s].x());
            assertArrayEquals(a[s].labels(), b[s].labels());
            assertEquals(a[s].classes(), b[s].classes());
            assertEquals(6, b[s].features(), "NPY's (n, 2, 3) images are flattened to 6 features per row");
            assertEquals(a[s].fingerprint(), b[s].fingerprint(), "equal content, equal identity, whatever the format");
        }
        assertEquals(folder.resolve(format == DataFolder.Format.CSV ? "train.csv" : "train_x.npy").toString(),
                b[0].name());
    }

    @Test
    void aFolderOfTwoFormatsIsRefusedNamingTheFiles() throws IOException {
        DataFiles.writeCsvFolder(dir);
        DataFiles.writeNpyFolder(dir);
        String m = assertThrows(BadFileException.class, () -> DataFolder.format(dir)).getMessage();
        assertTrue(m.contains(dir + " holds data files of more than one format: CSV (train.csv, test.csv); NPY"
                + " (train_x.npy, train_y.npy, test_x.npy, test_y.npy); keep the files of one format"), m);
    }

    @Test
    void aMissingFileIsNamedWithTheLayout() throws IOException {
        DataFiles.writeNpyFolder(dir);
        Files.delete(dir.resolve("test_y.npy"));
        String m = assertThrows(BadFileException.class, () -> DataFolder.load(dir, DataFolder.Format.NPY,
                Csv.Options.DEFAULT)).getMessage();
        assertTrue(m.contains(dir + ": missing test_y.npy; a data folder of this format holds train_x.npy, train_y.npy,"
                + " test_x.npy, test_y.npy"), m);
    }

    @Test
    void gzippedCsvFilesAndTheClassesOfBothSets() throws IOException {
        Files.write(dir.resolve("train.csv.gz"), IdxFiles.gzip("0,1\n1,2\n".getBytes()));
        Files.writeString(dir.resolve("test.csv"), "4,1\n");
        Dataset[] sets = DataFolder.load(dir, DataFolder.Format.CSV, Csv.Options.DEFAULT);
        assertEquals(5, sets[0].classes(), "the test set's label 4 makes 5 classes for both");
        assertEquals(5, sets[1].classes());
        Files.writeString(dir.resolve("test.csv"), "4,1,2\n");
        String m = assertThrows(BadFileException.class, () -> DataFolder.load(dir, DataFolder.Format.CSV,
                Csv.Options.DEFAULT)).getMessage();
        assertTrue(m.contains("the training and test sets differ in their features: " + dir.resolve("train.csv.gz")
                + " has 1 per row, " + dir.resolve("test.csv") + " has 2"), m);
    }
}
