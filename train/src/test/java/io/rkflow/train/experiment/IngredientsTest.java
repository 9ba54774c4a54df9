package io.rkflow.train.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.data.IdxFiles;
import io.rkflow.train.cli.Main;
import io.rkflow.train.sweep.Grid;
import io.rkflow.train.sweep.Sweep;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingredients experiment chooses each method's step size by validation accuracy (never a
 * diverged one), runs the seeds at that value only, reuses the search's seed, continues where it
 * stopped, and states a verdict that follows from the numbers.
 */
class IngredientsTest {

    /** Vanilla first, the recipe second to last, Adam last: the order the verdict reads. */
    private static List<Ingredients.Method> methods() {
        return List.of(
                new Ingredients.Method("RK4", "rk4", List.of(0.01, 0.1)),
                new Ingredients.Method("RK4 + momentum", "rk4+momentum(0.9)", List.of(0.1, 1e30)),
                new Ingredients.Method("RK4 + all three", "rk4+adagrad+dal(p=2)+momentum(0.9)", List.of(0.1, 0.3)),
                new Ingredients.Method("Adam", "adam", List.of(1e-3, 1e-2)));
    }

    private static String run(Ingredients ingredients, Path out, Path data, List<String> lines) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream log = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            lines.addAll(ingredients.run(new Sweep.Options(out, 2, "jvm:1", data, null), Main::train, log));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The search's rows: point name → {status, final validation accuracy}. */
    private static Map<String, String[]> rows(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.get(0).split(","));
        int status = header.indexOf("status");
        int validation = header.indexOf("final_validation_accuracy");
        assertTrue(status >= 0 && validation >= 0, lines.get(0));
        Map<String, String[]> out = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", -1); // commas outside quotes
            out.put(f[0], new String[] {f[status], f[validation]});
        }
        return out;
    }

    /** The folder name the experiment gives a method's run at one step size and seed. */
    private static String name(Ingredients.Method m, double lr, long seed) {
        return new Grid(List.of(m.spec()), List.of(lr), List.of("6-8-10:relu"), List.of(4), List.of(seed), 1, 0, 4,
                100, 0, 500).points().get(0).name();
    }

    @Test
    void stepSizesAreChosenByValidationThenSeededAndTheExperimentContinuesWhereItStopped(@TempDir Path dir)
            throws Exception {
        Path data = dir.resolve("data");
        IdxFiles.writeFourFiles(data);
        Ingredients.Settings settings = new Ingredients.Settings("6-8-10:relu", methods(), List.of(4), 1, 2, 4);
        Ingredients ingredients = new Ingredients(settings);
        Path out = dir.resolve("ingredients");
        List<String> lines = new ArrayList<>();
        String log = run(ingredients, out, data, lines);

        // phase 1: every method at every value of its grid, seed 1
        Map<String, String[]> search = rows(out.resolve("search.csv"));
        assertEquals(8, search.size(), String.join("\n", search.keySet()));
        assertTrue(search.keySet().stream().allMatch(n -> n.endsWith("_s1")), String.join("\n", search.keySet()));
        assertEquals("diverged", search.get(name(methods().get(1), 1e30, 1))[0]);
        // phase 2: the chosen value only, seeds 1..2, seed 1 taken over from phase 1
        assertTrue(log.contains("(8 runs, 4 of them from phase 1)"), log);
        Map<String, String[]> seeds = rows(out.resolve("seeds.csv"));
        assertEquals(8, seeds.size(), String.join("\n", seeds.keySet()));
        for (Ingredients.Method m : methods()) {
            double best = Double.NEGATIVE_INFINITY;
            Double chosen = null;
            for (double lr : m.lrs()) { // the smaller value wins a tie, as Sweep.best does
                String[] row = search.get(name(m, lr, 1));
                assertNotNull(row, m.spec() + " at " + lr);
                if (row[0].equals("finished") && Double.parseDouble(row[1]) > best) {
                    best = Double.parseDouble(row[1]);
                    chosen = lr;
                }
            }
            assertNotNull(chosen, m.name() + ": " + Files.readString(out.resolve("search.csv")));
            for (int seed = 1; seed <= 2; seed++) {
                String name = name(m, chosen, seed);
                assertTrue(seeds.containsKey(name), name + " in " + seeds.keySet());
                assertEquals("finished", seeds.get(name)[0], name);
            }
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("| " + m.name() + " | 4 | ")), String.join("\n", lines));
        }
        assertFalse(seeds.keySet().stream().anyMatch(n -> n.contains("lr1e30")), "a diverged value is never chosen");

        // the curves: one per method, from epoch 0 (the initial evaluation) to the last epoch
        List<String> csv = Files.readAllLines(out.resolve("ingredients.csv"));
        assertEquals("method,optimizer,batch,lr,epoch,gradient_evaluations,test_accuracy_mean,test_accuracy_std",
                csv.get(0));
        for (Ingredients.Method m : methods()) {
            List<String> rows = csv.stream().filter(l -> l.startsWith(m.name() + ",")).toList();
            assertEquals(2, rows.size(), m.name() + ": " + rows);
            assertTrue(rows.get(0).contains(",4,") && rows.get(1).matches(".*,1,\\d+,[0-9.]+,[0-9.]+"), rows.toString());
        }
        String md = Files.readString(out.resolve("ingredients.md"));
        assertTrue(md.contains("batch 4: vanilla RK4 "), md);
        for (String png : List.of("ingredients-b4-epochs.png", "ingredients-b4-gradient-evaluations.png")) {
            assertNotNull(ImageIO.read(out.resolve(png).toFile()), png);
        }

        // run again: nothing trains, the same table comes out
        List<String> again = new ArrayList<>();
        String log2 = run(ingredients, out, data, again);
        // both phases: the search's diverged point is a result too
        assertEquals(2, log2.split("; 8 finished before, 0 to run", -1).length - 1, log2);
        assertEquals(md, Files.readString(out.resolve("ingredients.md")));
        assertEquals(lines, again);
    }

    private static Ingredients.Outcome outcome(Ingredients.Method m, double... finalAccuracies) {
        int n = finalAccuracies.length;
        double[][] epochs = new double[n][];
        double[][] evals = new double[n][];
        double[][] acc = new double[n][];
        for (int i = 0; i < n; i++) {
            epochs[i] = new double[] {0, 1};
            evals[i] = new double[] {0, 100};
            acc[i] = new double[] {0.1, finalAccuracies[i]};
        }
        return new Ingredients.Outcome(m, 1024, m.lrs().get(0), false,
                Figure1.summarize(m.name(), 1024, epochs, evals, acc), 0.5);
    }

    private static String verdict(double[] vanilla, double[] momentum, double[] recipe, double[] adam) {
        Ingredients ingredients = new Ingredients(new Ingredients.Settings("6-8-10:relu", methods(), List.of(1024), 1,
                vanilla.length, 4));
        List<Ingredients.Method> m = methods();
        return ingredients.verdict(List.of(outcome(m.get(0), vanilla), outcome(m.get(1), momentum),
                outcome(m.get(2), recipe), outcome(m.get(3), adam)), 1024);
    }

    @Test
    void theVerdictFollowsFromTheNumbers() {
        String closed = verdict(new double[] {0.80, 0.80}, new double[] {0.82, 0.82}, new double[] {0.87, 0.87},
                new double[] {0.86, 0.86});
        assertEquals("batch 1024: vanilla RK4 behind Adam by 6.00 points; RK4 + momentum +2.00 vs vanilla;"
                + " RK4 + all three +7.00 vs vanilla; gap closed: the recipe is ahead of Adam by 1.00 points", closed);
        String level = verdict(new double[] {0.80, 0.80}, new double[] {0.80, 0.80}, new double[] {0.86, 0.86},
                new double[] {0.86, 0.86});
        assertTrue(level.endsWith("gap closed: the recipe is level with Adam"), level);
        // 1 point behind with a combined std of 1.58: within the seeds' spread
        String spread = verdict(new double[] {0.80, 0.80}, new double[] {0.80, 0.80}, new double[] {0.855, 0.865},
                new double[] {0.86, 0.88});
        assertTrue(spread.endsWith("gap closed within the seeds' spread: the recipe is 1.00 points behind Adam"
                + " (combined std 1.58)"), spread);
        String narrowed = verdict(new double[] {0.80, 0.80}, new double[] {0.80, 0.80}, new double[] {0.83, 0.83},
                new double[] {0.86, 0.86});
        assertTrue(narrowed.endsWith("gap narrowed, not closed: the recipe is 3.00 points behind Adam (vanilla 6.00;"
                + " combined std 0.00)"), narrowed);
        String not = verdict(new double[] {0.80, 0.80}, new double[] {0.80, 0.80}, new double[] {0.78, 0.78},
                new double[] {0.86, 0.86});
        assertTrue(not.endsWith("gap not closed: the recipe is 8.00 points behind Adam (vanilla 6.00;"
                + " combined std 0.00)"), not);
        String none = verdict(new double[] {0.87, 0.87}, new double[] {0.80, 0.80}, new double[] {0.85, 0.85},
                new double[] {0.86, 0.86});
        assertTrue(none.startsWith("batch 1024: vanilla RK4 ahead of Adam by 1.00 points;"), none);
        assertTrue(none.endsWith("no gap to close (vanilla RK4 is not behind Adam here): the recipe is 1.00 points"
                + " behind Adam (combined std 0.00)"), none);
    }

    @Test
    void settingsThatCannotChooseAStepSizeAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Ingredients.Settings("6-8-10:relu", methods(), List.of(4), 1, 2, 0));
        assertTrue(e.getMessage().contains("--validation 0") && e.getMessage().contains("never the test set"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Ingredients.Settings("6-8-10:relu", methods(), List.of(0), 1, 2, 4));
        assertTrue(e.getMessage().contains("--batch [0]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Ingredients.Settings("6-8-10:relu", methods(), List.of(4), 1, 0, 4));
        assertTrue(e.getMessage().contains("--seeds 0"), e.getMessage());
    }
}
