package io.rkflow.train.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLabelsTest {

    /** A run folder named like the trainer's (a time stamp) with a metrics.csv and, given settings, a run.json. */
    static Path run(Path dir, String name, String settings) throws IOException {
        Path folder = PlotCommandTest.run(dir, name, 0.2);
        if (settings != null) {
            Files.writeString(folder.resolve(RunSettings.FILE), "{\"version\": 1, \"settings\": {" + settings
                    + "}, \"started\": \"2026-12-02T06:00:00Z\"}");
        }
        return folder;
    }

    static List<String> labels(Path... runs) throws IOException {
        List<MetricsFile> files = new ArrayList<>();
        for (Path r : runs) {
            files.add(MetricsFile.read(r));
        }
        return RunLabels.of(files, List.of(runs));
    }

    @Test
    void theOptimizerFromRunJsonElseTheFolderName(@TempDir Path dir) throws IOException {
        Path a = run(dir, "20261202-060000", "\"optimizer\": \"rk4+h(0.1)\", \"model\": \"784-128-10:relu\","
                + " \"batch\": 32, \"seed\": 1");
        Path b = run(dir, "20261202-061500", "\"optimizer\": \"adam(lr=0.001)\", \"model\": \"784-128-10:relu\","
                + " \"batch\": 32, \"seed\": 1");
        Path old = run(dir, "euler-run", null);
        assertEquals(List.of("rk4+h(0.1)", "adam(lr=0.001)", "euler-run"), labels(a, b, old));
        assertEquals(List.of("rk4+h(0.1)"), labels(a.resolve(MetricsFile.FILE)), "a metrics.csv given directly");
    }

    @Test
    void runsWithOneOptimizerAreToldApartByTheSettingsThatDiffer(@TempDir Path dir) throws IOException {
        String rk4 = "\"optimizer\": \"rk4+h(0.1)\", \"model\": \"784-128-10:relu\", \"epochs\": 2, ";
        Path small = run(dir, "t1", rk4 + "\"batch\": 32, \"seed\": 1");
        Path large = run(dir, "t2", rk4 + "\"batch\": 1024, \"seed\": 1");
        Path adam = run(dir, "t3", "\"optimizer\": \"adam(lr=0.001)\", \"batch\": 32, \"seed\": 1");
        assertEquals(List.of("rk4+h(0.1) batch 32", "rk4+h(0.1) batch 1024", "adam(lr=0.001)"),
                labels(small, large, adam));

        Path seed2 = run(dir, "t4", rk4 + "\"batch\": 32, \"seed\": 2");
        assertEquals(List.of("rk4+h(0.1) batch 32 seed 1", "rk4+h(0.1) batch 1024 seed 1",
                "rk4+h(0.1) batch 32 seed 2"), labels(small, large, seed2));

        // A setting beyond model, batch and seed, named only when those do not tell the runs apart.
        Path longer = run(dir, "t5", "\"optimizer\": \"rk4+h(0.1)\", \"model\": \"784-128-10:relu\", \"epochs\": 10,"
                + " \"batch\": 32, \"seed\": 1");
        assertEquals(List.of("rk4+h(0.1) epochs 2", "rk4+h(0.1) epochs 10"), labels(small, longer));

        // Alike in every setting (a copy): the folder names.
        Path copy = run(dir, "t1-copy", rk4 + "\"batch\": 32, \"seed\": 1");
        assertEquals(List.of("rk4+h(0.1) (t1)", "rk4+h(0.1) (t1-copy)"), labels(small, copy));
    }

    @Test
    void foldersOfOneNameAreToldApartByTheirPaths(@TempDir Path dir) throws IOException {
        Path a = run(Files.createDirectories(dir.resolve("a")), "rk4", null);
        Path b = run(Files.createDirectories(dir.resolve("b")), "rk4", null);
        assertEquals(List.of("rk4 (" + a + ")", "rk4 (" + b + ")"), labels(a, b));
    }

    @Test
    void aMalformedRunJsonIsAnErrorNamingIt(@TempDir Path dir) throws IOException {
        Path a = run(dir, "broken", null);
        Files.writeString(a.resolve(RunSettings.FILE), "{\"settings\": {\"optimizer\": \"rk4\",");
        var json = assertThrows(IllegalArgumentException.class, () -> labels(a));
        assertTrue(json.getMessage().contains(a.resolve(RunSettings.FILE).toString())
                && json.getMessage().contains("not valid JSON"), json.getMessage());
        Files.writeString(a.resolve(RunSettings.FILE), "{\"settings\": {\"optimizer\": 4}}");
        var number = assertThrows(IllegalArgumentException.class, () -> labels(a));
        assertTrue(number.getMessage().contains("settings.optimizer") && number.getMessage().contains("4"),
                number.getMessage());
        Files.writeString(a.resolve(RunSettings.FILE), "[1, 2]");
        var array = assertThrows(IllegalArgumentException.class, () -> labels(a));
        assertTrue(array.getMessage().contains("array"), array.getMessage());
        Files.writeString(a.resolve(RunSettings.FILE), "{\"started\": \"now\"}");
        assertEquals(List.of("broken"), labels(a), "no settings: the folder name");
    }
}
