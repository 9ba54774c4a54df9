package io.rkflow.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rkflow.models.io.AtomicFile;
import io.rkflow.models.io.BadFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * {@code run.json}, the record of a run that other tools read: its id, the command lines it was
 * started and resumed with, every resolved setting, the data set's identity, the rkflow version
 * and commit, the JDK and the machine, start and end times, how it ended and its final metrics.
 * Written atomically when the run starts and again when it ends (or stops); a resume adds a
 * session and keeps the id, the start time and the settings of the run.
 *
 * <pre>{@code
 * {"run_id": "…", "status": "running" | "finished" | "stopped" | "failed", "reason": "…" (when not finished),
 *  "started": ISO-8601, "ended": ISO-8601 | null,
 *  "command": ["rkflow", "train", "--optimizer", …],
 *  "settings": {"model", "optimizer", "batch", "seed", "epochs", "steps", "validation", "log_every",
 *               "eval_every", "checkpoint_every", "device", "device_description", "fusion",
 *               "init": {"file", "sha256"} (with --init)},
 *  "data": {"folder", "format", "label_column" and "header" (CSV), "identity", "features", "classes",
 *           "standardize", "preprocessing", "mean", "std" (numbers, or arrays per feature; absent for none)},
 *  "rkflow": {"version", "commit"}, "java": {"version", "vendor", "vm"},
 *  "machine": {"os", "arch", "cpu", "processors", "max_heap_mb", "host"},
 *  "final": {"step", "test_accuracy", "test_loss", "gradient_evaluations", "seconds"} | null,
 *  "sessions": [{"started", "ended", "command", "from_step", "to_step", "device", "status"}]}
 * }</pre>
 */
public final class RunRecord {

    /** The record's file name in a run folder. */
    public static final String FILE = "run.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final ObjectNode root;
    private final ObjectNode session;

    private RunRecord(Path file, ObjectNode root, ObjectNode session) {
        this.file = file;
        this.root = root;
        this.session = session;
    }

