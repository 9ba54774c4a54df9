package io.rkflow.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.io.BadFileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CsvTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private Table read(String text, Csv.Options options) throws IOException {
        return Csv.read(write("t.csv", text), options);
    }

    private String fails(String text, Csv.Options options) throws IOException {
        Path f = write("bad.csv", text);
        String m = assertThrows(BadFileException.class, () -> Csv.read(f, options)).getMessage();
        assertTrue(m.startsWith(f.toString()), m);
        return m;
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), () -> "message lacks '" + p + "': " + message);
        }
    }

    @Test
    void headerIsDetectedOrToldAndTheLabelColumnChosenByIndexOrName() throws IOException {
        String body = "1,0.5,2\n0,-1.5,3e2\n";
        Table plain = read(body, Csv.Options.DEFAULT);
        assertEquals(2, plain.rows());
        assertEquals(2, plain.features());
        assertArrayEquals(new int[] {1, 0}, plain.labels());
        assertArrayEquals(new float[] {0.5f, 2f, -1.5f, 300f}, plain.x());

        Table named = read("a,species,b\n1,2,3\n4,0,6\n", new Csv.Options(Csv.Header.AUTO, "species",
                Csv.Labels.YES, 0, Table.ClassLimit.ANY));
        assertArrayEquals(new int[] {2, 0}, named.labels());
        assertArrayEquals(new float[] {1, 3, 4, 6}, named.x());

        Table last = read("1,2,3\n4,5,0\n", new Csv.Options(Csv.Header.NO, "-1", Csv.Labels.YES, 0,
                Table.ClassLimit.ANY));
        assertArrayEquals(new int[] {3, 0}, last.labels());
        assertArrayEquals(new float[] {1, 2, 4, 5}, last.x());

        // a header of numbers is a header when told so
        Table told = read("0,1,2\n1,5,6\n", new Csv.Options(Csv.Header.YES, null, Csv.Labels.YES, 0,
                Table.ClassLimit.ANY));
        assertEquals(1, told.rows());
        assertArrayEquals(new float[] {5, 6}, told.x());
    }

    @Test
    void pandasAndNumpyTextIsRead() throws IOException {
        // a BOM, CRLF line ends, quoted fields, spaces, blank lines, no final newline, savetxt's float labels
        String text = "\uFEFF\"label\",\"x\"\"1\",x2\r\n\r\n 3.000000000000000000e+00 , \"1.5\" ,.25\r\n"
                + "   \n0,-0,1.\n2,+7E-1,-.5e1";
        Table t = read(text, Csv.Options.DEFAULT);
        assertEquals(3, t.rows());
        assertArrayEquals(new int[] {3, 0, 2}, t.labels());
        assertArrayEquals(new float[] {1.5f, 0.25f, -0f, 1f, 0.7f, -5f}, t.x());
        // a quoted header name with an escaped quote names the label column
        Table byName = read("x,\"cls \"\"a\"\"\"\n1,2\n", new Csv.Options(Csv.Header.AUTO, "cls \"a\"",
                Csv.Labels.YES, 0, Table.ClassLimit.ANY));
        assertArrayEquals(new int[] {2}, byName.labels());
        assertArrayEquals(new float[] {1}, byName.x());
    }

    @Test
    void gzippedFilesAreReadByTheirContent() throws IOException {
        byte[] gz = IdxFiles.gzip("0,1,2\n1,3,4\n".getBytes(StandardCharsets.US_ASCII));
        Path f = dir.resolve("no-gz-suffix.csv");
        Files.write(f, gz);
        Table t = Csv.read(f, Csv.Options.DEFAULT);
        assertArrayEquals(new float[] {1, 2, 3, 4}, t.x());
        Files.write(f, Arrays.copyOf(gz, gz.length - 12)); // truncated: the stream ends early
        String m = assertThrows(BadFileException.class, () -> Csv.read(f, Csv.Options.DEFAULT)).getMessage();
        assertContains(m, f.toString(), "corrupt or truncated gzip stream");
    }

    @Test
    void labelsAreDetectedByTheFieldCount() throws IOException {
        Csv.Options detect = Csv.Options.DEFAULT.with(Csv.Labels.DETECT, 2);
        assertNull(read("1,2\n3,4\n", detect).labels());
        assertArrayEquals(new int[] {1, 0}, read("1,2,3\n0,4,5\n", detect).labels());
        assertContains(fails("1,2,3,4\n", detect), "line 1: 4 fields, but 2 features are expected: 2 fields"
                + " (features only) or 3 (a label and the features)");
    }

    @Test
    void parsedFloatsAreExactlyJavasParseFloat() {
        SplittableRandom r = new SplittableRandom(7);
        String[] fixed = {"0", "-0", "1", "16777216", "16777217", "0.1", "3.4028235e38", "1.4e-45", "7.0e-46",
            "0.28627452", "123456789012345678901234567890", "1e10", "1e-10", "9999999e10", "16777215e-10", ".5", "5.",
            "0000.00010"};
        for (String s : fixed) {
            assertEquals(Float.parseFloat(s), parse(s), s);
        }
        for (int i = 0; i < 200_000; i++) {
            StringBuilder s = new StringBuilder(r.nextBoolean() ? "" : "-");
            s.append(r.nextLong(0, r.nextBoolean() ? 1000 : 100_000_000_000L));
            if (r.nextBoolean()) s.append('.').append(String.format(Locale.ROOT, "%0" + r.nextInt(1, 10) + "d",
                    r.nextInt(0, 1_000_000_000) % (int) Math.pow(10, 9)));
            if (r.nextInt(3) == 0) s.append('e').append(r.nextInt(-50, 50));
            String t = s.toString();
            assertEquals(Float.floatToIntBits(Float.parseFloat(t)), Float.floatToIntBits(parse(t)), t);
        }
        for (String notANumber : new String[] {"", ".", "-", "1e", "e5", "1.2.3", "0x10", "1f", "NaN", "1,5", "1 2"}) {
            assertTrue(Float.isNaN(parse(notANumber)), notANumber);
        }
    }

    private static float parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return Csv.parseFloat(b, 0, b.length);
    }

    static Stream<Arguments> badLines() {
        return Stream.of(
                Arguments.of("wrong field count", "label,a,b\n1,2,3\n1,2\n", "line 3: 2 fields, but line 1 (the header)"
                        + " has 3; every line needs the same columns"),
                Arguments.of("too many fields", "1,2,3\n1,2,3,4\n", "line 2: 4 fields, but line 1 has 3"),
                Arguments.of("not a number", "label,a,b\n1,2,3\n1,x7,3\n", "line 3, column 2 ('a'): 'x7' is not a number"),
                Arguments.of("NaN", "0,1,2\n1,2,nan\n", "line 2, column 3: 'nan' is NaN; features must be finite numbers"),
                Arguments.of("infinity", "0,1,2\n1,-inf,2\n", "line 2, column 2: '-inf' is infinite"),
                Arguments.of("beyond float", "1,1e39,2\n", "line 1, column 2: 1e39 is beyond the float range"),
                Arguments.of("empty field", "0,1,2\n1,,2\n", "line 2, column 2: an empty field; expected a number"),
                Arguments.of("label not integer", "1.5,2,3\n", "line 1, column 1: label 1.5 is not an integer"),
                Arguments.of("negative label", "0,1,2\n-1,2,3\n", "line 2, column 1: label -1 is out of range: expected"
                        + " a class 0..2147483646"),
                Arguments.of("label not a number", "0,1,2\nx,2,3\n", "line 2, column 1: label 'x' is not a number"),
                Arguments.of("open quote", "0,\"1,2\n", "line 1, column 2: a quoted field is not closed on its line"),
                Arguments.of("text after quote", "0,\"1\"x,2\n", "line 1, column 2: text after the closing quote"),
                Arguments.of("only a label", "1\n2\n", "line 1: one column, the label, and no features"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLines")
    void aBadLineIsNamedByLineColumnAndWhatIsWrong(String what, String text, String message) throws IOException {
        assertContains(fails(text, Csv.Options.DEFAULT), message);
    }

    @Test
    void aLabelBeyondTheModelsClassesNamesTheLimitAndWhy() throws IOException {
        Csv.Options three = Csv.Options.DEFAULT.with(new Table.ClassLimit(3, "the model 2-3:relu has 3 outputs"));
        assertEquals(3, read("2,1,1\n0,1,1\n", three).classes());
        assertContains(fails("label,a\n2,1\n\n3,1\n", three), "line 4, column 1 ('label'): label 3 is out of range:"
                + " expected a class 0..2 (the model 2-3:relu has 3 outputs)");
    }

    @Test
    void emptyFilesAndHeadersWithoutRowsAreRefused() throws IOException {
        assertContains(fails("", Csv.Options.DEFAULT), ": the file is empty");
        assertContains(fails("\n \n", Csv.Options.DEFAULT), ": the file is empty");
        assertContains(fails("label,a\n\n", Csv.Options.DEFAULT), ": a header (line 1) but no rows of data");
    }

    @Test
    void aLabelColumnThatIsNotThereIsNamed() throws IOException {
        assertContains(fails("label,a,b\n1,2,3\n", new Csv.Options(Csv.Header.AUTO, "y", Csv.Labels.YES, 0,
                Table.ClassLimit.ANY)), "label column 'y' is not in the header (line 1), whose columns are 'label',"
                + " 'a', 'b'");
        assertContains(fails("1,2,3\n", new Csv.Options(Csv.Header.AUTO, "3", Csv.Labels.YES, 0,
                Table.ClassLimit.ANY)), "label column 3 is not a column: line 1 has 3 columns, 0..2 (or -3..-1");
        assertContains(fails("1,2,3\n", new Csv.Options(Csv.Header.AUTO, "y", Csv.Labels.YES, 0,
                Table.ClassLimit.ANY)), "label column 'y' is a name, but the file has no header line");
        assertContains(fails("y,y,b\n1,2,3\n", new Csv.Options(Csv.Header.AUTO, "y", Csv.Labels.YES, 0,
                Table.ClassLimit.ANY)), "label column 'y' names more than one column of the header (columns 1 and 2)");
    }

    @Test
    void aMissingFileOrAFolderIsNamed() {
        Path missing = dir.resolve("missing.csv");
        assertContains(assertThrows(BadFileException.class, () -> Csv.read(missing, Csv.Options.DEFAULT))
                .getMessage(), missing + ": no such file");
        assertContains(assertThrows(BadFileException.class, () -> Csv.read(dir, Csv.Options.DEFAULT))
                .getMessage(), dir + " is a folder, not a file");
    }

    @Test
    void aLargeFileIsReadAcrossBlocksAndBuffers() throws IOException {
        int rows = 40_000;
        int features = 30; // 1.2 M values: more than one block of the reader
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            s.append(i % 7);
            for (int j = 0; j < features; j++) s.append(',').append((i * 31 + j) % 1000 / 8.0);
            s.append('\n');
        }
        Table t = read(s.toString(), Csv.Options.DEFAULT);
        assertEquals(rows, t.rows());
        assertEquals(features, t.features());
        assertEquals(7, t.classes());
        for (int i : new int[] {0, 1, rows / 2, rows - 1}) {
            assertEquals(i % 7, t.labels()[i]);
            for (int j = 0; j < features; j++) assertEquals((float) ((i * 31 + j) % 1000 / 8.0), t.x()[i * features + j]);
        }
    }
}
