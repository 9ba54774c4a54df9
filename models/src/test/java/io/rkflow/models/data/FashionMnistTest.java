package io.rkflow.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
    private final List<List<String>> commands = new ArrayList<>();

    private String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    private Path debian() {
        return tmp.resolve("usr-share-datasets-fashion-mnist");
    }

    private Path cache() {
        return tmp.resolve("cache/rkflow/fashion-mnist");
    }

    /** A locator on temp folders whose runner fails the test if called. */
    private FashionMnist offline() {
        return new FashionMnist(debian(), cache(), (c, d, l) -> {
            throw new AssertionError("no download expected, got " + c);
        }, tool -> true);
    }

    /** A runner that fakes apt-get download and dpkg-deb -x, writing {@code files} of the package. */
    private FashionMnist.CommandRunner fakeApt(int filesInPackage) {
        return (command, workDir, l) -> {
            commands.add(command);
            if (command.subList(0, 2).equals(List.of("apt-get", "download"))) {
                assertEquals(FashionMnist.PACKAGE, command.get(2));
                assertTrue(workDir.startsWith(cache()), "downloads inside the cache: " + workDir);
                Files.writeString(workDir.resolve("dataset-fashion-mnist_0.0~git20200523.55506a9-1_all.deb"), "!<arch>");
                return new FashionMnist.CommandResult(0, "Get:1 http://deb.debian.org ...");
            }
            if (command.subList(0, 2).equals(List.of("dpkg-deb", "-x"))) {
                assertTrue(Files.isRegularFile(Path.of(command.get(2))), "extracts the downloaded .deb");
                Path dir = Path.of(command.get(3)).resolve("usr/share/datasets/fashion-mnist");
                Path doc = Path.of(command.get(3)).resolve("usr/share/doc/dataset-fashion-mnist");
                Files.createDirectories(doc);
                Files.writeString(doc.resolve("copyright"), "MIT");
                IdxFiles.writeFourFiles(dir);
                List<String> names = FashionMnist.FILES;
                for (int i = filesInPackage; i < names.size(); i++) Files.delete(dir.resolve(names.get(i) + ".gz"));
                return new FashionMnist.CommandResult(0, "");
            }
            throw new AssertionError("unexpected command " + command);
        };
    }

    private static Map<String, String> noEnv() {
        return Map.of();
    }

    private static boolean anyTempFolderLeft(Path cache) throws IOException {
        if (!Files.isDirectory(cache)) return false;
        try (Stream<Path> s = Files.list(cache)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(".download-"));
        }
    }

    @Test
    void aDownloadToolsOutputIsKeptForTheFailureMessageNotEchoed(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        FashionMnist.CommandResult r = FashionMnist.runProcess(List.of("sh", "-c",
                "echo 'W: Download is performed unsandboxed as root'; echo 'Get:1 dataset-fashion-mnist'; exit 3"),
                dir, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(3, r.exitCode());
        assertTrue(r.output().contains("W: Download is performed unsandboxed as root")
                && r.output().contains("Get:1"), r.output());
        assertEquals("", log.toString(StandardCharsets.UTF_8), "apt-get's warnings read like failures: not echoed");
    }

    @Test
    void theInstalledDataIsFoundInTheUserCacheThatTrainFills(@TempDir Path dir) throws IOException {
        Map<String, String> env = Map.of("XDG_CACHE_HOME", dir.toString(), "HOME", dir.toString());
        boolean debian = FashionMnist.missing(FashionMnist.DEBIAN_FOLDER).isEmpty();
        assertEquals(debian ? FashionMnist.DEBIAN_FOLDER : null, FashionMnist.findInstalled(env));
        Path cache = FashionMnist.cacheFolder(env);
        IdxFiles.writeFourFiles(cache);
        assertEquals(debian ? FashionMnist.DEBIAN_FOLDER : cache, FashionMnist.findInstalled(env));
        Path own = dir.resolve("own");
        IdxFiles.writeFourFiles(own);
        assertEquals(own, FashionMnist.findInstalled(Map.of("XDG_CACHE_HOME", dir.toString(), "RKFLOW_DATA",
                own.toString())), "$RKFLOW_DATA comes first");
    }

    @Test
    void precedenceDataOptionThenEnvThenPackageThenCache() throws IOException {
        Path data = tmp.resolve("data");
        Path env = tmp.resolve("env");
        for (Path p : List.of(data, env, debian(), cache())) IdxFiles.writeFourFiles(p);
        FashionMnist f = offline();
        Map<String, String> withEnv = Map.of("RKFLOW_DATA", env.toString());
        assertEquals(data, f.find(data, withEnv, log));
        assertEquals(env, f.find(null, withEnv, log));
        assertEquals(debian(), f.find(null, noEnv(), log));
        assertEquals(debian(), f.find(null, Map.of("RKFLOW_DATA", " "), log));
        for (String name : FashionMnist.FILES) Files.delete(debian().resolve(name + ".gz"));
        assertEquals(cache(), f.find(null, noEnv(), log));
    }

    @Test
    void incompleteEnvFolderIsSkippedWithANote() throws IOException {
        Path env = tmp.resolve("env");
        IdxFiles.writeFourFiles(env);
        Files.delete(env.resolve("t10k-labels-idx1-ubyte.gz"));
        IdxFiles.writeFourFiles(debian());
        assertEquals(debian(), offline().find(null, Map.of("RKFLOW_DATA", env.toString()), log));
        assertTrue(log().contains("RKFLOW_DATA=" + env) && log().contains("missing t10k-labels-idx1-ubyte"), log());
    }

    @Test
    void uncompressedNamesAreAccepted() throws IOException {
        Path data = tmp.resolve("raw");
        IdxFiles.writeFourFiles(data);
        for (String name : FashionMnist.FILES) {
            Path gz = data.resolve(name + ".gz");
            try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz))) {
                Files.write(data.resolve(name), in.readAllBytes());
            }
            Files.delete(gz);
        }
        assertEquals(data, offline().find(data, noEnv(), log));
        Dataset[] sets = FashionMnist.loadIdxFolder(data, "raw");
        assertEquals(20, sets[0].rows());
        assertEquals(10, sets[1].rows());
    }

    @Test
    void dataOptionIsTheOnlyPlaceLookedAtWhenGiven() throws IOException {
        IdxFiles.writeFourFiles(debian());
        IdxFiles.writeFourFiles(cache());
        Path data = tmp.resolve("data");
        IdxFiles.writeFourFiles(data);
        Files.delete(data.resolve("train-labels-idx1-ubyte.gz"));
        IOException e = assertThrows(IOException.class, () -> offline().find(data, noEnv(), log));
        String m = e.getMessage();
        assertTrue(m.startsWith("--data " + data + ": missing train-labels-idx1-ubyte(.gz)"), m);
        for (String name : FashionMnist.FILES) assertTrue(m.contains(name + ".gz"), m);
        assertTrue(m.contains("in that folder"), m);

        Path nowhere = tmp.resolve("nowhere");
        m = assertThrows(IOException.class, () -> offline().find(nowhere, noEnv(), log)).getMessage();
        assertTrue(m.contains("--data " + nowhere + ": no such folder") && m.contains("train-images-idx3-ubyte.gz"), m);
    }

    @Test
    void downloadsThePackageIntoTheCache() throws IOException {
        FashionMnist f = new FashionMnist(debian(), cache(), fakeApt(4), tool -> true);
        assertEquals(cache(), f.find(null, noEnv(), log));
        assertEquals(2, commands.size());
        assertEquals(List.of("apt-get", "download", "dataset-fashion-mnist"), commands.get(0));
        assertEquals("dpkg-deb", commands.get(1).get(0));
        for (String name : FashionMnist.FILES) assertTrue(Files.isRegularFile(cache().resolve(name + ".gz")), name);
        assertFalse(anyTempFolderLeft(cache()), "temporary folder removed");
        try (Stream<Path> s = Files.list(cache())) {
            assertEquals(4, s.count(), "only the four files end up in the cache");
        }
        assertTrue(log().contains("downloading the Debian package dataset-fashion-mnist")
                && log().contains(cache().resolve(".download-").toString()), log());
        Dataset[] sets = FashionMnist.loadIdxFolder(cache(), "fake");
        assertEquals("fake train", sets[0].name());
        assertEquals(6, sets[1].features());
        // Found in the cache from now on: no second download.
        assertEquals(cache(), offline().find(null, noEnv(), log));
    }

    @Test
    void failedDownloadSaysHowToGetTheData() throws IOException {
        FashionMnist f = new FashionMnist(debian(), cache(), (command, workDir, l) -> {
            commands.add(command);
            return new FashionMnist.CommandResult(100, "E: Unable to locate package dataset-fashion-mnist");
        }, tool -> true);
        String m = assertThrows(IOException.class, () -> f.find(null, noEnv(), log)).getMessage();
        assertHowTo(m);
        assertTrue(m.contains("exit code 100") && m.contains("Unable to locate package"), m);
        assertTrue(m.contains(debian() + " (no such folder)") && m.contains("RKFLOW_DATA (not set)"), m);
        assertEquals(1, commands.size());
        assertFalse(anyTempFolderLeft(cache()));
    }

    @Test
    void incompletePackageMovesNothing() throws IOException {
        FashionMnist f = new FashionMnist(debian(), cache(), fakeApt(3), tool -> true);
        String m = assertThrows(IOException.class, () -> f.find(null, noEnv(), log)).getMessage();
        assertHowTo(m);
        assertTrue(m.contains("missing t10k-labels-idx1-ubyte"), m);
        try (Stream<Path> s = Files.list(cache())) {
            assertEquals(0, s.count(), "no partial data set in the cache");
        }
    }

    @Test
    void throwingRunnerSaysHowToGetTheData() {
        FashionMnist f = new FashionMnist(debian(), cache(), (command, workDir, l) -> {
            throw new IOException("Cannot run program \"apt-get\"");
        }, tool -> true);
        String m = assertThrows(IOException.class, () -> f.find(null, noEnv(), log)).getMessage();
        assertHowTo(m);
        assertTrue(m.contains("Cannot run program"), m);
    }

    @Test
    void noDownloadWithoutAptAndDpkgDeb() {
        FashionMnist f = new FashionMnist(debian(), cache(), (c, d, l) -> {
            throw new AssertionError("must not run " + c);
        }, tool -> tool.equals("apt-get"));
        String m = assertThrows(IOException.class, () -> f.find(null, noEnv(), log)).getMessage();
        assertHowTo(m);
        assertTrue(m.contains("apt-get and dpkg-deb"), m);
        assertFalse(Files.exists(cache()), "nothing created without a download");
    }

    private static void assertHowTo(String m) {
        assertTrue(m.startsWith("Fashion-MNIST data not found"), m);
        assertTrue(m.contains("apt-get install dataset-fashion-mnist"), m);
        assertTrue(m.contains("--data DIR") && m.contains("RKFLOW_DATA=DIR"), m);
        for (String name : FashionMnist.FILES) assertTrue(m.contains(name + ".gz"), m);
    }

    @Test
    void cacheFolderFollowsXdg() {
        assertEquals(Path.of("/x/c/rkflow/fashion-mnist"), FashionMnist.cacheFolder(Map.of("XDG_CACHE_HOME", "/x/c")));
        assertEquals(Path.of("/home/u/.cache/rkflow/fashion-mnist"), FashionMnist.cacheFolder(Map.of("HOME", "/home/u")));
        assertEquals(Path.of("/home/u/.cache/rkflow/fashion-mnist"),
                FashionMnist.cacheFolder(Map.of("HOME", "/home/u", "XDG_CACHE_HOME", "relative")));
    }

    @Test
    void toolsAreLookedUpOnThePath() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path tool = Files.writeString(bin.resolve("apt-get"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = Map.of("PATH", "/nonexistent:" + bin);
        assertTrue(FashionMnist.onPath("apt-get", env));
        assertFalse(FashionMnist.onPath("dpkg-deb", env));
        assertFalse(FashionMnist.onPath("apt-get", Map.of()));
    }

    @Test
    void loadChecksTheFashionMnistSizes() throws IOException {
        IdxFiles.writeFourFiles(tmp.resolve("tiny"));
        String m = assertThrows(IdxFormatException.class, () -> FashionMnist.load(tmp.resolve("tiny"))).getMessage();
        assertTrue(m.contains("fashion-mnist train has 20 images of 6 pixels") && m.contains("60000"), m);
        m = assertThrows(IOException.class, () -> FashionMnist.loadIdxFolder(tmp.resolve("none"), "x")).getMessage();
        assertTrue(m.contains("no such folder") && m.contains("t10k-images-idx3-ubyte.gz"), m);
    }

    /** The one test on the real data set, only where the Debian package is installed. */
    @Test
    void realFashionMnistFromTheDebianPackage() throws IOException {
        Path folder = FashionMnist.DEBIAN_FOLDER;
        assumeTrue(Files.isDirectory(folder) && FashionMnist.missing(folder).isEmpty(),
                "dataset-fashion-mnist is not installed in " + folder);
        Dataset[] sets = FashionMnist.load(folder);
        assertEquals("fashion-mnist train", sets[0].name());
        assertEquals("fashion-mnist test", sets[1].name());
        int[] rows = {60000, 10000};
        for (int s = 0; s < 2; s++) {
            Dataset d = sets[s];
            assertEquals(rows[s], d.rows());
            assertEquals(784, d.features());
            assertEquals(10, d.classes());
            int[] counts = new int[10];
            for (int y : d.labels()) counts[y]++;
            int[] expected = new int[10];
            java.util.Arrays.fill(expected, rows[s] / 10);
            assertArrayEquals(expected, counts, d.name());
        }
        assertEquals(0.2860, sets[0].mean(), 1e-3);
        assertEquals(0.3530, sets[0].std(), 1e-3);
    }
}
