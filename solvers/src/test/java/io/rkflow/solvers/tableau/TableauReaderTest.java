package io.rkflow.solvers.tableau;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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

    private static final String RALSTON_JSON =
            "{\"name\": \"r2\", \"order\": %s, \"c\": [0, \"2/3\"], \"a\": [[0, 0], [\"2/3\", 0]], \"b\": [\"1/4\", 0.75]}";

    private IllegalArgumentException refused(String fileName, String content) throws IOException {
        Path file = Files.writeString(dir.resolve(fileName), content);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableauReader.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        return e;
    }

    @Test
    void theJsonParserKeepsTheNumberFormsTheOldOneTook() throws IOException {
        Path file = Files.writeString(dir.resolve("forms.json"), """
                {"name": "e", "order": "1", "c": [.0], "a": [[00]], "b": [+1.], "citation": "a \\"quoted\\" source"}
                """);
        ButcherTableau t = TableauReader.read(file);
        assertEquals(1.0, t.b(0));
        assertEquals("a \"quoted\" source", t.citation());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"name\": \"x\", \"name\": \"y\"}|JSON: Duplicate field 'name' at line 1, column",
        "{\"name\": \"x\", \"order\": 1, \"a\": [[0]], \"b\": [1], \"c\": [0]} {}|JSON: text after the end of the tableau's object at line 1, column 59",
        "{\"name\": \"x\", \"order\": 1, \"a\": [[0]], \"b\": [1], \"c\": [0|JSON: Unexpected end-of-input",
        "[1, 2]|JSON: expected an object",
        "{\"name\": 7}|JSON: \"name\" must be a string, got 7",
        "{\"name\": \"x\", \"order\": 1, \"a\": [[0]], \"b\": [true], \"c\": [0]}|JSON: \"b[0]\" must be a number or a fraction string, got true",
        "{\"name\": \"x\", \"order\": 1, \"a\": [[0]], \"c\": [0]}|JSON: missing \"b\"",
    })
    void malformedJsonIsAnErrorThatSaysWhere(String json, String message) throws IOException {
        IllegalArgumentException e = refused("bad.json", json);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    /** A recursive parser overflowed its stack on deep nesting; the error now says what is wrong. */
    @ParameterizedTest
    @ValueSource(strings = {"", "{\"a\": "})
    void deeplyNestedJsonIsAnErrorNotAStackOverflow(String prefix) throws IOException {
        IllegalArgumentException e = refused("deep.json", prefix + "[".repeat(100_000));
        assertTrue(e.getMessage().contains("JSON: nested too deeply (more than 64 levels"), e.getMessage());
    }

    @Test
    void binaryFilesAreNotTableaux() throws IOException {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write("name = x\norder = 1\n0 | 0\n--+--\n  | 1\n".getBytes(StandardCharsets.UTF_8));
        }
        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        byte[] nul = "name = x\norder = 1\0\0\0".getBytes(StandardCharsets.UTF_8); // valid UTF-8, still binary
        for (byte[] content : new byte[][] {png, gz.toByteArray(), random, nul}) {
            Path file = Files.write(dir.resolve("tableau.txt"), content);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableauReader.read(file));
            assertTrue(e.getMessage().startsWith(file + ": not a tableau text/JSON file: "), e.getMessage());
        }
        Path file = Files.write(dir.resolve("image.json"), png);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableauReader.read(file));
        assertTrue(e.getMessage().endsWith("byte 0x89 at offset 0 is not UTF-8 text (binary data, e.g. an image or"
                + " an archive?)"), e.getMessage());
    }

    @Test
    void jsonErrorsCountLinesFromTheTopOfTheFile() throws IOException {
        IllegalArgumentException e = refused("lines.json", "\n\n{\"name\": \"x\",\n  \"order\": 1,,\n}");
        assertTrue(e.getMessage().endsWith(" at line 4, column 14"), e.getMessage());
    }

    @Test
    void aByteOrderMarkIsSkipped() throws IOException {
        Path file = Files.writeString(dir.resolve("bom.json"), "\uFEFF" + RALSTON_JSON.formatted("2"));
        assertEquals("r2", TableauReader.read(file).name());
    }

    @Test
    void missingFilesAndFoldersAreErrorsThatNameThem() {
        Path missing = dir.resolve("missing.json");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableauReader.read(missing));
        assertEquals(missing + ": no such tableau file", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TableauReader.read(dir));
        assertEquals(dir + ": is a directory, not a tableau file", e.getMessage());
    }

    @Test
    void anOversizedFileIsNotRead() throws IOException {
        Path file = Files.write(dir.resolve("big.txt"), new byte[TableauReader.MAX_BYTES + 1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableauReader.read(file));
        assertEquals(file + ": is over " + TableauReader.MAX_BYTES + " bytes, not a tableau text/JSON file (those are"
                + " a few kB)", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2.5|JSON: order must be a whole number, got 2.5",
        "'\"2.5\"'|JSON: order must be a whole number, got 2.5",
        "\"two\"|JSON: order must be a whole number, got 'two'",
        "null|JSON: order must be a whole number, got null",
        "0|tableau r2 has order 0, must be at least 1",
        "-2|tableau r2 has order -2, must be at least 1",
        "1e10|JSON: order must be a whole number, got 1.0E10",
    })
    void anOrderIsAWholeNumberOfAtLeastOne(String order, String message) throws IOException {
        IllegalArgumentException e = refused("order.json", RALSTON_JSON.formatted(order));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void orderTwoPointZeroIsOrderTwo() throws IOException {
        Path file = Files.writeString(dir.resolve("r2.json"), RALSTON_JSON.formatted("2.0"));
        assertEquals(2, TableauReader.read(file).order());
    }

    @Test
    void anEmbeddedOrderIsAWholeNumberOfAtLeastOneToo() throws IOException {
        String pair = "{\"name\": \"hm\", \"order\": 2, \"embeddedOrder\": %s, \"c\": [0, 1], \"a\": [[0, 0], [1, 0]],"
                + " \"b\": [0.5, 0.5], \"bHat\": [1, 0]}";
        assertEquals(1, TableauReader.parse(pair.formatted("1")).embeddedOrder());
        IllegalArgumentException e = refused("pair.json", pair.formatted("1.5"));
        assertTrue(e.getMessage().contains("JSON: embeddedOrder must be a whole number, got 1.5"), e.getMessage());
        e = refused("pair.json", pair.formatted("0"));
        assertTrue(e.getMessage().contains("has weights b̂ but embedded order 0, must be at least 1"), e.getMessage());
        e = refused("pair.json", pair.formatted("-1"));
        assertTrue(e.getMessage().contains("embedded order -1, must be at least 1"), e.getMessage());
        e = refused("pair.txt", "name = x\norder = 2.5\n0 | 0\n--+--\n  | 1\n");
        assertTrue(e.getMessage().contains("line 2: order must be a whole number, got 2.5"), e.getMessage());
    }

    @Test
    void aDeclaredOrderTheCoefficientsDoNotHaveIsAnError() throws IOException {
        IllegalArgumentException e = refused("r2.json", RALSTON_JSON.formatted("3"));
        assertTrue(e.getMessage().contains("tableau r2 is declared order 3 but has order 2: the order-3 condition"
                + " Σ b_i a_ij c_j = 1/6 (of a rooted tree with 3 nodes) does not hold, the sum is 0.0"), e.getMessage());
    }

    @Test
    void embeddedWeightsAreCheckedAtTheirDeclaredOrder() throws IOException {
        IllegalArgumentException e = refused("bs3.txt", """
                name = bs3-wrong
                order = 3
                embedded_order = 3
                  0 |   0   0   0 0
                1/2 | 1/2   0   0 0
                3/4 |   0 3/4   0 0
                  1 | 2/9 1/3 4/9 0
                ----+--------------
                    | 2/9 1/3 4/9 0
                    | 7/24 1/4 1/3 1/8
                """);
        assertTrue(e.getMessage().contains("tableau bs3-wrong has embedded weights b̂ declared order 3 but of order 2:"
                + " the order-3 condition Σ b̂_i a_ij c_j = 1/6"), e.getMessage());
    }

    @Test
    void aTypoInACoefficientBreaksTheOrder() throws IOException {
        // RK4 with b_2, b_3 = 0.3, 11/30 for 1/3, 1/3: Σ b = 1 and Σ b c = 1/2 still hold
        IllegalArgumentException e = refused("rk4.txt", """
                name = rk4-typo
                order = 4
                  0 |   0   0 0 0
                1/2 | 1/2   0 0 0
                1/2 |   0 1/2 0 0
                  1 |   0   0 1 0
                ----+------------
                    | 1/6 0.3 11/30 1/6
                """);
        assertTrue(e.getMessage().contains("is declared order 4 but has order 2: the order-3 condition"), e.getMessage());
    }

    @Test
    void decimalCoefficientsPassAtTheirOrder() throws IOException {
        // dopri5 written out as decimals, the way a user copies a tableau from a paper or a program
        ButcherTableau d = Tableaux.DOPRI5;
        StringBuilder text = new StringBuilder("name = my-dopri5\norder = 5\nembedded_order = 4\n");
        for (int i = 0; i < d.stages(); i++) {
            text.append(d.c(i)).append(" |");
            for (int j = 0; j < d.stages(); j++) {
                text.append(' ').append(d.a(i, j));
            }
            text.append('\n');
        }
        text.append("---\n|");
        for (int i = 0; i < d.stages(); i++) {
            text.append(' ').append(d.b(i));
        }
        text.append("\n|");
        for (double v : d.bHat()) {
            text.append(' ').append(String.format(java.util.Locale.ROOT, "%.15f", v));
        }
        Path file = Files.writeString(dir.resolve("dopri5.txt"), text.append('\n'));
        ButcherTableau t = TableauReader.read(file);
        assertEquals(5, t.order());
        assertEquals(4, t.embeddedOrder());
        assertEquals(d.bHat()[4], t.bHat()[4], 1e-15);
    }
}
