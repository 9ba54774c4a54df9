package io.rkflow.models.nn;

import io.rkflow.kernels.Activation;
import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.GemmForm;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.IntBuffer;
import io.rkflow.kernels.Plan;
import io.rkflow.solvers.field.Objective;
import java.util.SplittableRandom;

/**
 * An MLP on flat parameters: θ holds, layer by layer, a row-major (in × out) weight matrix and
 * its biases; layers see slices. Forward Z_l = A_{l−1}·W_l + b_l, A_l = f(Z_l), softmax
 * cross-entropy on the last Z; backward dW_l = A_{l−1}ᵀ·dZ_l, db_l = Σ_rows dZ_l,
 * dA_{l−1} = dZ_l·W_lᵀ, dZ_{l−1} = dA_{l−1} ⊙ f'(Z_{l−1}). As an {@link Objective} it records the
 * mean loss and gradient of a batch slot onto a graph, so a whole RK step is one plan.
 *
 * <p>Batches are fixed in size (a plan is for one batch size); the host writes the inputs and
 * labels of each slot before each step. Activations are shared by the slots: the stages of a step
 * are evaluated one after another.
 */
public final class Mlp implements Objective {

    private final Device device;
    private final MlpSpec spec;
    private final int batch;
    private final FloatBuffer[] x;      // per slot: batch × inputs
    private final IntBuffer[] y;        // per slot: batch labels
    private final FloatBuffer[] z;      // per layer: batch × out pre-activations (the last are logits)
    private final FloatBuffer[] a;      // per hidden layer: batch × out activations
    private final FloatBuffer[] dz;     // per layer: gradient w.r.t. Z
    private final FloatBuffer[] da;     // per hidden layer: gradient w.r.t. A
    private final FloatBuffer correct;

