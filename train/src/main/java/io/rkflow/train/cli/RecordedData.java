package io.rkflow.train.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.rkflow.models.data.DataFolder;
import io.rkflow.models.data.Standardization;
import io.rkflow.models.io.BadFileException;
import io.rkflow.train.RunRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a run's {@code run.json} records of its data (its {@code data} entry, see
 * {@link DataOption#record()}): the folder and format, the CSV options, and the standardization
 * that eval, predict and a resume apply again. A record of an earlier rkflow, without a format or
 * a standardization, was IDX data standardized globally.
 *
 * @param folder          the data folder (absolute)
 * @param format          its format
 * @param labelColumn     CSV: the --label-column the run was given, or null for the first column
 * @param header          CSV: the --header the run was given, or null
 * @param standardization the run's standardization
 */
record RecordedData(Path folder, DataFolder.Format format, String labelColumn, String header,
        Standardization standardization) {

    /** The data record of the run in {@code runFolder}, or null when it has no run.json. */
    static RecordedData read(Path runFolder) throws IOException {
        JsonNode record = RunRecord.read(runFolder);
        if (record == null) {
            return null;
        }
        Path file = runFolder.resolve(RunRecord.FILE);
        JsonNode d = record.path("data");
        if (!d.isObject() || !d.path("folder").isTextual()) {
            throw new BadFileException(file + ": damaged run record: no data folder in it");
        }
        try {
            DataFolder.Format format = DataFolder.Format.valueOf(d.path("format").asText("idx").toUpperCase(Locale.ROOT));
            Standardization.Mode mode = Standardization.Mode.parse(d.path("standardize").asText("global"));
            Standardization s = new Standardization(mode, floats(d.path("mean"), mode), floats(d.path("std"), mode));
            return new RecordedData(Path.of(d.path("folder").asText()), format, text(d.path("label_column")),
                    text(d.path("header")), s);
        } catch (IllegalArgumentException e) {
            throw new BadFileException(file + ": damaged run record: its data entry " + d + " (" + e.getMessage() + ")");
        }
    }

    private static String text(JsonNode n) {
        return n.isTextual() ? n.asText() : null;
    }

    private static float[] floats(JsonNode n, Standardization.Mode mode) {
        if (mode == Standardization.Mode.NONE) {
            return new float[0];
        }
        if (mode == Standardization.Mode.GLOBAL) {
            if (!n.isNumber()) throw new IllegalArgumentException("a global mean and std must be numbers");
            return new float[] {(float) n.doubleValue()};
        }
        if (!n.isArray()) throw new IllegalArgumentException("per-feature means and stds must be arrays");
        float[] v = new float[n.size()];
        for (int i = 0; i < v.length; i++) {
            if (!n.get(i).isNumber()) throw new IllegalArgumentException("element " + i + " is not a number");
            v[i] = (float) n.get(i).doubleValue();
        }
        return v;
    }
}
