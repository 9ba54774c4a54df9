package io.rkflow.models.nn;

import io.rkflow.kernels.Activation;
import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.GemmForm;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.IntBuffer;
import io.rkflow.kernels.Plan;
import io.rkflow.kernels.Window;
import io.rkflow.models.nn.ModelSpec.Act;
import io.rkflow.models.nn.ModelSpec.Conv;
import io.rkflow.models.nn.ModelSpec.Dense;
import io.rkflow.models.nn.ModelSpec.Dropout;
import io.rkflow.models.nn.ModelSpec.Flatten;
import io.rkflow.models.nn.ModelSpec.Layer;
import io.rkflow.models.nn.ModelSpec.Pool;
import io.rkflow.solvers.field.Objective;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A layer stack ({@link ModelSpec}) on flat parameters, recorded onto device graphs: θ holds, layer
 * by layer, each layer's weights then biases, and layers see slices. Forward and backward are
 * catalogue kernels only: a dense layer is Z = A·W + b (GEMM, bias add); a convolution is im2col
 * of its NHWC input, then the same GEMM and bias over the batch's output positions; activations,
 * pooling and dropout are their own kernels; flatten is a view. Backward runs the layers in
 * reverse: dW = Aᵀ·dZ, db = Σ_rows dZ, dA = dZ·Wᵀ (for a convolution, col2im of it), and each
 * parameter-free layer's input gradient. As an {@link Objective} it records the mean softmax
 * cross-entropy of a batch slot and its gradient, so a whole RK step is one plan.
 *
 * <p>Batches are fixed in size; the host writes the inputs and labels of each slot, and (for a
 * model with dropout) the step key with {@link #writeStep}, before each step. Activations are
 * shared by the slots: the stages of a step are evaluated one after another. Dropout masks depend
 * on (seed, step, layer) only, so every stage of a step sees the same masks.
 */
public final class Network implements Objective {

    private final Device device;
    private final ModelSpec spec;
    private final List<Layer> layers;
    private final int batch;
    private final int firstParametric;
    private final FloatBuffer[] x;      // per slot: batch × inputs
    private final IntBuffer[] y;        // per slot: batch labels
    private final FloatSlice[] out;     // per layer: its output (flatten: a view of its input)
    private final FloatSlice[] grad;    // per layer: the loss gradient w.r.t. its output
    private final FloatSlice[] cols;    // per convolution: the im2col matrix
    private final FloatSlice[] dcols;   // per convolution after the first parametric layer: its gradient
    private final Window[] windows;     // per convolution and pooling layer
    private final IntBuffer key;        // [seed, step] of the dropout masks, or null
    private final FloatBuffer correct;
    private final boolean training;     // false: evaluation and prediction only, no gradient buffers
    private FloatSlice logits;          // the last forward pass's logits

    public Network(Device device, ModelSpec spec, int batch, int slots) {
        this(device, spec, batch, slots, true);
    }

    /**
     * A network for evaluation and prediction only ({@link #evaluationPlan}, {@link #predictionPlan}):
     * one slot, and no gradient buffers but the logits' (which the loss kernel writes).
     */
    public static Network forEvaluation(Device device, ModelSpec spec, int batch) {
        return new Network(device, spec, batch, 1, false);
    }

    private Network(Device device, ModelSpec spec, int batch, int slots, boolean training) {
        this.training = training;
        if (batch < 1) {
            throw new IllegalArgumentException("batch size " + batch + " must be at least 1");
        }
        if (slots < 1) {
            throw new IllegalArgumentException("batch slots " + slots + " must be at least 1");
        }
        this.device = device;
        this.spec = spec;
        this.layers = spec.layers();
        this.batch = batch;
        int n = layers.size();
        int first = n;
        for (int l = n - 1; l >= 0; l--) {
            if (layers.get(l).parameters() > 0) {
                first = l;
            }
        }
        this.firstParametric = first;
        x = new FloatBuffer[slots];
        y = new IntBuffer[slots];
        for (int s = 0; s < slots; s++) {
            x[s] = device.allocFloat("inputs slot " + s, batch * spec.inputs());
            y[s] = device.allocInt("labels slot " + s, batch);
        }
        out = new FloatSlice[n];
        grad = new FloatSlice[n];
        cols = new FloatSlice[n];
        dcols = new FloatSlice[n];
        windows = new Window[n];
        for (int l = 0; l < n; l++) {
            Layer layer = layers.get(l);
            String name = "L" + (l + 1) + " " + layer.text();
            int size = batch * layer.out().size();
            if (layer instanceof Flatten && l > 0) {
                out[l] = out[l - 1];
                grad[l] = grad[l - 1];
            } else {
                out[l] = device.allocFloat(name, size).all();
                grad[l] = training || l == n - 1 ? device.allocFloat("d " + name, size).all() : null;
            }
            if (layer instanceof Conv c) {
                windows[l] = new Window(batch, c.in().height(), c.in().width(), c.in().channels(), c.size(), c.stride(),
                        c.pad());
                cols[l] = device.allocFloat(name + " im2col", windows[l].columnsLength()).all();
                if (training && l > firstParametric) {
                    dcols[l] = device.allocFloat("d " + name + " im2col", windows[l].columnsLength()).all();
                }
            } else if (layer instanceof Pool p) {
                windows[l] = new Window(batch, p.in().height(), p.in().width(), p.in().channels(), p.size(), p.stride(),
                        p.pad());
            }
        }
        key = spec.hasDropout() ? device.allocInt("dropout key", 2) : null;
        correct = device.allocFloat("correct", 1);
        logits = out[n - 1];
    }

    public ModelSpec spec() {
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

    /** The buffers the host writes for a slot (inputs, labels, and the dropout key if any), for {@link Graph#hostWrites}. */
    public Object[] slotBuffers(int slot) {
        return key == null ? new Object[] {x[slot], y[slot]} : new Object[] {x[slot], y[slot], key};
    }

    /** Writes one batch into a slot: {@code inputs} is batch × inputs row major. */
    public void writeBatch(int slot, float[] inputs, int[] labels) {
        x[slot].write(inputs);
        y[slot].write(labels);
    }

    /**
     * Writes the dropout key of the coming step: the masks are a function of (seed, step, layer).
     * Does nothing for a model without dropout.
     */
    public void writeStep(long seed, long step) {
        if (key != null) {
            key.write(new int[] {(int) (seed ^ (seed >>> 32)), (int) step});
        }
    }

    /**
     * Initial parameters from a seeded generator, layer by layer in θ's order: weights uniform
     * with He's variance 2/fan_in where the activation after the layer is ReLU or GELU (He et al.,
     * arXiv 1502.01852), Glorot's 2/(fan_in + fan_out) where it is tanh (Glorot &amp; Bengio, 2010);
     * a layer with no activation after it takes the one before it (an MLP's output layer takes the
     * hidden activation). Fans count a convolution's window: fan_in = size²·in channels,
     * fan_out = size²·filters. Biases zero.
     */
    public float[] initialParameters(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] theta = new float[dimension()];
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            int fanIn, fanOut, weights;
            if (layer instanceof Dense d) {
                fanIn = d.in().size();
                fanOut = d.units();
                weights = fanIn * fanOut;
            } else if (layer instanceof Conv c) {
                fanIn = c.patch();
                fanOut = c.size() * c.size() * c.filters();
                weights = c.patch() * c.filters();
            } else {
                continue;
            }
            double variance = activationFor(l) == Activation.TANH ? 2.0 / (fanIn + fanOut) : 2.0 / fanIn;
            double limit = Math.sqrt(3 * variance);
            int off = spec.offset(l);
            for (int i = 0; i < weights; i++) {
                theta[off + i] = (float) ((2 * random.nextDouble() - 1) * limit);
            }
        }
        return theta;
    }

    private Activation activationFor(int l) {
        for (int i = l + 1; i < layers.size() && layers.get(i).parameters() == 0; i++) {
            if (layers.get(i) instanceof Act a) {
                return a.kind();
            }
        }
        for (int i = l - 1; i >= 0; i--) {
            if (layers.get(i) instanceof Act a) {
                return a.kind();
            }
        }
        return Activation.RELU;
    }

    @Override
    public void record(Graph g, int slot, FloatSlice theta, FloatSlice gradient, FloatSlice loss) {
        if (!training) {
            throw new IllegalStateException("this network of " + spec + " was made for evaluation only");
        }
        g.hostWrites(slotBuffers(slot)); // the trainer writes a new batch (and step key) before every step
        FloatSlice[] acts = recordForward(g, slot, theta, true);
        int last = layers.size() - 1;
        g.softmaxCrossEntropy(loss, correct.all(), grad[last], acts[last], y[slot].all(), batch, spec.outputs());
        for (int l = last; l >= firstParametric; l--) {
            FloatSlice input = l == 0 ? x[slot].all() : acts[l - 1];
            FloatSlice dy = grad[l];
            FloatSlice dx = l > firstParametric ? grad[l - 1] : null;
            int off = spec.offset(l);
            switch (layers.get(l)) {
                case Dense d -> {
                    int in = d.in().size(), units = d.units();
                    g.gemm(GemmForm.TN, in, units, batch, gradient.sub(off, in * units), input, dy, false);
                    g.biasGrad(gradient.sub(off + in * units, units), dy, batch, units, false);
                    if (dx != null) {
                        g.gemm(GemmForm.NT, batch, in, units, dx, dy, theta.sub(off, in * units), false);
                    }
                }
                case Conv c -> {
                    Window w = windows[l];
                    int patch = c.patch(), f = c.filters(), m = w.positions();
                    g.gemm(GemmForm.TN, patch, f, m, gradient.sub(off, patch * f), cols[l], dy, false);
                    g.biasGrad(gradient.sub(off + patch * f, f), dy, m, f, false);
                    if (dx != null) {
                        g.gemm(GemmForm.NT, m, patch, f, dcols[l], dy, theta.sub(off, patch * f), false);
                        g.col2im(dx, dcols[l], w);
                    }
                }
                case Act a -> g.activationBackward(a.kind(), dx, dy, input);
                case Pool p -> g.poolBackward(p.kind(), dx, dy, input, windows[l]);
                case Flatten f -> { } // a view: its gradient is its input's
                case Dropout d -> g.dropout(dx, dy, key.all(), l, d.rate());
            }
        }
    }

    /**
     * Records the forward pass of a slot up to the logits; returns each layer's output slice.
     * Dropout applies only when {@code training}; evaluation passes its input through.
     */
    private FloatSlice[] recordForward(Graph g, int slot, FloatSlice theta, boolean training) {
        FloatSlice[] acts = new FloatSlice[layers.size()];
        for (int l = 0; l < layers.size(); l++) {
            FloatSlice input = l == 0 ? x[slot].all() : acts[l - 1];
            int off = spec.offset(l);
            acts[l] = out[l];
            switch (layers.get(l)) {
                case Dense d -> {
                    int in = d.in().size(), units = d.units();
                    g.gemm(GemmForm.NN, batch, units, in, out[l], input, theta.sub(off, in * units), false);
                    g.biasAdd(out[l], theta.sub(off + in * units, units), batch, units);
                }
                case Conv c -> {
                    Window w = windows[l];
                    int patch = c.patch(), f = c.filters();
                    g.im2col(cols[l], input, w);
                    g.gemm(GemmForm.NN, w.positions(), f, patch, out[l], cols[l], theta.sub(off, patch * f), false);
                    g.biasAdd(out[l], theta.sub(off + patch * f, f), w.positions(), f);
                }
                case Act a -> g.activation(a.kind(), out[l], input);
                case Pool p -> g.pool(p.kind(), out[l], input, windows[l]);
                case Flatten f -> acts[l] = input;
                case Dropout d -> {
                    if (training) {
                        g.dropout(out[l], input, key.all(), l, d.rate());
                    } else {
                        acts[l] = input;
                    }
                }
            }
        }
        logits = acts[acts.length - 1];
        return acts;
    }

    /**
     * A plan that evaluates slot 0 at θ: mean loss into {@code loss} and the number of correct
     * predictions into {@link #correct()}; dropout off. The gradient of the loss goes to scratch space.
     */
    public Plan evaluationPlan(FloatSlice theta, FloatSlice loss) {
        Graph g = device.graph("evaluate " + spec);
        FloatSlice[] acts = recordForward(g, 0, theta, false);
        int last = layers.size() - 1;
        g.softmaxCrossEntropy(loss, correct.all(), grad[last], acts[last], y[0].all(), batch, spec.outputs());
        return g.hostWrites(x[0], y[0]).hostReads(loss.buffer(), correct).compile();
    }

    /**
     * A plan that computes the logits of slot 0's inputs at θ into {@link #logits()}, for
     * predictions: the forward pass of {@link #evaluationPlan}, without labels or loss.
     */
    public Plan predictionPlan(FloatSlice theta) {
        Graph g = device.graph("predict " + spec);
        recordForward(g, 0, theta, false);
        return g.hostWrites(x[0]).hostReads(logits.buffer()).compile();
    }

    /** The logits of the last recorded forward pass, batch × outputs, row major. */
    public FloatBuffer logits() {
        return logits.buffer(); // every layer output is a whole buffer
    }
}