    public Mlp(Device device, MlpSpec spec, int batch, int slots) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch size " + batch + " must be at least 1");
        }
        if (slots < 1) {
            throw new IllegalArgumentException("batch slots " + slots + " must be at least 1");
        }
        this.device = device;
        this.spec = spec;
        this.batch = batch;
        int layers = spec.layers();
        int[] w = spec.widths();
        x = new FloatBuffer[slots];
        y = new IntBuffer[slots];
        for (int s = 0; s < slots; s++) {
            x[s] = device.allocFloat("inputs slot " + s, batch * w[0]);
            y[s] = device.allocInt("labels slot " + s, batch);
        }
        z = new FloatBuffer[layers];
        dz = new FloatBuffer[layers];
        a = new FloatBuffer[layers - 1];
        da = new FloatBuffer[layers - 1];
        for (int l = 0; l < layers; l++) {
            z[l] = device.allocFloat("Z" + (l + 1), batch * w[l + 1]);
            dz[l] = device.allocFloat("dZ" + (l + 1), batch * w[l + 1]);
            if (l < layers - 1) {
                a[l] = device.allocFloat("A" + (l + 1), batch * w[l + 1]);
                da[l] = device.allocFloat("dA" + (l + 1), batch * w[l + 1]);
            }
        }
        correct = device.allocFloat("correct", 1);
    }

    public MlpSpec spec() {
        return spec;
    }

    public int batch() {
        return batch;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public int dimension() {
        return spec.parameters();
    }

    @Override
    public int batchSlots() {
        return x.length;
    }

    /** The number of correct predictions of the last recorded evaluation (a one-element buffer). */
    public FloatBuffer correct() {
        return correct;
    }

    /** The input and label buffers of a slot, for {@link Graph#hostWrites}. */
    public Object[] slotBuffers(int slot) {
        return new Object[] {x[slot], y[slot]};
    }

    /** Writes one batch into a slot: {@code inputs} is batch × inputs row major. */
    public void writeBatch(int slot, float[] inputs, int[] labels) {
        x[slot].write(inputs);
        y[slot].write(labels);
    }

    /**
     * Initial parameters from a seeded generator: weights uniform with He's variance 2/in for ReLU
     * and GELU (He et al., arXiv 1502.01852) or Glorot's 2/(in + out) for tanh (Glorot &amp; Bengio,
     * 2010); biases zero.
     */
    public float[] initialParameters(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] theta = new float[dimension()];
        int[] w = spec.widths();
        for (int l = 0; l < spec.layers(); l++) {
            int in = w[l], out = w[l + 1];
            double variance = spec.activation() == Activation.TANH ? 2.0 / (in + out) : 2.0 / in;
            double limit = Math.sqrt(3 * variance);
            int off = spec.weightOffset(l);
            for (int i = 0; i < in * out; i++) {
                theta[off + i] = (float) ((2 * random.nextDouble() - 1) * limit);
            }
        }
        return theta;
    }

    @Override
    public void record(Graph g, int slot, FloatSlice theta, FloatSlice grad, FloatSlice loss) {
        g.hostWrites(x[slot], y[slot]); // the trainer writes a new batch before every step
        recordForward(g, slot, theta);
        int layers = spec.layers();
        int[] w = spec.widths();
        g.softmaxCrossEntropy(loss, correct.all(), dz[layers - 1].all(), z[layers - 1].all(), y[slot].all(), batch,
                spec.outputs());
        for (int l = layers - 1; l >= 0; l--) {
            int in = w[l], out = w[l + 1];
            FloatSlice input = l == 0 ? x[slot].all() : a[l - 1].all();
            g.gemm(GemmForm.TN, in, out, batch, grad.sub(spec.weightOffset(l), in * out), input, dz[l].all(), false);
            g.biasGrad(grad.sub(spec.biasOffset(l), out), dz[l].all(), batch, out, false);
            if (l > 0) {
                g.gemm(GemmForm.NT, batch, in, out, da[l - 1].all(), dz[l].all(),
                        theta.sub(spec.weightOffset(l), in * out), false);
                g.activationBackward(spec.activation(), dz[l - 1].all(), da[l - 1].all(), z[l - 1].all());
            }
        }
    }

    /** Records the forward pass of a slot up to the logits. */
    private void recordForward(Graph g, int slot, FloatSlice theta) {
        int[] w = spec.widths();
        for (int l = 0; l < spec.layers(); l++) {
            int in = w[l], out = w[l + 1];
            FloatSlice input = l == 0 ? x[slot].all() : a[l - 1].all();
            g.gemm(GemmForm.NN, batch, out, in, z[l].all(), input, theta.sub(spec.weightOffset(l), in * out), false);
            g.biasAdd(z[l].all(), theta.sub(spec.biasOffset(l), out), batch, out);
            if (l < spec.layers() - 1) {
                g.activation(spec.activation(), a[l].all(), z[l].all());
            }
        }
    }

    /**
     * A plan that evaluates slot 0 at θ: mean loss into {@code loss} and the number of correct
     * predictions into {@link #correct()}. The gradient of the loss goes to scratch space.
     */
    public Plan evaluationPlan(FloatSlice theta, FloatSlice loss) {
        Graph g = device.graph("evaluate " + spec);
        recordForward(g, 0, theta);
        int layers = spec.layers();
        g.softmaxCrossEntropy(loss, correct.all(), dz[layers - 1].all(), z[layers - 1].all(), y[0].all(), batch,
                spec.outputs());
        return g.hostWrites(x[0], y[0]).hostReads(loss.buffer(), correct).compile();
    }

    /**
     * A plan that computes the logits of slot 0's inputs at θ into {@link #logits()}, for
     * predictions: the same forward pass as {@link #evaluationPlan}, without labels or loss.
     */
    public Plan predictionPlan(FloatSlice theta) {
        Graph g = device.graph("predict " + spec);
        recordForward(g, 0, theta);
        return g.hostWrites(x[0]).hostReads(z[spec.layers() - 1]).compile();
    }

    /** The logits of the last forward pass, batch × outputs, row major. */
    public FloatBuffer logits() {
        return z[spec.layers() - 1];
    }
}
