package io.rkflow.train.cli;

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
            description = "A tableau to print as a Butcher array: a catalogue name, or a text/JSON file to validate"
                    + " (its shape, row sums and the order conditions of its declared orders).")
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
        // an existing file wins over a name here; a path that names no file is still read, to say so
        Path file = Path.of(name);
        ButcherTableau t;
        if (Files.exists(file) || TableauReader.looksLikePath(name)) {
            t = TableauReader.read(file); // checks the coefficients, order conditions included
        } else {
            try {
                t = Tableaux.byName(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + "; or a tableau file (text or JSON)", e);
            }
        }
        out.print(t);
        out.flush(); // print() does not flush, and main() exits right after
        return 0;
    }
}
