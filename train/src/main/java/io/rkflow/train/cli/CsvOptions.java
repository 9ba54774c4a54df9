package io.rkflow.train.cli;

import io.rkflow.models.data.Csv;
import io.rkflow.models.data.Table;
import io.rkflow.models.nn.ModelSpec;
import picocli.CommandLine.Option;

/**
 * How CSV data is read: {@code --label-column} and {@code --header}. Not given, a command takes
 * what the run recorded (eval, predict, a resume), else the defaults: labels in the first column, a
 * header line when the first line is not all numbers.
 */
final class CsvOptions {

    @Option(names = "--label-column", paramLabel = "COLUMN", description = "CSV data: the label column, a 0-based index (negative counts from the end: -1 is the last) or a name in the header line (default: the first column).")
    String labelColumn;

    @Option(names = "--header", paramLabel = "auto|yes|no", description = "CSV data: whether the first line names the columns (default: auto, a header when one of its fields is not a number).")
    String header;

    /** Whether either option was given. */
    boolean given() {
        return labelColumn != null || header != null;
    }

    /**
     * The reading options: these options where given, else the run's (when {@code recorded} is not
     * null), else the defaults; labels limited to the model's outputs.
     */
    Csv.Options options(RecordedData recorded, ModelSpec model) {
        String column = labelColumn != null ? labelColumn : recorded != null ? recorded.labelColumn() : null;
        String h = header != null ? header : recorded != null && recorded.header() != null ? recorded.header()
                : Csv.Header.AUTO.label();
        return new Csv.Options(Csv.Header.parse(h), column, Csv.Labels.YES, 0,
                new Table.ClassLimit(model.outputs(), "the model " + model + " has " + model.outputs() + " outputs"));
    }
}
