package io.rkflow.train.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.data.FashionMnist;
import io.rkflow.solvers.optim.Spec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README keeps its promises: it starts with a quick start of the two commands CI runs, links
 * nothing outside the repository, lists every optimizer ingredient the grammar takes, states the
 * same times as --help, and its library example compiles and trains.
 */
class ReadmeTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize(); // tests run in train/

    private static String readme() throws IOException {
        return Files.readString(ROOT.resolve("README.md"));
    }

    @Test
    void theFirstSectionIsAQuickStartOfTheTwoCommandsAndCiRunsTheTestOne() throws IOException {
        String text = readme();
        Matcher first = Pattern.compile("(?m)^## (.+)$").matcher(text);
        assertTrue(first.find());
        assertEquals("Quick start", first.group(1));
        int end = first.find() ? first.start() : text.length();
        String quick = text.substring(0, end);
        assertTrue(quick.contains("./rkflow train ") && quick.contains("./rkflow test "), quick);
        List<String> ci = Files.readAllLines(ROOT.resolve(".ci/run")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertEquals("./rkflow test", ci.get(ci.size() - 1), "CI runs the README's test command");
        assertTrue(Files.isRegularFile(ROOT.resolve("LICENSE")));
    }

    @Test
    void noDocumentLinksOutsideTheRepository() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (var files = Files.list(ROOT.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).forEach(docs::add);
        }
        Pattern link = Pattern.compile("\\]\\(([^)]+)\\)");
        for (Path doc : docs) {
            String text = Files.readString(doc);
            assertFalse(text.contains("http://") || text.contains("https://"), doc + " links outside the repository");
            assertFalse(text.contains("../shared"), doc + " points outside the repository");
            Matcher m = link.matcher(text);
            while (m.find()) {
                String target = m.group(1).replaceAll("#.*", "");
                if (!target.isEmpty()) {
                    assertTrue(Files.exists(doc.getParent().resolve(target)), doc + " links to " + target
                            + ", which is not there");
                }
            }
        }
    }

    @Test
    void everyIngredientOfTheGrammarIsDescribed() throws IOException {
        String text = readme();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Spec.parse("rk4+nosuch"));
        Matcher valid = Pattern.compile("valid: (.*)$").matcher(e.getMessage());
        assertTrue(valid.find(), e.getMessage());
        for (String name : valid.group(1).split(",\\s*")) {
            String n = name.replaceAll("\\s*\\(.*\\)", "").strip();
            assertTrue(text.contains("`" + n + "(") || text.contains("`" + n + "`"), "README describes " + n);
        }
    }

    @Test
    void theQuickFigureOneTimeIsTheSameInTheReadmeAndTheHelp() throws IOException {
        String help = io.rkflow.train.cli.Main.commandLine().getSubcommands().get("experiment").getSubcommands()
                .get("figure1").getUsageMessage();
        Matcher m = Pattern.compile("2 epochs: about (\\d+ s)").matcher(help);
        assertTrue(m.find(), help);
        assertTrue(readme().contains("takes about " + m.group(1)), "the README says " + m.group(1) + " too");
    }

    @Test
    void theIngredientsTimesAreTheSameInTheReadmeAndTheHelp() throws IOException {
        String help = io.rkflow.train.cli.Main.commandLine().getSubcommands().get("experiment").getSubcommands()
                .get("ingredients").getUsageMessage();
        Matcher m = Pattern.compile("Defaults: about (\\d+ minutes) on 2 cores; --quick: about ([\\d.]+ minutes)")
                .matcher(help.replaceAll("\\s+", " "));
        assertTrue(m.find(), help);
        String readme = readme().replaceAll("\\s+", " ");
        assertTrue(readme.contains("The defaults took about " + m.group(1)), "the README says " + m.group(1) + " too");
        assertTrue(readme.contains("(784-128-10, 2 epochs) takes about " + m.group(2)),
                "the README says " + m.group(2) + " too");
    }

    @Test
    void theLibraryExampleCompilesAndTrains(@TempDir Path dir) throws Exception {
        Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme());
        String source = null;
        while (block.find()) {
            if (block.group(1).contains("public class TrainFashionMnist")) {
                source = block.group(1);
            }
        }
        assertNotNull(source, "the README's library example");
        Path src = dir.resolve("TrainFashionMnist.java");
        Files.writeString(src, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK's compiler");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        StringWriter diagnostics = new StringWriter();
        boolean ok = javac.getTask(diagnostics, null, null, List.of("-classpath", System.getProperty("java.class.path"),
                "--add-modules", "jdk.incubator.vector", "-d", classes.toString(), "-proc:none"), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(src.toFile()))
                .call();
        assertTrue(ok, diagnostics.toString());
        org.junit.jupiter.api.Assumptions.assumeTrue(FashionMnist.findInstalled(System.getenv()) != null,
                "Fashion-MNIST is not installed or cached: the example compiled, and is not run");
        Path out = dir.resolve("run");
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ReadmeTest.class.getClassLoader())) {
            Method main = loader.loadClass("TrainFashionMnist").getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {out.toString()});
        } finally {
            System.setOut(stdout);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        Matcher acc = Pattern.compile("test accuracy (\\d+\\.\\d+)% after 468 steps").matcher(text);
        assertTrue(acc.find(), text);
        assertTrue(Double.parseDouble(acc.group(1)) > 80, text);
        assertTrue(Files.readAllLines(out.resolve("metrics.csv")).size() > 2);
    }
}
