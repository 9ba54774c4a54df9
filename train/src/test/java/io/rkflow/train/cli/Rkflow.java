package io.rkflow.train.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Runs the {@code rkflow} command line in this JVM, as {@code Main} does, and keeps what it printed. */
final class Rkflow {
    private Rkflow() {}

    /** The exit code, standard output, and standard error with picocli's error stream. */
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            picocli.CommandLine cl = Main.commandLine();
            StringWriter picocliErr = new StringWriter();
            cl.setErr(new PrintWriter(picocliErr, true));
            int code = cl.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8),
                    picocliErr + err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    /** Runs a command that must succeed (exit code 0). */
    static Result ok(String... args) {
        Result r = run(args);
        assertEquals(0, r.code(), r.out() + r.err());
        return r;
    }

    /** Runs a command that must be refused as bad input (exit code 2); returns what it said on stderr. */
    static String refused(String... args) {
        Result r = run(args);
        assertEquals(2, r.code(), r.out() + r.err());
        return r.err();
    }

    static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), () -> "message lacks '" + p + "': " + message);
        }
    }

    /** {@code a} then {@code b}: common arguments and a test's own. */
    static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** A run's metrics.csv lines without the timing columns (ms per step, samples/s), which no two runs share. */
    static List<String> untimed(Path run) throws IOException {
        List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
        List<String> header = Arrays.asList(lines.get(0).split(","));
        int ms = header.indexOf("ms_per_step");
        int sps = header.indexOf("samples_per_second");
        return lines.stream().map(l -> {
            String[] f = l.split(",", -1);
            f[ms] = "";
            f[sps] = "";
            return String.join(",", f);
        }).toList();
    }
}
