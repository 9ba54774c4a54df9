package io.rkflow.train;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.Plan;
import io.rkflow.models.nn.Network;
import io.rkflow.models.nn.ModelSpec;

/**
 * The MLP's outputs at θ for every row of a set of inputs: logits in the batches the
 * {@link Evaluator} uses (full batches of 1000 rows and a plan of its own for the rest), so that
 * predictions are those its accuracy counts; predicted classes and softmax probabilities from them.
 */
public final class Predictor {

    private static final int BATCH = 1000;

    private Predictor() {}

    /** The logits of {@code rows} rows of {@code x} (row major, {@code spec.inputs()} each): rows × outputs. */
    public static float[] logits(Device device, ModelSpec spec, float[] theta, float[] x, int rows) {
        int inputs = spec.inputs();
        int outputs = spec.outputs();
        if ((long) rows * inputs != x.length) {
            throw new IllegalArgumentException(x.length + " inputs for " + rows + " rows of the model " + spec);
        }
        float[] logits = new float[rows * outputs];
        if (rows == 0) {
            return logits;
        }
        FloatBuffer t = device.allocFloat("theta", theta.length);
        t.write(theta);
        int batch = Math.min(BATCH, rows);
        int rest = rows % batch;
        Network full = Network.forEvaluation(device, spec, batch);
        Network tail = rest > 0 ? Network.forEvaluation(device, spec, rest) : null;
        try (Plan fullPlan = full.predictionPlan(t.all());
                Plan tailPlan = tail != null ? tail.predictionPlan(t.all()) : null) {
            for (int start = 0; start < rows; start += batch) {
                int count = Math.min(batch, rows - start);
                Network model = count == batch ? full : tail;
                float[] xs = new float[count * inputs];
                System.arraycopy(x, start * inputs, xs, 0, count * inputs);
                model.writeBatch(0, xs, new int[count]);
                (count == batch ? fullPlan : tailPlan).execute();
                model.logits().read(0, logits, start * outputs, count * outputs);
            }
        }
        return logits;
    }

    /** The predicted class of each row: the first largest logit, as the loss kernel counts it correct. */
    public static int[] classes(float[] logits, int outputs) {
        int[] c = new int[logits.length / outputs];
        for (int r = 0; r < c.length; r++) {
            int best = 0;
            for (int j = 1; j < outputs; j++) {
                if (logits[r * outputs + j] > logits[r * outputs + best]) best = j;
            }
            c[r] = best;
        }
        return c;
    }

    /** Row {@code r}'s softmax probabilities, exp(z_j − lse) in double, as the loss kernel computes them. */
    public static double[] probabilities(float[] logits, int r, int outputs) {
        int at = r * outputs;
        float max = logits[at];
        for (int j = 1; j < outputs; j++) max = Math.max(max, logits[at + j]);
        double sum = 0;
        for (int j = 0; j < outputs; j++) sum += StrictMath.exp((double) logits[at + j] - max);
        double lse = max + StrictMath.log(sum);
        double[] p = new double[outputs];
        for (int j = 0; j < outputs; j++) p[j] = StrictMath.exp(logits[at + j] - lse);
        return p;
    }
}
