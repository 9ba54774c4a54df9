package io.rkflow.train.plot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Legend labels for runs. A run is labelled by its optimizer's spec ({@code settings.optimizer} of
 * its folder's {@code run.json}), else by its folder's name. Runs that share a label are told
 * apart by the settings that differ among them: model, batch and seed first, then any other
 * setting, as in {@code "rk4+h(0.1) batch 32"}. Runs whose settings are all alike get their folder's
 * name in brackets where that differs, else the path they were given as.
 */
public final class RunLabels {

    /** The settings that tell runs apart, in the order they appear in a label. */
    static final List<String> FIRST = List.of("model", "batch", "seed");

    private RunLabels() {
    }

    /**
     * The label of each run, in order.
     *
     * @param runs the metrics files read
     * @param given the paths the runs were given as (the last resort to tell them apart)
     * @throws IllegalArgumentException when a run.json is malformed (see {@link RunSettings#read})
     * @throws IOException when a run.json cannot be read
     */
    public static List<String> of(List<MetricsFile> runs, List<Path> given) throws IOException {
        if (runs.size() != given.size()) {
            throw new IllegalArgumentException(runs.size() + " runs but " + given.size() + " paths");
        }
        List<Map<String, String>> settings = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (MetricsFile run : runs) {
            Optional<RunSettings> s = settingsOf(run);
            settings.add(s.map(RunSettings::settings).orElse(Map.of()));
            labels.add(s.flatMap(RunSettings::optimizer).filter(o -> !o.isBlank()).orElse(run.runName()));
        }
        for (List<Integer> group : duplicates(labels)) {
            List<String> keys = differing(group, settings);
            for (int r : group) {
                StringBuilder label = new StringBuilder(labels.get(r));
                for (String key : keys) {
                    String v = settings.get(r).get(key);
                    if (v != null) {
                        label.append(' ').append(key).append(' ').append(v);
                    }
                }
                labels.set(r, label.toString());
            }
        }
        disambiguate(labels, r -> runs.get(r).runName(), false);
        disambiguate(labels, r -> given.get(r).toString(), true);
        return labels;
    }

    /** The run.json beside a run's metrics.csv; none for a CSV of another name. */
    private static Optional<RunSettings> settingsOf(MetricsFile run) throws IOException {
        Path file = run.file();
        Path folder = file.toAbsolutePath().getParent();
        if (folder == null || !file.getFileName().toString().equals(MetricsFile.FILE)) {
            return Optional.empty();
        }
        return RunSettings.read(folder);
    }

    /**
     * The settings to name in the labels of a group: every one of {@link #FIRST} that differs in
     * the group; then, while labels still repeat, the other differing settings one at a time.
     */
    private static List<String> differing(List<Integer> group, List<Map<String, String>> settings) {
        Set<String> all = new LinkedHashSet<>(FIRST);
        for (int r : group) {
            all.addAll(settings.get(r).keySet());
        }
        all.remove("optimizer");
        List<String> keys = new ArrayList<>();
        for (String key : all) {
            boolean differs = false;
            String first = settings.get(group.get(0)).get(key);
            for (int r : group) {
                differs |= !Objects.equals(first, settings.get(r).get(key));
            }
            if (differs && (FIRST.contains(key) || !distinct(group, settings, keys))) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** Whether the given settings alone tell every run of the group apart. */
    private static boolean distinct(List<Integer> group, List<Map<String, String>> settings, List<String> keys) {
        Set<List<String>> seen = new HashSet<>();
        for (int r : group) {
            List<String> values = new ArrayList<>();
            for (String key : keys) {
                values.add(settings.get(r).get(key));
            }
            if (!seen.add(values)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Appends " (what)" to the labels of each group of equal labels, where that tells the group's
     * runs apart (or {@code always}).
     */
    private static void disambiguate(List<String> labels, IntFunction<String> what, boolean always) {
        for (List<Integer> group : duplicates(labels)) {
            Set<String> whats = new HashSet<>();
            for (int r : group) {
                whats.add(what.apply(r));
            }
            if (always || whats.size() == group.size()) {
                for (int r : group) {
                    labels.set(r, labels.get(r) + " (" + what.apply(r) + ")");
                }
            }
        }
    }

    /** The indices of each label that occurs more than once. */
    private static List<List<Integer>> duplicates(List<String> labels) {
        Map<String, List<Integer>> byLabel = new LinkedHashMap<>();
        for (int r = 0; r < labels.size(); r++) {
            byLabel.computeIfAbsent(labels.get(r), k -> new ArrayList<>()).add(r);
        }
        List<List<Integer>> out = new ArrayList<>();
        for (List<Integer> group : byLabel.values()) {
            if (group.size() > 1) {
                out.add(group);
            }
        }
        return out;
    }
}
