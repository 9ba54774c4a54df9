package io.rkflow.models.nn;

import io.rkflow.kernels.Activation;
import java.util.Arrays;
import java.util.Locale;

/**
 * A multilayer perceptron written down: layer widths and the hidden activation, e.g.
 * {@code 784-256-256-10:relu} (input 784, two hidden layers of 256, 10 logits). The output layer
 * has no activation; the loss is softmax cross-entropy.
 */
public record MlpSpec(int[] widths, Activation activation) {

    public MlpSpec {
        if (widths.length < 2) {
            throw new IllegalArgumentException("an MLP needs at least an input and an output width, got "
                    + Arrays.toString(widths));
        }
        for (int w : widths) {
            if (w < 1) {
                throw new IllegalArgumentException("layer width " + w + " in " + Arrays.toString(widths)
                        + " must be at least 1");
            }
        }
        widths = widths.clone();
    }

    /** Parses {@code 784-256-256-10:relu}; the activation (relu, tanh, gelu) defaults to relu. */
    public static MlpSpec parse(String text) {
        String[] parts = text.strip().split(":");
        if (parts.length > 2 || parts[0].isBlank()) {
            throw new IllegalArgumentException("model '" + text + "': expected widths and an activation, e.g."
                    + " 784-256-256-10:relu");
        }
        String[] ws = parts[0].split("-");
        int[] widths = new int[ws.length];
        for (int i = 0; i < ws.length; i++) {
            try {
                widths[i] = Integer.parseInt(ws[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("model '" + text + "': '" + ws[i] + "' is not a layer width; a model is"
                        + " WIDTH-WIDTH-...-WIDTH[:ACTIVATION], the input's features first and the classes last, e.g."
                        + " 784-256-256-10:relu (activations: relu, tanh, gelu)");
            }
        }
        Activation act = Activation.RELU;
        if (parts.length == 2) {
            try {
                act = Activation.valueOf(parts[1].strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model '" + text + "': unknown activation '" + parts[1]
                        + "'; valid: relu, tanh, gelu");
            }
        }
        return new MlpSpec(widths, act);
    }

    @Override
    public int[] widths() {
        return widths.clone();
    }

    public int layers() {
        return widths.length - 1;
    }

    public int inputs() {
        return widths[0];
    }

    public int outputs() {
        return widths[widths.length - 1];
    }

    /** Parameters: for each layer a (in × out) weight matrix and out biases. */
    public int parameters() {
        long n = 0;
        for (int l = 0; l < layers(); l++) {
            n += (long) widths[l] * widths[l + 1] + widths[l + 1];
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("model " + this + " has " + n + " parameters, more than a buffer holds");
        }
        return (int) n;
    }

    /** Offset of layer l's weights in the flat parameter vector; its biases follow them. */
    public int weightOffset(int layer) {
        int off = 0;
        for (int l = 0; l < layer; l++) {
            off += widths[l] * widths[l + 1] + widths[l + 1];
        }
        return off;
    }

    public int biasOffset(int layer) {
        return weightOffset(layer) + widths[layer] * widths[layer + 1];
    }

    /** FLOPs of one gradient evaluation at batch size B: forward 2·B·Σ in·out, backward twice that. */
    public double gradientFlops(int batch) {
        double macs = 0;
        for (int l = 0; l < layers(); l++) {
            macs += (double) widths[l] * widths[l + 1];
        }
        return 6.0 * batch * macs;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MlpSpec m && Arrays.equals(widths, m.widths) && activation == m.activation;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(widths) * 31 + activation.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            sb.append(i == 0 ? "" : "-").append(widths[i]);
        }
        return sb.append(':').append(activation.name().toLowerCase(Locale.ROOT)).toString();
    }
}
