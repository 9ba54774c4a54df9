package io.rkflow.models.nn;

import io.rkflow.kernels.Activation;
import io.rkflow.kernels.Pooling;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model written down: an input shape and a stack of layers, ending in the logits that softmax
 * cross-entropy scores. Two spellings:
 * <ul>
 *   <li>an MLP, {@code 784-256-256-10:relu} (widths, then the hidden activation), which is
 *       {@code 784:dense(256)-relu-dense(256)-relu-dense(10)};</li>
 *   <li>any stack, {@code 28x28x1:conv(32,3,pad=1)-relu-maxpool(2)-flatten-dense(10)}: the input
 *       as HEIGHTxWIDTHxCHANNELS (or a width, for flat rows), then layers separated by {@code -}:
 *       {@code conv(FILTERS,SIZE[,stride=S][,pad=P])}, {@code dense(UNITS)}, {@code relu},
 *       {@code tanh}, {@code gelu}, {@code maxpool(SIZE[,stride=S][,pad=P])} and
 *       {@code avgpool(...)} (stride defaults to the size), {@code flatten},
 *       {@code dropout(RATE)}.</li>
 * </ul>
 * Images are NHWC, channels last: a data row of an HxWxC input is read as H rows of W pixels of C
 * channels. Shapes are checked when the spec is built: a layer that does not fit its input names
 * itself and both shapes. A stack that is an MLP prints as an MLP, so both spellings of one model
 * are one model.
 */
public final class ModelSpec {

    /** A tensor shape per example: height × width × channels; flat vectors are 1 × 1 × n. */
    public record Shape(int height, int width, int channels) {
        public int size() {
            return height * width * channels;
        }

        public boolean flat() {
            return height == 1 && width == 1;
        }

        @Override
        public String toString() {
            return flat() ? String.valueOf(channels) : height + "x" + width + "x" + channels;
        }
    }

    /** One layer with the shape it takes and the shape it gives. */
    public sealed interface Layer permits Conv, Dense, Act, Pool, Flatten, Dropout {
        Shape in();

        Shape out();

        /** The layer as the spec spells it. */
        String text();

        /** Parameters of this layer (weights then biases), 0 for layers without. */
        default int parameters() {
            return 0;
        }
    }

    /**
     * 2-D convolution, weights (size, size, in channels, filters) row major (HWIO: the im2col
     * matrix times this), then the filters' biases. PyTorch's {@code nn.Conv2d} weight is
     * [filters, in channels, size, size].
     */
    public record Conv(Shape in, Shape out, int filters, int size, int stride, int pad) implements Layer {
        public int patch() {
            return size * size * in.channels();
        }

        @Override
        public int parameters() {
            return patch() * filters + filters;
        }

        @Override
        public String text() {
            return "conv(" + filters + "," + size + (stride != 1 ? ",stride=" + stride : "") + (pad != 0 ? ",pad=" + pad
                    : "") + ")";
        }
    }

    /**
     * Fully connected, weights (inputs × units) row major, then the biases; {@code source} is the
     * shape of its input before any flatten (for the input order of the exported weights).
     */
    public record Dense(Shape in, Shape out, Shape source) implements Layer {
        public int units() {
            return out.channels();
        }

        @Override
        public int parameters() {
            return in.size() * units() + units();
        }

        @Override
        public String text() {
            return "dense(" + units() + ")";
        }
    }

    /** An activation, elementwise. */
    public record Act(Shape in, Shape out, Activation kind) implements Layer {
        @Override
        public String text() {
            return kind.name().toLowerCase(Locale.ROOT);
        }
    }

    /** Max or average pooling, channel by channel. */
    public record Pool(Shape in, Shape out, Pooling kind, int size, int stride, int pad) implements Layer {
        @Override
        public String text() {
            return (kind == Pooling.MAX ? "maxpool(" : "avgpool(") + size + (stride != size ? ",stride=" + stride : "")
                    + (pad != 0 ? ",pad=" + pad : "") + ")";
        }
    }

