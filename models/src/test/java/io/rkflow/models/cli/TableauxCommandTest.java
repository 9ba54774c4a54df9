package io.rkflow.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void theCatalogueIsListed() {
        String out = run("tableaux");
        assertTrue(out.contains("dopri5") && out.contains("rk4"), out);
    }
}
