package io.rkflow.train.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code rkflow tableaux NAME|FILE} prints the tableau, also through a buffered writer that is never
 * flushed afterwards (as with System.out when main exits at once).
 */
class TableauxCommandTest {

    private static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(bytes, false)); // buffered: only what the command flushes arrives
        assertEquals(0, cl.execute(args));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aTableauByNameIsPrinted() {
        String out = run("tableaux", "rk4");
        assertTrue(out.startsWith("rk4: explicit, 4 stages, order 4") && out.contains("0.1666666667"), out);
    }

    @Test
    void aTableauFileIsPrinted(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("euler.json"),
                "{\"name\": \"my-euler\", \"order\": 1, \"a\": [[0]], \"b\": [1], \"c\": [0]}");
        String out = run("tableaux", file.toString());
        assertTrue(out.contains("my-euler"), out);
    }

    /** Runs a command that must fail with exit code 2 (bad input) and returns its error output. */
    private static String refused(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute(args), err.toString(StandardCharsets.UTF_8));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aFileFailingTheOrderConditionsIsAValidationError(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("heun3.txt"), """
                name = heun3
                order = 3
                0 |   0   0
                1 |   1   0
                --+--------
                  | 1/2 1/2
                """);
        String err = refused("tableaux", file.toString());
        assertTrue(err.startsWith("rkflow tableaux: " + file + ": tableau heun3 is declared order 3 but has order 2:"
                + " the order-3 condition Σ b_i a_ij c_j = 1/6"), err);
        assertFalse(err.contains("\tat "), err); // no stack trace
    }

    @Test
    void aMissingFileOrABinaryOneIsAValidationError(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.json");
        assertTrue(refused("tableaux", missing.toString()).contains(missing + ": no such tableau file"));
        Path binary = Files.write(dir.resolve("weights.bin"), new byte[] {(byte) 0x1f, (byte) 0x8b, 8, 0, 0});
        assertTrue(refused("tableaux", binary.toString()).contains(binary + ": not a tableau text/JSON file"));
        assertTrue(refused("tableaux", "rk5").contains("unknown tableau 'rk5'; valid: euler"));
    }

    @Test
    void theCatalogueIsListed() {
        String out = run("tableaux");
        assertTrue(out.contains("dopri5") && out.contains("rk4"), out);
    }
}