    /** The image as one flat vector (a view: NHWC rows are already flat). */
    public record Flatten(Shape in, Shape out) implements Layer {
        @Override
        public String text() {
            return "flatten";
        }
    }

    /** Dropout of {@code rate} while training; the identity when evaluating. */
    public record Dropout(Shape in, Shape out, float rate) implements Layer {
        @Override
        public String text() {
            return "dropout(" + rate + ")";
        }
    }

    private static final String SYNTAX = "a model is WIDTH-WIDTH-...-WIDTH[:ACTIVATION] (an MLP, e.g."
            + " 784-256-256-10:relu) or INPUT:LAYER-LAYER-... with INPUT as HEIGHTxWIDTHxCHANNELS, e.g."
            + " 28x28x1:conv(32,3,pad=1)-relu-maxpool(2)-flatten-dense(128)-relu-dropout(0.25)-dense(10)"
            + " (layers: conv(FILTERS,SIZE[,stride=S][,pad=P]), dense(UNITS), relu, tanh, gelu,"
            + " maxpool(SIZE[,stride=S][,pad=P]), avgpool(...), flatten, dropout(RATE))";

    private final Shape input;
    private final List<Layer> layers;
    private final String text;

    private final MlpSpec mlp;

    private ModelSpec(Shape input, List<Layer> layers, MlpSpec mlp) {
        this.input = input;
        this.layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("model with input " + input + " has no layers; " + SYNTAX);
        }
        Shape last = this.layers.get(this.layers.size() - 1).out();
        if (!last.flat()) {
            throw new IllegalArgumentException("model " + describe() + ": the last layer gives " + last
                    + ", not a flat vector of class scores; end with flatten and dense(CLASSES)");
        }
        long n = 0;
        for (Layer l : this.layers) {
            n += l.parameters();
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("model " + describe() + " has " + n
                    + " parameters, more than a buffer holds");
        }
        this.mlp = mlp != null ? mlp : asMlp(input, this.layers);
        this.text = this.mlp != null ? this.mlp.toString() : describe();
    }

    /** The MLP of {@code spec}. */
    public static ModelSpec of(MlpSpec spec) {
        int[] w = spec.widths();
        Builder b = new Builder(new Shape(1, 1, w[0]), spec.toString());
        for (int l = 1; l < w.length; l++) {
            b.dense(w[l], "dense(" + w[l] + ")");
            if (l < w.length - 1) {
                b.act(spec.activation());
            }
        }
        return new ModelSpec(b.input, b.layers, spec);
    }

    /** Parses either spelling (see the class documentation); every error says what is wrong and where. */
    public static ModelSpec parse(String text) {
        String t = text.strip();
        int colon = t.indexOf(':');
        if (colon < 0 || t.substring(0, colon).contains("-")) { // widths, then maybe an activation: an MLP
            try {
                return of(MlpSpec.parse(t));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + "; or a layer stack, INPUT:LAYER-LAYER-..., e.g."
                        + " 28x28x1:conv(32,3,pad=1)-relu-maxpool(2)-flatten-dense(10)", e);
            }
        }
        Shape input = parseShape(text, t.substring(0, colon).strip());
        String body = t.substring(colon + 1).strip();
        if (body.isEmpty()) {
            throw new IllegalArgumentException("model '" + text + "': no layers after ':'; " + SYNTAX);
        }
        Builder b = new Builder(input, text);
        String[] tokens = body.split("-", -1);
        for (String token : tokens) {
            b.add(token.strip());
        }
        return new ModelSpec(b.input, b.layers, null);
    }

    private static Shape parseShape(String text, String s) {
        String[] parts = s.split("x", -1);
        int[] v = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                v[i] = Integer.parseInt(parts[i].strip());
                if (v[i] < 1) {
                    throw new NumberFormatException();
                }
            }
        } catch (NumberFormatException e) {
            v = null;
        }
        if (v == null || (v.length != 1 && v.length != 3)) {
            throw new IllegalArgumentException("model '" + text + "': input '" + s + "' is not HEIGHTxWIDTHxCHANNELS"
                    + " (e.g. 28x28x1) or a width (e.g. 784) of positive integers; " + SYNTAX);
        }
        return v.length == 1 ? new Shape(1, 1, v[0]) : new Shape(v[0], v[1], v[2]);
    }

    /** Builds the layer list, checking each layer against the shape before it. */
    private static final class Builder {
        private static final Pattern CALL = Pattern.compile("([a-z0-9]+)\\s*(?:\\((.*)\\))?");

        final Shape input;
        final String text;
        final List<Layer> layers = new ArrayList<>();
        Shape shape;
        Shape source; // the shape before the last flatten (for the exported dense weights' input order)

        Builder(Shape input, String text) {
            this.input = input;
            this.text = text;
            this.shape = input;
            this.source = input;
        }

        private IllegalArgumentException error(String token, String problem) {
            return new IllegalArgumentException("model '" + text + "': layer " + (layers.size() + 1) + " '" + token
                    + "' " + problem);
        }

        void add(String token) {
            Matcher m = CALL.matcher(token.toLowerCase(Locale.ROOT));
            if (token.isEmpty() || !m.matches()) {
                throw error(token, "is not a layer; " + SYNTAX);
            }
            String name = m.group(1);
            Args a = new Args(this, token, m.group(2));
            switch (name) {
                case "conv" -> {
                    int filters = a.positional(0, "FILTERS");
                    int size = a.positional(1, "SIZE");
                    int stride = a.named("stride", 1);
                    int pad = a.named("pad", 0);
                    a.done(2);
                    Shape out = window(token, size, stride, pad, filters, false);
                    add(new Conv(shape, out, filters, size, stride, pad));
                }
                case "dense" -> {
                    int units = a.positional(0, "UNITS");
                    a.done(1);
                    dense(units, token);
                }
                case "maxpool", "avgpool" -> {
                    int size = a.positional(0, "SIZE");
                    int stride = a.named("stride", size);
                    int pad = a.named("pad", 0);
                    a.done(1);
                    Shape out = window(token, size, stride, pad, shape.channels(), true);
                    add(new Pool(shape, out, name.equals("maxpool") ? Pooling.MAX : Pooling.AVERAGE, size, stride, pad));
                }
                case "flatten" -> {
                    a.done(0);
                    Shape out = new Shape(1, 1, shape.size());
                    source = shape.flat() ? source : shape;
                    add(new Flatten(shape, out));
                }
                case "dropout" -> {
                    float rate = a.rate();
                    add(new Dropout(shape, shape, rate));
                }
                case "relu", "tanh", "gelu" -> {
                    a.done(0);
                    act(Activation.valueOf(name.toUpperCase(Locale.ROOT)));
                }
                default -> throw error(token, "is not a layer; " + SYNTAX);
            }
        }

        void dense(int units, String token) {
            if (!shape.flat()) {
                throw error(token, "takes a flat vector, but its input is " + shape + " (height x width x"
                        + " channels); put flatten before it");
            }
            add(new Dense(shape, new Shape(1, 1, units), source));
        }

        void act(Activation kind) {
            add(new Act(shape, shape, kind));
        }

        private void add(Layer l) {
            layers.add(l);
            shape = l.out();
            if (!(l instanceof Flatten) && !(l instanceof Dropout) && !(l instanceof Act)) {
                source = shape;
            }
        }

        private Shape window(String token, int size, int stride, int pad, int channels, boolean pool) {
            if (pad >= size || pool && pad > size / 2) {
                throw error(token, "has pad " + pad + ", " + (pool ? "more than half the window size " + size
                        : "not less than the window size " + size));
            }
            if (size > shape.height() + 2 * pad || size > shape.width() + 2 * pad) {
                throw error(token, "has a " + size + "x" + size + " window, larger than its input " + shape
                        + (pad > 0 ? " padded by " + pad : "") + (shape.flat() ? "; a window slides over an image:"
                        + " give the input as HEIGHTxWIDTHxCHANNELS (e.g. 28x28x1), and no flatten or dense before it"
                        : ""));
            }
            int h = (shape.height() + 2 * pad - size) / stride + 1;
            int w = (shape.width() + 2 * pad - size) / stride + 1;
            return new Shape(h, w, channels);
        }
    }

    /** The arguments of one layer call: positional integers, then name=value pairs. */
    private static final class Args {
        private final Builder b;
        private final String token;
        private final List<String> positional = new ArrayList<>();
        private final java.util.Map<String, String> named = new java.util.LinkedHashMap<>();
        private final java.util.Set<String> used = new java.util.LinkedHashSet<>();

        Args(Builder b, String token, String list) {
            this.b = b;
            this.token = token;
            if (list != null && !list.isBlank()) {
                for (String part : list.split(",", -1)) {
                    String p = part.strip();
                    int eq = p.indexOf('=');
                    if (eq >= 0) {
                        named.put(p.substring(0, eq).strip(), p.substring(eq + 1).strip());
                    } else if (!named.isEmpty()) {
                        throw b.error(token, "has the positional argument '" + p + "' after a named one");
                    } else {
                        positional.add(p);
                    }
                }
            }
        }

        int positional(int i, String what) {
            if (i >= positional.size()) {
                throw b.error(token, "needs " + what + " as argument " + (i + 1));
            }
            return integer(positional.get(i), what);
        }

        int named(String name, int fallback) {
            used.add(name);
            String v = named.get(name);
            return v == null ? fallback : integer(v, name);
        }

        float rate() {
            if (positional.size() != 1 || !named.isEmpty()) {
                throw b.error(token, "takes one argument, the rate in [0, 1), e.g. dropout(0.25)");
            }
            float r;
            try {
                r = Float.parseFloat(positional.get(0));
            } catch (NumberFormatException e) {
                throw b.error(token, "has rate '" + positional.get(0) + "', not a number in [0, 1)");
            }
            if (!(r >= 0 && r < 1)) {
                throw b.error(token, "has rate " + positional.get(0) + ", not in [0, 1)");
            }
            return r;
        }

        void done(int positionalCount) {
            if (positional.size() > positionalCount) {
                throw b.error(token, "has " + positional.size() + " positional arguments, takes " + positionalCount);
            }
            for (String n : named.keySet()) {
                if (!used.contains(n)) {
                    throw b.error(token, "has the unknown argument '" + n + "'"
                            + (used.isEmpty() ? "; it takes none by name" : "; it takes " + String.join(", ", used)));
                }
            }
        }

        private int integer(String v, String what) {
            try {
                int i = Integer.parseInt(v);
                if (i >= (what.equals("pad") ? 0 : 1)) {
                    return i;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw b.error(token, "has " + what + " '" + v + "', expected " + (what.equals("pad") ? "a non-negative"
                    : "a positive") + " integer");
        }
    }

    // ---- queries -----------------------------------------------------------------------------

    public Shape input() {
        return input;
    }

    public List<Layer> layers() {
        return layers;
    }

    /** Features of one input row. */
    public int inputs() {
        return input.size();
    }

    /** Classes: the size of the last layer's output. */
    public int outputs() {
        return layers.get(layers.size() - 1).out().size();
    }

    public int parameters() {
        int n = 0;
        for (Layer l : layers) {
            n += l.parameters();
        }
        return n;
    }

    /** Offset of layer i's parameters (weights, then biases) in θ. */
    public int offset(int layer) {
        int n = 0;
        for (int i = 0; i < layer; i++) {
            n += layers.get(i).parameters();
        }
        return n;
    }


    /**
     * A parameter tensor as PyTorch lays it out: {@code layers.<p>.weight} / {@code .bias} of the
     * p-th layer with parameters, its shape, and for each element in row-major order its index in
     * θ. {@code nn.Linear} weights are [out, in], with in ordered as PyTorch flattens NCHW images
     * (channel, row, column) where the layer follows a flatten; {@code nn.Conv2d} weights are
     * [filters, in channels, size, size].
     */
    public record TorchTensor(int index, String kind, int layer, long[] shape, int[] theta) {
        /** {@code layers.<index>.<kind>}. */
        public String name() {
            return "layers." + index + "." + kind;
        }
    }

    /** Every parameter tensor of the model in PyTorch's layout, in θ's order. */
    public List<TorchTensor> torchTensors() {
        List<TorchTensor> out = new ArrayList<>();
        int p = 0;
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            int off = offset(l);
            if (layer instanceof Dense d) {
                int in = d.in().size(), units = d.units();
                Shape src = d.source();
                int[] idx = new int[in * units];
                for (int o = 0; o < units; o++) {
                    for (int t = 0; t < in; t++) {
                        int ours = t;
                        if (!src.flat()) { // torch index t = (c, y, x) over the NCHW source; ours (y, x, c)
                            int hw = src.height() * src.width();
                            int c = t / hw, yx = t % hw;
                            ours = yx * src.channels() + c;
                        }
                        idx[o * in + t] = off + ours * units + o;
                    }
                }
                out.add(new TorchTensor(p, "weight", l, new long[] {units, in}, idx));
                out.add(new TorchTensor(p, "bias", l, new long[] {units}, range(off + in * units, units)));
                p++;
            } else if (layer instanceof Conv c) {
                int f = c.filters(), ch = c.in().channels(), k = c.size();
                int[] idx = new int[f * ch * k * k];
                int e = 0;
                for (int o = 0; o < f; o++) {
                    for (int cc = 0; cc < ch; cc++) {
                        for (int i = 0; i < k; i++) {
                            for (int j = 0; j < k; j++) {
                                idx[e++] = off + ((i * k + j) * ch + cc) * f + o;
                            }
                        }
                    }
                }
                out.add(new TorchTensor(p, "weight", l, new long[] {f, ch, k, k}, idx));
                out.add(new TorchTensor(p, "bias", l, new long[] {f}, range(off + c.patch() * f, f)));
                p++;
            }
        }
        return out;
    }

    private static int[] range(int from, int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = from + i;
        }
        return r;
    }

    /** Layers with parameters. */
    public int parametricLayers() {
        return (int) layers.stream().filter(l -> l.parameters() > 0).count();
    }

    /** Whether any layer is dropout (the model then needs a step key). */
    public boolean hasDropout() {
        return layers.stream().anyMatch(l -> l instanceof Dropout);
    }

    /** The MLP this stack is (dense layers with one hidden activation between each), or null. */
    public MlpSpec mlp() {
        return mlp;
    }

    private static MlpSpec asMlp(Shape input, List<Layer> layers) {
        if (!input.flat()) {
            return null;
        }
        List<Integer> widths = new ArrayList<>(List.of(input.size()));
        Activation act = null;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            boolean denseSlot = i % 2 == 0;
            if (denseSlot && l instanceof Dense d) {
                widths.add(d.units());
            } else if (!denseSlot && l instanceof Act a && (act == null || act == a.kind())) {
                act = a.kind();
            } else {
                return null;
            }
        }
        if (layers.size() % 2 == 0) {
            return null; // ends in an activation
        }
        return new MlpSpec(widths.stream().mapToInt(Integer::intValue).toArray(), act == null ? Activation.RELU : act);
    }

    /** FLOPs of one gradient evaluation at {@code batch}: the products' forward 2·MACs, backward twice that. */
    public double gradientFlops(int batch) {
        double macs = 0;
        for (Layer l : layers) {
            if (l instanceof Dense d) {
                macs += (double) d.in().size() * d.units();
            } else if (l instanceof Conv c) {
                macs += (double) c.out().height() * c.out().width() * c.patch() * c.filters();
            }
        }
        return 6.0 * batch * macs;
    }

    /** The layer-stack spelling, even for an MLP. */
    public String describe() {
        StringBuilder sb = new StringBuilder().append(input).append(':');
        for (int i = 0; i < layers.size(); i++) {
            sb.append(i == 0 ? "" : "-").append(layers.get(i).text());
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSpec m && m.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The canonical spelling: an MLP's for an MLP, the layer stack's otherwise. */
    @Override
    public String toString() {
        return text;
    }
}