    /** A fresh run id: 16 hex digits, random. */
    public static String newRunId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /**
     * Starts the record of a new run in {@code folder} and writes it: {@code settings} and
     * {@code data} in the order given (values are strings, numbers or booleans).
     */
    public static RunRecord start(Path folder, String runId, List<String> command, Map<String, Object> settings,
            Map<String, Object> data) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        String now = now();
        root.put("run_id", runId);
        root.put("status", "running");
        root.put("started", now);
        root.putNull("ended");
        root.set("command", JSON.valueToTree(command));
        root.set("settings", JSON.valueToTree(settings));
        root.set("data", JSON.valueToTree(data));
        root.set("rkflow", JSON.valueToTree(build()));
        root.set("java", java());
        root.set("machine", machine());
        root.putNull("final");
        ArrayNode sessions = root.putArray("sessions");
        RunRecord record = new RunRecord(folder.resolve(FILE), root, session(sessions, now, command, 0, settings));
        record.write();
        return record;
    }

    /**
     * Opens the record of a run being resumed from {@code fromStep} and adds a session to it; a
     * folder without one (a run of an earlier rkflow) gets a new record with {@code runId}.
     */
    public static RunRecord resume(Path folder, String runId, List<String> command, Map<String, Object> settings,
            Map<String, Object> data, long fromStep) throws IOException {
        Path file = folder.resolve(FILE);
        if (!Files.exists(file)) {
            RunRecord r = start(folder, runId, command, settings, data);
            r.session.put("from_step", fromStep);
            r.write();
            return r;
        }
        ObjectNode root = readFile(file);
        root.put("status", "running");
        root.remove("reason");
        root.putNull("ended");
        // what may change on a resume (the device, the target length) is the latest session's
        ObjectNode s = (ObjectNode) root.path("settings");
        settings.forEach((k, v) -> s.set(k, JSON.valueToTree(v)));
        root.set("rkflow", JSON.valueToTree(build()));
        root.set("java", java());
        root.set("machine", machine());
        JsonNode sessions = root.path("sessions");
        ArrayNode list = sessions.isArray() ? (ArrayNode) sessions : root.putArray("sessions");
        RunRecord record = new RunRecord(file, root, session(list, now(), command, fromStep, settings));
        record.write();
        return record;
    }

    /** The run id recorded in {@code folder}'s run.json, or null when it has none. */
    public static String runId(Path folder) throws IOException {
        JsonNode record = read(folder);
        JsonNode id = record == null ? null : record.path("run_id");
        return id != null && id.isTextual() ? id.asText() : null;
    }

    /**
     * The run record of {@code folder} as JSON, or null when the folder has none; a damaged one
     * is a {@link BadFileException} naming it.
     */
    public static JsonNode read(Path folder) throws IOException {
        Path file = folder.resolve(FILE);
        return Files.isRegularFile(file) ? readFile(file) : null;
    }

    /** The run's id. */
    public String runId() {
        return root.path("run_id").asText();
    }

    /** Records that the run finished, with its final metrics, and writes the record. */
    public void finished(Map<String, Object> finalMetrics, long step) throws IOException {
        end("finished", null, finalMetrics, step);
    }

    /** Records that the run stopped ({@code status} "stopped" or "failed") and why, and writes the record. */
    public void stopped(String status, String reason, long step) throws IOException {
        end(status, reason, null, step);
    }

    private void end(String status, String reason, Map<String, Object> finalMetrics, long step) throws IOException {
        String now = now();
        root.put("status", status);
        if (reason != null) {
            root.put("reason", reason);
        }
        root.put("ended", now);
        if (finalMetrics != null) {
            root.set("final", JSON.valueToTree(finalMetrics));
        }
        session.put("ended", now);
        session.put("to_step", step);
        session.put("status", status);
        write();
    }

    private static ObjectNode session(ArrayNode sessions, String now, List<String> command, long fromStep,
            Map<String, Object> settings) {
        ObjectNode s = sessions.addObject();
        s.put("started", now);
        s.putNull("ended");
        s.set("command", JSON.valueToTree(command));
        s.put("from_step", fromStep);
        s.putNull("to_step");
        s.set("device", JSON.valueToTree(settings.get("device")));
        s.put("status", "running");
        return s;
    }

    private void write() throws IOException {
        byte[] bytes;
        try {
            bytes = (JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("run.json", e);
        }
        AtomicFile.write(file, ByteBuffer.wrap(bytes));
    }

    private static ObjectNode readFile(Path file) throws IOException {
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node instanceof ObjectNode o) {
                return o;
            }
            throw new BadFileException(file + ": not a run record (a JSON object expected)");
        } catch (JsonProcessingException e) {
            throw new BadFileException(file + ": damaged run record: " + e.getOriginalMessage(), e);
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /** rkflow's version and the commit it was built from (git.properties in the jar), "unknown" when absent. */
    static Map<String, String> build() {
        Properties p = new Properties();
        try (var in = RunRecord.class.getResourceAsStream("/io/rkflow/train/git.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // the record says unknown
        }
        String version = RunRecord.class.getPackage().getImplementationVersion();
        String commit = p.getProperty("git.commit.id.abbrev", "unknown");
        if ("true".equals(p.getProperty("git.dirty"))) {
            commit += " (with uncommitted changes)";
        }
        return Map.of("version", version != null ? version : p.getProperty("git.build.version", "unknown"),
                "commit", commit);
    }

    private static JsonNode java() {
        return JSON.valueToTree(Map.of("version", System.getProperty("java.version"), "vendor",
                System.getProperty("java.vendor"), "vm", System.getProperty("java.vm.name")));
    }

    private static ObjectNode machine() {
        ObjectNode m = JSON.createObjectNode();
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("arch", System.getProperty("os.arch"));
        m.put("cpu", cpuModel());
        m.put("processors", Runtime.getRuntime().availableProcessors());
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown";
        }
        m.put("host", host);
        return m;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "unknown";
    }
}
