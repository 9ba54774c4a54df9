package io.rkflow.spark;

import io.rkflow.train.sweep.Grid;
import io.rkflow.train.sweep.Sweep;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A sweep's table as a Spark DataFrame, one row per point with the columns of {@code sweep.csv}
 * ({@link Sweep#TABLE_CSV}), written as CSV and as Parquet into the sweep's folder.
 */
final class SweepTable {

    /** The table's folders in the sweep's folder (Spark writes a folder of part files). */
    static final String CSV = "spark-table.csv";
    static final String PARQUET = "spark-table.parquet";

    static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("point", DataTypes.StringType, false),
        DataTypes.createStructField("optimizer", DataTypes.StringType, false),
        DataTypes.createStructField("lr", DataTypes.DoubleType, true),
        DataTypes.createStructField("model", DataTypes.StringType, false),
        DataTypes.createStructField("batch", DataTypes.IntegerType, false),
        DataTypes.createStructField("seed", DataTypes.LongType, false),
        DataTypes.createStructField("status", DataTypes.StringType, false),
        DataTypes.createStructField("final_validation_accuracy", DataTypes.DoubleType, false),
        DataTypes.createStructField("best_validation_accuracy", DataTypes.DoubleType, false),
        DataTypes.createStructField("test_accuracy", DataTypes.DoubleType, false),
        DataTypes.createStructField("gradient_evaluations", DataTypes.LongType, false),
        DataTypes.createStructField("steps", DataTypes.LongType, false),
        DataTypes.createStructField("seconds", DataTypes.DoubleType, false),
        DataTypes.createStructField("error", DataTypes.StringType, true)});

    private SweepTable() {}

    /** The results as a DataFrame (NaN where a point has no value). */
    static Dataset<Row> frame(SparkSession spark, List<Sweep.Result> results) {
        List<Row> rows = new ArrayList<>();
        for (Sweep.Result r : results) {
            Grid.Point p = r.point();
            rows.add(RowFactory.create(p.name(), p.optimizer(), p.lr(), p.model(), p.batch(), p.seed(), r.status(),
                    r.finalValidation(), r.bestValidation(), r.testAccuracy(), r.gradientEvaluations(), r.steps(),
                    r.seconds(), r.error()));
        }
        return spark.createDataFrame(rows, SCHEMA);
    }

    /** Writes the results into {@code folder}/{@value #CSV} (one part file, with a header) and {@value #PARQUET}. */
    static void write(SparkSession spark, List<Sweep.Result> results, Path folder, PrintStream log) {
        Dataset<Row> table = frame(spark, results).coalesce(1);
        String csv = folder.resolve(CSV).toUri().toString();
        String parquet = folder.resolve(PARQUET).toUri().toString();
        table.write().mode(SaveMode.Overwrite).option("header", true).csv(csv);
        table.write().mode(SaveMode.Overwrite).parquet(parquet);
        log.println("sweep: the table as Spark wrote it: " + folder.resolve(CSV) + "/, " + folder.resolve(PARQUET) + "/");
    }
}
