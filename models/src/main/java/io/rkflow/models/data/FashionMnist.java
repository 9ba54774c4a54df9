package io.rkflow.models.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Finding and loading Fashion-MNIST (Xiao, Rasul, Vollgraf 2017: 60000 training and 10000 test
 * images of 28 x 28 grey pixels, 10 classes of clothing), stored as the four standard IDX files
 * {@link #FILES}, gzipped or not. MNIST uses the same file names and format, so
 * {@link #loadIdxFolder} reads an MNIST folder too.
 *
 * <p>{@link #locate} looks, in order, in the {@code --data} folder (and, when one is given, only
 * there), in {@code $RKFLOW_DATA}, in the Debian package's folder {@link #DEBIAN_FOLDER}
 * ({@code apt-get install dataset-fashion-mnist}), and in the user cache
 * {@code ${XDG_CACHE_HOME:-~/.cache}/rkflow/fashion-mnist}. If none has the files and the system
 * has {@code apt-get} and {@code dpkg-deb}, it downloads the Debian package without root
 * ({@code apt-get download}, {@code dpkg-deb -x}) and unpacks the four files into the cache.
 */
public final class FashionMnist {
    /** Where the Debian package {@value #PACKAGE} installs the files. */
    public static final Path DEBIAN_FOLDER = Path.of("/usr/share/datasets/fashion-mnist");
    /** The Debian package holding the data. */
    public static final String PACKAGE = "dataset-fashion-mnist";
    /** The four file names, without the {@code .gz} that the downloads and the package have. */
    public static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
    /** The environment variable naming a data folder. */
    public static final String ENV_VAR = "RKFLOW_DATA";

    private static final String EXPECTED = String.join(", ", FILES.stream().map(f -> f + ".gz").toList())
            + " (or the same names without .gz)";
    private static final int OUTPUT_TAIL_LINES = 15;

    /** The result of an external command: its exit code and the tail of its output. */
    record CommandResult(int exitCode, String output) {}

    /** Runs an external command in a folder; injectable so tests never touch the network. */
    @FunctionalInterface
    interface CommandRunner {
        CommandResult run(List<String> command, Path workDir, PrintStream log) throws IOException, InterruptedException;
    }

    private final Path debianFolder;
    private final Path cacheFolder;
    private final CommandRunner runner;
    private final Predicate<String> toolAvailable;

    /**
     * @param debianFolder  the package folder ({@link #DEBIAN_FOLDER} in production)
     * @param cacheFolder   the user cache folder ({@link #cacheFolder(Map)} in production)
     * @param runner        runs {@code apt-get} and {@code dpkg-deb}
     * @param toolAvailable whether a command is on the PATH
     */
    FashionMnist(Path debianFolder, Path cacheFolder, CommandRunner runner, Predicate<String> toolAvailable) {
        this.debianFolder = debianFolder;
        this.cacheFolder = cacheFolder;
        this.runner = runner;
        this.toolAvailable = toolAvailable;
    }

    /**
     * The folder holding the four Fashion-MNIST files, downloading them into the user cache if
     * needed and possible (see the class comment for the search order).
     *
     * @param dataOption the {@code --data} folder, or null when not given
     * @param env        the environment ({@code System.getenv()}): RKFLOW_DATA, XDG_CACHE_HOME, HOME, PATH
     * @param log        where to say what is being done (a download, a folder skipped)
     * @throws IOException if the data is not found and cannot be downloaded; the message says how to get it
     */
    public static Path locate(Path dataOption, Map<String, String> env, PrintStream log) throws IOException {
        return new FashionMnist(DEBIAN_FOLDER, cacheFolder(env), FashionMnist::runProcess, tool -> onPath(tool, env))
                .find(dataOption, env, log);
    }

    /**
     * The folder {@link #locate} would use without a --data option, when one already holds the four
     * files: {@value #ENV_VAR}, Debian's package, then the user cache (where {@code ./rkflow train}
     * downloads them); null when none does. Downloads nothing.
     */
    public static Path findInstalled(Map<String, String> env) {
        List<Path> candidates = new ArrayList<>();
        String fromEnv = env.get(ENV_VAR);
        if (fromEnv != null && !fromEnv.isBlank()) {
            candidates.add(Path.of(fromEnv));
        }
        candidates.add(DEBIAN_FOLDER);
        candidates.add(cacheFolder(env));
        for (Path p : candidates) {
            if (missing(p).isEmpty()) {
                return p;
            }
        }
        return null;
    }

    /** {@code ${XDG_CACHE_HOME:-$HOME/.cache}/rkflow/fashion-mnist} (a relative XDG_CACHE_HOME is ignored, per the XDG spec). */
    static Path cacheFolder(Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = null;
        if (xdg != null && !xdg.isBlank()) {
            try {
                Path p = Path.of(xdg);
                if (p.isAbsolute()) base = p;
            } catch (InvalidPathException ignored) {
                // fall back to ~/.cache
            }
        }
        if (base == null) {
            String home = env.get("HOME");
            base = Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".cache");
        }
        return base.resolve("rkflow").resolve("fashion-mnist");
    }

    /** The search itself, on this instance's folders and runner. */
    Path find(Path dataOption, Map<String, String> env, PrintStream log) throws IOException {
        if (dataOption != null) {
            List<String> missing = missing(dataOption);
            if (!missing.isEmpty()) {
                throw new io.rkflow.models.io.BadFileException("--data " + dataOption + ": " + describeMissing(dataOption, missing)
                        + "; expected the four Fashion-MNIST files " + EXPECTED + " in that folder");
            }
            return dataOption;
        }
        List<String> looked = new ArrayList<>();
        String fromEnv = env.get(ENV_VAR);
        if (fromEnv == null || fromEnv.isBlank()) {
            looked.add(ENV_VAR + " (not set)");
        } else {
            Path p = Path.of(fromEnv);
            List<String> missing = missing(p);
            if (missing.isEmpty()) return p;
            String why = describeMissing(p, missing);
            log.println("rkflow: " + ENV_VAR + "=" + p + ": " + why + "; looking elsewhere");
            looked.add(ENV_VAR + "=" + p + " (" + why + ")");
        }
        for (Path p : List.of(debianFolder, cacheFolder)) {
            List<String> missing = missing(p);
            if (missing.isEmpty()) return p;
            looked.add(p + " (" + describeMissing(p, missing) + ")");
        }
        String failure = download(log);
        if (failure == null) {
            List<String> missing = missing(cacheFolder);
            if (missing.isEmpty()) {
                log.println("rkflow: Fashion-MNIST is now in " + cacheFolder);
                return cacheFolder;
            }
            failure = "after the download, " + cacheFolder + ": " + describeMissing(cacheFolder, missing);
        }
        throw new IOException("Fashion-MNIST data not found. Looked in: " + String.join("; ", looked)
                + ".\nDownload into the cache: " + failure + "\n" + howToGetIt());
    }

    /** How a user gets the data, the end of every "not found" message. */
    static String howToGetIt() {
        return "To get the data, either\n"
                + "  - install the Debian/Ubuntu package, as root:  apt-get install " + PACKAGE
                + "   (it puts the files in " + DEBIAN_FOLDER + ", where rkflow finds them), or\n"
                + "  - download the four files " + EXPECTED
                + " (https://github.com/zalandoresearch/fashion-mnist) into a folder DIR and pass --data DIR"
                + " or set " + ENV_VAR + "=DIR.";
    }

    /**
     * Downloads the Debian package into a temporary folder inside the cache folder, unpacks it and
     * moves the four files into the cache folder once all are there. Returns null on success, or
     * why it could not.
     */
    private String download(PrintStream log) {
        if (!toolAvailable.test("apt-get") || !toolAvailable.test("dpkg-deb")) {
            return "not possible here (needs a Debian-family system with apt-get and dpkg-deb on the PATH)";
        }
        Path tmp;
        try {
            Files.createDirectories(cacheFolder);
            tmp = Files.createTempDirectory(cacheFolder, ".download-");
        } catch (IOException e) {
            return "cannot create a folder in " + cacheFolder + " (" + e + ")";
        }
        log.println("rkflow: Fashion-MNIST not found; downloading the Debian package " + PACKAGE
                + " (about 31 MB, no root needed) with 'apt-get download' into " + tmp
                + ", to unpack it into " + cacheFolder);
        try {
            CommandResult r = runner.run(List.of("apt-get", "download", PACKAGE), tmp, log);
            if (r.exitCode() != 0) {
                return "'apt-get download " + PACKAGE + "' failed with exit code " + r.exitCode() + tail(r.output());
            }
            Path deb;
            try (Stream<Path> s = Files.list(tmp)) {
                deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst().orElse(null);
            }
            if (deb == null) {
                return "'apt-get download " + PACKAGE + "' succeeded but left no .deb file in " + tmp + tail(r.output());
            }
            Path root = tmp.resolve("root");
            r = runner.run(List.of("dpkg-deb", "-x", deb.toString(), root.toString()), tmp, log);
            if (r.exitCode() != 0) {
                return "'dpkg-deb -x " + deb + " " + root + "' failed with exit code " + r.exitCode() + tail(r.output());
            }
            Path unpacked = root.resolve(DEBIAN_FOLDER.toString().substring(1));
            List<String> missing = missing(unpacked);
            if (!missing.isEmpty()) {
                return "the package " + deb.getFileName() + " unpacked to " + root + " but "
                        + describeMissing(unpacked, missing);
            }
            // Complete: only now move the files into place, each with one rename.
            for (String f : FILES) {
                Path src = resolve(unpacked, f);
                Files.move(src, cacheFolder.resolve(src.getFileName()),
                        StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (IOException | UncheckedIOException e) {
            return "failed (" + e + ")";
        } finally {
            deleteRecursively(tmp, log);
        }
    }

    private static String tail(String output) {
        return output == null || output.isBlank() ? "" : ":\n" + output.strip().indent(4).stripTrailing();
    }

    private static void deleteRecursively(Path dir, PrintStream log) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | UncheckedIOException e) {
            log.println("rkflow: could not remove the temporary folder " + dir + " (" + e + ")");
        }
    }

    /** The file {@code name}.gz or, failing that, {@code name} in {@code folder}; null if neither is a file. */
    static Path resolve(Path folder, String name) {
        Path gz = folder.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) return gz;
        Path raw = folder.resolve(name);
        return Files.isRegularFile(raw) ? raw : null;
    }

    /** The names of {@link #FILES} absent from {@code folder}. */
    static List<String> missing(Path folder) {
        List<String> missing = new ArrayList<>();
        for (String f : FILES) if (resolve(folder, f) == null) missing.add(f + "(.gz)");
        return missing;
    }

    private static String describeMissing(Path folder, List<String> missing) {
        if (Files.isRegularFile(folder)) return "a file, not a folder";
        if (!Files.isDirectory(folder)) return "no such folder";
        if (!Files.isReadable(folder) || !Files.isExecutable(folder)) return "the folder is not readable (permission denied)";
        List<String> absent = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (String name : FILES) {
            if (resolve(folder, name) != null) continue;
            Path gz = folder.resolve(name + ".gz");
            Path raw = folder.resolve(name);
            if (Files.exists(gz) || Files.exists(raw)) {
                Path there = Files.exists(gz) ? gz : raw;
                other.add(there.getFileName() + (Files.isDirectory(there) ? " is a folder, not a file" : " is not a regular file"));
            } else {
                absent.add(name + "(.gz)");
            }
        }
        List<String> parts = new ArrayList<>(other);
        if (!absent.isEmpty()) parts.add("missing " + String.join(", ", absent));
        return parts.isEmpty() ? "missing " + String.join(", ", missing) : String.join("; ", parts);
    }

    /** Whether {@code tool} is an executable file in one of the PATH folders of {@code env}. */
    static boolean onPath(String tool, Map<String, String> env) {
        String path = env.get("PATH");
        if (path == null) return false;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            try {
                if (Files.isExecutable(Path.of(dir, tool))) return true;
            } catch (InvalidPathException ignored) {
                // skip a malformed PATH entry
            }
        }
        return false;
    }

    /**
     * Runs a command and keeps the last lines of its output for the message of a failure; nothing
     * is echoed (apt-get's warnings, such as the unsandboxed download as root, read like failures
     * on a run that goes on fine).
     */
    static CommandResult runProcess(List<String> command, Path workDir, PrintStream log)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        Deque<String> lastLines = new ArrayDeque<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (lastLines.size() == OUTPUT_TAIL_LINES) lastLines.removeFirst();
                lastLines.addLast(line);
            }
        } finally {
            if (p.isAlive() && Thread.currentThread().isInterrupted()) p.destroy();
        }
        return new CommandResult(p.waitFor(), String.join("\n", lastLines));
    }

    /**
     * Fashion-MNIST from {@code folder}: {train (60000 rows), test (10000 rows)}, 784 features,
     * 10 classes, pixels in [0, 1], named "fashion-mnist train" and "fashion-mnist test".
     *
     * @throws IOException if files are missing or malformed, or the sizes are not Fashion-MNIST's
     */
    public static Dataset[] load(Path folder) throws IOException {
        Dataset[] sets = loadIdxFolder(folder, "fashion-mnist");
        int[] expectedRows = {60000, 10000};
        for (int i = 0; i < 2; i++) {
            Dataset d = sets[i];
            if (d.rows() != expectedRows[i] || d.features() != 28 * 28) {
                throw new IdxFormatException(folder + ": " + d.name() + " has " + d.rows() + " images of "
                        + d.features() + " pixels; Fashion-MNIST has " + expectedRows[i]
                        + " images of 28 x 28 = 784 pixels (use loadIdxFolder for other MNIST-style sets)");
            }
        }
        return sets;
    }

    /**
     * Any MNIST-style folder holding the four standard file names (MNIST itself, Fashion-MNIST,
     * KMNIST): {train, test}, named {@code name + " train"} and {@code name + " test"}, of any size.
     *
     * @throws IOException if a file is missing (the message names the folder and the files expected) or malformed
     */
    public static Dataset[] loadIdxFolder(Path folder, String name) throws IOException {
        List<String> missing = missing(folder);
        if (!missing.isEmpty()) {
            throw new io.rkflow.models.io.BadFileException(folder + ": " + describeMissing(folder, missing) + "; expected the four files "
                    + EXPECTED + " in that folder");
        }
        return new Dataset[] {
            Dataset.fromIdx(name + " train", resolve(folder, FILES.get(0)), resolve(folder, FILES.get(1))),
            Dataset.fromIdx(name + " test", resolve(folder, FILES.get(2)), resolve(folder, FILES.get(3))),
        };
    }
}
