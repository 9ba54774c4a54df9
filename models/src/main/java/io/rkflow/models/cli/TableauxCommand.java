package io.rkflow.models.cli;

import io.rkflow.solvers.tableau.ButcherTableau;
import io.rkflow.solvers.tableau.TableauReader;
import io.rkflow.solvers.tableau.Tableaux;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "tableaux", mixinStandardHelpOptions = true,
        description = "List the Butcher tableaux, or show one (by name, or a tableau file to check).")
final class TableauxCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "NAME|FILE",
            description = "A tableau to print as a Butcher array: a catalogue name, or a text/JSON file to validate.")
    String name;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (name == null) {
            out.printf("%-18s %-20s %6s %9s %5s%n", "name", "kind", "stages", "order", "FSAL");
            for (ButcherTableau t : Tableaux.all()) {
                String kind = t.explicit() ? "explicit" : t.diagonallyImplicit() ? "diagonally implicit" : "implicit";
                String order = t.embedded() ? t.order() + "(" + t.embeddedOrder() + ")" : String.valueOf(t.order());
                out.printf("%-18s %-20s %6d %9s %5s%n", t.name(), kind, t.stages(), order, t.fsal() ? "yes" : "");
            }
            out.flush();
            return 0;
        }
        Path file = Path.of(name);
        ButcherTableau t = Files.isRegularFile(file) ? TableauReader.read(file) : Tableaux.byName(name);
        out.print(t);
        out.flush(); // print() does not flush, and main() exits right after
        return 0;
    }
}
