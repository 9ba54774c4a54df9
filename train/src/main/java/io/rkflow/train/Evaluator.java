package io.rkflow.train;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.Plan;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.nn.Network;
import io.rkflow.models.nn.ModelSpec;

/**
 * Mean loss and accuracy of the model at θ over a whole data set, in its own plans: full batches
 * of {@code batch} rows, and the remaining rows with a plan of their own size (a plan is for one
 * batch size), so no row is dropped.
 */
final class Evaluator implements AutoCloseable {

    record Result(double loss, double accuracy) {}

    private final Dataset data;
    private final int batch;
    private final Network full;
    private final Network tail;
    private final FloatBuffer loss;
    private final Plan fullPlan;
    private final Plan tailPlan;
    private final float[] xHost;
    private final int[] yHost;
    private final float[] xTail;
    private final int[] yTail;

    Evaluator(Device device, ModelSpec spec, FloatSlice theta, Dataset data, int batch) {
        this.data = data;
        this.batch = Math.min(batch, Math.max(1, data.rows()));
        this.loss = device.allocFloat("evaluation loss", 1);
        this.full = Network.forEvaluation(device, spec, this.batch);
        this.fullPlan = full.evaluationPlan(theta, loss.all());
        int rest = data.rows() % this.batch;
        this.tail = rest > 0 ? Network.forEvaluation(device, spec, rest) : null;
        this.tailPlan = tail != null ? tail.evaluationPlan(theta, loss.all()) : null;
        this.xHost = new float[this.batch * data.features()];
        this.yHost = new int[this.batch];
        this.xTail = new float[rest * data.features()];
        this.yTail = new int[rest];
    }

    Result evaluate() {
        double lossSum = 0;
        double correct = 0;
        int rows = data.rows();
        int features = data.features();
        for (int start = 0; start < rows; start += batch) {
            int count = Math.min(batch, rows - start);
            Network model = count == batch ? full : tail;
            Plan plan = count == batch ? fullPlan : tailPlan;
            float[] xs = count == batch ? xHost : xTail;
            int[] ys = count == batch ? yHost : yTail;
            System.arraycopy(data.x(), start * features, xs, 0, count * features);
            System.arraycopy(data.labels(), start, ys, 0, count);
            model.writeBatch(0, xs, ys);
            plan.execute();
            lossSum += (double) loss.get(0) * count;
            correct += model.correct().get(0);
        }
        return new Result(lossSum / rows, correct / rows);
    }

    @Override
    public void close() {
        fullPlan.close();
        if (tailPlan != null) {
            tailPlan.close();
        }
    }
}
