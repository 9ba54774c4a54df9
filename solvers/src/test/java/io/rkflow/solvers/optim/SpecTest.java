package io.rkflow.solvers.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.solvers.tableau.Tableaux;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpecTest {

    @Test
    void parsesThePapersOptimizer() {
        Spec spec = Spec.parse("rk4+adagrad+dal(p=2,c=0.5)+momentum(0.9)");
        assertEquals(Tableaux.RK4, spec.tableau());
        assertEquals(Preconditioner.modifiedAdaGrad(), spec.preconditioner());
        assertEquals(2.0, spec.dal().p());
        assertEquals(0.5, spec.dal().c());
        assertEquals(new Momentum(0.9, false), spec.momentum());
        assertEquals("rk4+h(0.1)+dal(c=0.5,p=2,hg=stages,eps=1.0e-5)+adagrad(delta=1)+momentum(0.9)", spec.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rk4", "sgd+lr(0.05)+nesterov(0.8)", "adam(lr=3e-4,wd=0.1)", "adamw",
        "dopri5+tol(rtol=1e-2,atol=1e-4)+ema(beta2=0.99)", "euler+dal(hg=fd,c=2)+warmup(10)+cosine(steps=100,min=0.1)",
        "heun+rmsprop(per_stage)+fresh_batch", "gauss2", "radau3+newton(krylov=10,tol=1e-4)+adagrad"})
    void theCanonicalFormReadsBackToAnEqualSpec(String text) {
        Spec spec = Spec.parse(text);
        assertEquals(spec, Spec.parse(spec.toString()), spec.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "rk5|unknown method 'rk5'; valid: sgd, adam, adamw, or a tableau: euler, heun",
        "rk4+adagard|unknown ingredient 'adagard'; valid: h (lr), warmup",
        "rk4+momentum(gamma=0.9)|momentum: unknown parameter 'gamma'; valid: beta",
        "rk4+momentum(1.5)|momentum: beta = 1.5, must be in [0, 1)",
        "rk4+h(0.1x)|h: h = '0.1x' is not a number",
        "rk4+h(abc)|h: unknown parameter 'abc' ('abc' is not a number either; a value looks like h(0.1)); valid: h",
        "rk4+lr=0.1|'lr=0.1' is not a name (in 'rk4+lr=0.1'); parameters go in parentheses: lr(0.1)",
        "rk4+tol(rtol=1e-3)|tol: step-size control needs an embedded pair",
        "rk4+newton|newton solves the stages of implicit tableaux (backward-euler, implicit-midpoint",
        "gauss2+dal|gauss2 is implicit: dal and per_stage preconditioning are for explicit tableaux",
        "euler+dal(hg=stages)|dal(hg=stages) estimates Hg from (k1 - k2)/(a21 h)",
        "rk4+adagrad+rmsprop|'rmsprop' is given twice",
        "adam+momentum(0.9)|adam and adamw take no RK ingredients",
        "rk4+(|unbalanced '('",
        "rk4++h(1)|empty term",
        "''|optimizer spec is empty",
    })
    void badSpecsAreErrorsThatSayWhatIsValid(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Spec.parse(text));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private static final String RALSTON_TEXT = """
            name = my-ralston
            order = 2
              0 |   0   0
            2/3 | 2/3   0
            ----+--------
                | 1/4 3/4
            """;

    @Test
    void aTableauFileTakesTheMethodsPlace(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("my.json"), "{\"name\": \"r2\", \"order\": 2, \"c\": [0, \"2/3\"],"
                + " \"a\": [[0, 0], [\"2/3\", 0]], \"b\": [\"1/4\", \"3/4\"]}");
        Spec spec = Spec.parse(file + "+h(0.05)");
        assertEquals(2.0 / 3, spec.tableau().a(1, 0), 0.0);
        assertEquals(Tableaux.RALSTON2.b(1), spec.tableau().b(1), 0.0);
        assertEquals(file.toAbsolutePath().normalize(), spec.tableauFile());
        assertEquals(file.toAbsolutePath().normalize() + "+h(0.05)", spec.toString());
        assertNull(Spec.parse("ralston2+h(0.05)").tableauFile());
    }

    @Test
    void aRelativeTableauFileIsWrittenAbsoluteAndReadsBackEqual(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("ralston.tab"), RALSTON_TEXT);
        Files.createDirectories(dir.resolve("sub"));
        // relative to the working folder, with a detour through sub/..
        Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("sub").resolve("..").resolve("ralston.tab"));
        Spec spec = Spec.parse(relative + "+adagrad+momentum(0.9)");
        assertEquals("my-ralston", spec.tableau().name());
        assertEquals(file.toAbsolutePath().normalize() + "+h(0.1)+adagrad(delta=1)+momentum(0.9)", spec.toString());
        assertEquals(spec, Spec.parse(spec.toString()));
    }

    @Test
    void changedCoefficientsMakeADifferentSpecAndFingerprint(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("ralston.txt"), RALSTON_TEXT);
        Spec before = Spec.parse(file.toString());
        Files.writeString(file, RALSTON_TEXT.replace("2/3", "1/2").replace("1/4 3/4", "0 1")); // the midpoint method
        Spec after = Spec.parse(before.toString());
        assertEquals(before.toString(), after.toString()); // the same path ...
        assertNotEquals(before, after); // ... but other coefficients
        assertNotEquals(before.tableau().fingerprint(), after.tableau().fingerprint());
    }

    @Test
    void aTableauFileIsValidatedAndItsErrorsNameIt(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("wrong.tab"), RALSTON_TEXT.replace("order = 2", "order = 3"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Spec.parse(file + "+adagrad"));
        assertTrue(e.getMessage().startsWith(file.toAbsolutePath().normalize() + ": tableau my-ralston is declared"
                + " order 3 but has order 2"), e.getMessage());
        Path missing = dir.resolve("missing.json");
        e = assertThrows(IllegalArgumentException.class, () -> Spec.parse(missing + "+h(0.1)"));
        assertEquals(missing.toAbsolutePath().normalize() + ": no such tableau file", e.getMessage());
    }

    @Test
    void anImplicitTableauFileGetsTheDefaultStageSolver(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("midpoint.json"),
                "{\"name\": \"my-implicit-midpoint\", \"order\": 2, \"c\": [0.5], \"a\": [[0.5]], \"b\": [1]}");
        Spec spec = Spec.parse(file.toString());
        assertEquals(StageSolver.fixedPoint(), spec.stageSolver());
        assertEquals(spec, Spec.parse(spec.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nosuch.json", "./nosuch", "nosuch.TAB+h(0.1)", "sub/nosuch"})
    void aMethodThatLooksLikeAPathIsReadAsAFile(String text) {
        String path = text.replace("+h(0.1)", "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Spec.parse(text));
        assertEquals(Path.of(path).toAbsolutePath().normalize() + ": no such tableau file", e.getMessage());
    }

    @Test
    void anUnknownNameSaysThatAFileWorksToo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Spec.parse("ralston+h(0.1)"));
        assertTrue(e.getMessage().contains("unknown method 'ralston'; valid: sgd, adam, adamw, or a tableau: euler,"),
                e.getMessage());
        assertTrue(e.getMessage().contains("radau3; or a tableau file (a path with '/' or ending in .json, .txt or"
                + " .tab, e.g. ./my-tableau.json)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Spec.parse("ralston.yaml"));
        assertTrue(e.getMessage().startsWith("unknown method 'ralston.yaml'; valid:"), e.getMessage());
    }
}
