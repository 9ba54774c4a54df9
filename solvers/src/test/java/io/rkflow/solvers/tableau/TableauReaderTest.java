package io.rkflow.solvers.tableau;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableauReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsTheTextFormatWithFractionsAndAnEmbeddedRow() throws IOException {
        Path file = dir.resolve("bs3.txt");
        Files.writeString(file, """
                # Bogacki-Shampine, written by hand
                name = my-bs3
                order = 3
                embedded_order = 2
                citation = Bogacki and Shampine (1989)
                  0 |   0   0   0 0
                1/2 | 1/2   0   0 0
                3/4 |   0 3/4   0 0
                  1 | 2/9 1/3 4/9 0
                ----+--------------
                    | 2/9 1/3 4/9 0
                    | 7/24 1/4 1/3 1/8
                """);
        ButcherTableau t = TableauReader.read(file);
        assertEquals("my-bs3", t.name());
        assertEquals(3, t.order());
        assertEquals(2, t.embeddedOrder());
        assertTrue(t.fsal());
        for (int i = 0; i < 4; i++) {
            assertEquals(Tableaux.BS3.b(i), t.b(i), 1e-16);
            assertEquals(Tableaux.BS3.c(i), t.c(i), 1e-16);
            assertEquals(Tableaux.BS3.bHat()[i], t.bHat()[i], 1e-16);
        }
    }

    @Test
    void readsTheJsonFormat() throws IOException {
        Path file = dir.resolve("ralston.json");
        Files.writeString(file, """
                {"name": "r2", "order": 2, "c": [0, "2/3"], "a": [[0, 0], ["2/3", 0]], "b": ["1/4", 0.75]}
                """);
        ButcherTableau t = TableauReader.read(file);
        assertEquals("r2", t.name());
        assertEquals(2.0 / 3, t.a(1, 0), 0.0);
        assertEquals(0.75, t.b(1), 0.0);
        assertTrue(t.explicit());
    }

    @Test
    void aViolatedConditionNamesTheFileAndTheCondition() throws IOException {
        Path file = dir.resolve("bad.txt");
        Files.writeString(file, """
                name = bad
                order = 2
                  0 | 0 0
                1/2 | 1 0
                ----+----
                    | 0 1
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableauReader.read(file));
        assertTrue(e.getMessage().startsWith(file + ": tableau bad row 2 of A sums to 1"), e.getMessage());
    }

    @Test
    void malformedInputNamesTheLine() throws IOException {
        Path file = dir.resolve("typo.txt");
        Files.writeString(file, """
                name = typo
                order = 1
                0 | zero
                --+--
                  | 1
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableauReader.read(file));
        assertTrue(e.getMessage().contains("line 3, entry 1: 'zero' is not a number"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TableauReader.parse("order = 1\n0 | 0\n--\n | 1\n"),
                "missing name");
        IllegalArgumentException json = assertThrows(IllegalArgumentException.class,
                () -> TableauReader.parse("{\"name\": \"x\", \"order\": 1, \"a\": [[0]], \"b\": [1], \"c\": [0],"));
        assertTrue(json.getMessage().startsWith("JSON: "), json.getMessage());
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
                () -> TableauReader.parse("{\"name\": \"x\", \"order\": 1, \"a\": [[0]], \"b\": [1], \"c\": [0], \"d\": 1}"));
        assertTrue(key.getMessage().contains("unknown key 'd'"), key.getMessage());
    }
}
