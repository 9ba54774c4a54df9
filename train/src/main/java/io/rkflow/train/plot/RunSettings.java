package io.rkflow.train.plot;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The settings a run folder's {@code run.json} records ({@code "settings": {"optimizer": ...,
 * "model": ..., "batch": ..., "seed": ...}}), each as text: strings as they are, numbers and
 * booleans as JSON writes them, objects and arrays as compact JSON. Other top-level keys are
 * ignored.
 *
 * @param file the run.json read
 * @param settings the settings in file order (empty when the file has none)
 */
public record RunSettings(Path file, Map<String, String> settings) {

    /** The file name inside a run folder. */
    public static final String FILE = io.rkflow.train.RunRecord.FILE;

    private static final ObjectMapper JSON = new ObjectMapper();

    public RunSettings {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /**
     * Reads {@code run.json} of a run folder.
     *
     * @return empty when the folder has no run.json
     * @throws IllegalArgumentException naming the file when it is not JSON, not an object, its
     *     "settings" is not an object or "settings.optimizer" is not a string
     * @throws IOException when it cannot be read
     */
    public static Optional<RunSettings> read(Path runFolder) throws IOException {
        Path file = runFolder.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JacksonException e) {
            var at = e.getLocation();
            throw new IllegalArgumentException(file + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
                    + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + " holds " + (root == null || root.isMissingNode() ? "nothing"
                    : "a JSON " + root.getNodeType().name().toLowerCase(java.util.Locale.ROOT))
                    + ", not the JSON object a run writes");
        }
        JsonNode settings = root.get("settings");
        Map<String, String> out = new LinkedHashMap<>();
        if (settings == null || settings.isNull()) {
            return Optional.of(new RunSettings(file, out));
        }
        if (!settings.isObject()) {
            throw new IllegalArgumentException(file + ": \"settings\" is " + settings + ", not a JSON object");
        }
        for (var field : settings.properties()) {
            JsonNode v = field.getValue();
            out.put(field.getKey(), v.isValueNode() ? v.asText() : v.toString());
        }
        JsonNode optimizer = settings.get("optimizer");
        if (optimizer != null && !optimizer.isTextual()) {
            throw new IllegalArgumentException(file + ": \"settings.optimizer\" is " + optimizer
                    + ", not the optimizer's spec as a string (like \"rk4+h(0.1)\")");
        }
        return Optional.of(new RunSettings(file, out));
    }

    /** The optimizer's canonical spec, when recorded. */
    public Optional<String> optimizer() {
        return Optional.ofNullable(settings.get("optimizer"));
    }
}
