package io.rkflow.models.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.rkflow.models.nn.ModelSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes and reads an MLP's weights in the safetensors format (an 8-byte little-endian header
 * length, a JSON header of names, dtypes, shapes and byte ranges, then little-endian data), laid out
 * as PyTorch's {@code nn.Linear} stores them: {@code layers.<l>.weight} of shape [out, in] and
 * {@code layers.<l>.bias} of shape [out], so {@code safetensors.torch.load_file} reads it and
 * {@link #read} reads what PyTorch's {@code safetensors.torch.save_file} writes.
 */
public final class SafeTensors {

    private SafeTensors() {}

    /**
     * Writes θ of {@code spec} to {@code file} atomically, with string metadata, every tensor in
     * PyTorch's layout ({@link ModelSpec#torchTensors()}).
     */
    public static void write(Path file, ModelSpec spec, float[] theta, Map<String, String> metadata)
            throws IOException {
        if (theta.length != spec.parameters()) {
            throw new IllegalArgumentException("theta has " + theta.length + " values, the model " + spec + " "
                    + spec.parameters());
        }
        StringBuilder json = new StringBuilder("{\"__metadata__\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            json.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
            first = false;
        }
        json.append('}');
        long offset = 0;
        List<ModelSpec.TorchTensor> tensors = spec.torchTensors();
        for (ModelSpec.TorchTensor t : tensors) {
            long bytes = 4L * t.theta().length;
            StringBuilder shape = new StringBuilder();
            for (long d : t.shape()) {
                shape.append(shape.length() == 0 ? "" : ",").append(d);
            }
            json.append(",").append(quote(t.name())).append(":{\"dtype\":\"F32\",\"shape\":[").append(shape)
                    .append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        json.append('}');
        while (json.length() % 8 != 0) {
            json.append(' '); // the format allows trailing spaces; alignment keeps the data 8-byte aligned
        }
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer data = ByteBuffer.allocate(8 + header.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        data.putLong(header.length).put(header);
        for (ModelSpec.TorchTensor t : tensors) {
            for (int i : t.theta()) {
                data.putFloat(theta[i]);
            }
        }
        AtomicFile.write(file, data.flip());
    }

    /** The largest header read: the safetensors library itself refuses headers over 100 MB. */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    /** A tensor of a file, converted to float32, in row-major (C) order. */
    public record Tensor(String name, String dtype, long[] shape, float[] values) {}

    /**
     * A safetensors file as read: its string metadata, its tensors (in the header's order), and the
     * SHA-256 of the bytes that gave them.
     */
    public record Contents(Path file, Map<String, String> metadata, Map<String, Tensor> tensors, String sha256) {}

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private record Entry(String name, String dtype, long[] shape, long begin, long end) {}

    /**
     * Reads and validates a whole safetensors file: the header length within the file, a strict JSON
     * object header (no name twice), {@code __metadata__} of strings, each tensor's dtype, shape and
     * {@code data_offsets} (within the data, its length the shape's, the tensors covering the data
     * exactly once), and finite values. F32 is taken as it is; F64, F16 and BF16 are converted to
     * float32 (an F64 beyond float32's range is an error); integer and other dtypes are refused.
     *
     * @throws BadFileException naming the file, and the tensor where one is at fault
     */
    public static Contents read(Path file) throws IOException {
        byte[] bytes = readBytes(file);
        if (bytes.length < 8) {
            throw bad(file, "is " + bytes.length + " bytes, too short for a safetensors file (an 8-byte header"
                    + " length, a JSON header, then the data)");
        }
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (headerLength < 0 || headerLength > bytes.length - 8L) {
            throw bad(file, "the header length " + Long.toUnsignedString(headerLength) + " (the first 8 bytes,"
                    + " little-endian) is beyond the file's " + bytes.length + " bytes: not a safetensors file, or"
                    + " a truncated one");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw bad(file, "the header length " + headerLength + " is over " + MAX_HEADER_BYTES + " bytes");
        }
        int dataStart = 8 + (int) headerLength;
        long dataLength = bytes.length - dataStart;
        JsonNode root = header(file, bytes, dataStart);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                metadata(file, e.getValue(), metadata);
            } else {
                entries.add(entry(file, e.getKey(), e.getValue(), dataLength));
            }
        }
        checkCoverage(file, entries, dataLength);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            tensors.put(e.name(), new Tensor(e.name(), e.dtype(), e.shape(), values(file, e, bytes, dataStart)));
        }
        return new Contents(file, Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(tensors),
                sha256(bytes));
    }

    /** {@code name} then a layer index then {@code .weight} or {@code .bias}; the name empty or ending in a dot. */
    private static final Pattern LAYER_TENSOR = Pattern.compile("((?:.*\\.)?)(\\d+)\\.(weight|bias)");

    /**
     * θ of {@code spec} (rkflow's flat layout) from the file's tensors, by name and shape. Layer l's
     * tensors are {@code layers.<l>.weight} [out, in] and {@code layers.<l>.bias} [out], as
     * {@link #write} writes them; more generally {@code <prefix><i>.weight} and
     * {@code <prefix><i>.bias} with one prefix for all (empty or ending in a dot), the indices i in
     * increasing order being the layers 0, 1, ...: so PyTorch's {@code nn.Sequential(Linear, ReLU,
     * Linear)} state_dict ({@code 0.weight}, {@code 2.weight}, ...) fits as it is.
     *
     * @throws BadFileException naming the file and the tensor: one missing, one of another shape
     *     (with the model's and the file's), or one the model has no place for
     */
    public static float[] parameters(Contents contents, ModelSpec spec) throws BadFileException {
        Path file = contents.file();
        Map<String, Tensor> tensors = contents.tensors();
        String prefix = null;
        TreeMap<Integer, String> indices = new TreeMap<>(); // the file's layer index, as written
        for (String name : tensors.keySet()) {
            Matcher m = LAYER_TENSOR.matcher(name);
            if (m.matches() && (prefix == null || prefix.equals(m.group(1)))) {
                prefix = m.group(1);
                indices.put(Integer.valueOf(m.group(2)), m.group(2));
            }
        }
        if (prefix == null) {
            prefix = "layers.";
        }
        List<String> order = new ArrayList<>(indices.values());
        float[] theta = new float[spec.parameters()];
        List<String> used = new ArrayList<>();
        int layers = spec.parametricLayers();
        for (ModelSpec.TorchTensor t : spec.torchTensors()) {
            int l = t.index();
            String kind = t.kind();
            String index = l < order.size() ? order.get(l) : null;
            String layer = prefix + (index != null ? index : String.valueOf(l));
            String where = index != null && (!prefix.equals("layers.") || !index.equals(String.valueOf(l)))
                    ? " (the model's layer " + l + ")" : "";
            if (index == null) {
                throw bad(file, "no tensor " + layer + ".weight: the model " + spec + " has " + layers
                        + " layers with weights, the file " + order.size() + " (" + describe(tensors) + ")");
            }
            float[] values = tensor(contents, spec, layer + "." + kind, where, t.shape());
            int[] at = t.theta();
            for (int i = 0; i < at.length; i++) {
                theta[at[i]] = values[i];
            }
            used.add(layer + "." + kind);
        }
        for (Tensor t : tensors.values()) {
            if (!used.contains(t.name())) {
                throw bad(file, "tensor " + t.name() + " " + shapeText(t.shape()) + " is not part of the model "
                        + spec + ", which takes " + String.join(", ", used) + ": a file of another model?");
            }
        }
        return theta;
    }

    private static float[] tensor(Contents contents, ModelSpec spec, String name, String where, long[] expected)
            throws BadFileException {
        Tensor t = contents.tensors().get(name);
        if (t == null) {
            throw bad(contents.file(), "no tensor " + name + where + ": the model " + spec + " needs one of shape "
                    + shapeText(expected) + " (the file has " + describe(contents.tensors()) + ")");
        }
        if (!Arrays.equals(t.shape(), expected)) {
            boolean transposed = expected.length == 2 && t.shape().length == 2 && t.shape()[0] == expected[1]
                    && t.shape()[1] == expected[0];
            throw bad(contents.file(), name + where + ": the model " + spec + " needs " + shapeText(expected)
                    + ", the file has " + shapeText(t.shape()) + (transposed ? " (transposed: rkflow takes"
                    + " nn.Linear's [out, in]; a kernel stored [in, out], as Keras and JAX do, needs .T)" : ""));
        }
        return t.values();
    }

    private static String describe(Map<String, Tensor> tensors) {
        if (tensors.isEmpty()) {
            return "no tensors";
        }
        List<String> names = new ArrayList<>();
        for (Tensor t : tensors.values()) {
            if (names.size() == 8) {
                names.add("... " + (tensors.size() - 8) + " more");
                break;
            }
            names.add(t.name() + " " + shapeText(t.shape()));
        }
        return String.join(", ", names);
    }

    private static byte[] readBytes(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new BadFileException(file + " is a folder, not a safetensors file");
        }
        if (!Files.exists(file)) {
            throw new BadFileException(file + ": no such file");
        }
        if (!Files.isReadable(file)) {
            throw new BadFileException(file + ": not readable (permission denied)");
        }
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            throw bad(file, "is " + size + " bytes; this reader takes files under 2 GB");
        }
        try {
            return Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw new BadFileException(file + ": not readable (permission denied)", e);
        }
    }

    private static JsonNode header(Path file, byte[] bytes, int dataStart) throws BadFileException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 8, dataStart - 8)).toString();
        } catch (CharacterCodingException e) {
            throw bad(file, "the header (bytes 8 to " + dataStart + ") is not UTF-8 text: not a safetensors file");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage();
            Matcher dup = Pattern.compile("Duplicate field '(.*)'").matcher(m);
            if (dup.find()) {
                throw bad(file, "the header names " + dup.group(1) + " twice");
            }
            throw bad(file, "the header is not valid JSON (" + m + ", at its character "
                    + e.getLocation().getCharOffset() + ")");
        }
        if (root == null || !root.isObject()) {
            throw bad(file, "the header is not a JSON object of tensors: not a safetensors file");
        }
        return root;
    }

    private static void metadata(Path file, JsonNode node, Map<String, String> metadata) throws BadFileException {
        if (!node.isObject()) {
            throw bad(file, "__metadata__ is not an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw bad(file, "__metadata__ entry " + e.getKey() + " is " + e.getValue() + ", not a string");
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static Entry entry(Path file, String name, JsonNode node, long dataLength) throws BadFileException {
        String what = "tensor " + name + ": ";
        if (!node.isObject()) {
            throw bad(file, what + "its header entry is " + node + ", not an object of dtype, shape and data_offsets");
        }
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!List.of("dtype", "shape", "data_offsets").contains(key)) {
                throw bad(file, what + "unknown header key " + key + " (a tensor has dtype, shape and data_offsets)");
            }
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw bad(file, what + "no dtype string");
        }
        String dtype = dtypeNode.textValue();
        int size = dtypeSize(file, name, dtype);
        long[] shape = longs(file, what + "shape", node.get("shape"), -1);
        long[] offsets = longs(file, what + "data_offsets", node.get("data_offsets"), 2);
        if (offsets[0] > offsets[1] || offsets[1] > dataLength) {
            throw bad(file, what + "data_offsets [" + offsets[0] + ", " + offsets[1] + "] are not a range within the"
                    + " data's " + dataLength + " bytes");
        }
        long count = 1;
        try {
            for (long d : shape) {
                count = Math.multiplyExact(count, d);
            }
            count = Math.multiplyExact(count, size);
        } catch (ArithmeticException e) {
            count = -1;
        }
        if (count != offsets[1] - offsets[0]) {
            throw bad(file, what + "shape " + shapeText(shape) + " of " + dtype + " needs "
                    + (count < 0 ? "more than 2^63" : String.valueOf(count)) + " bytes, its data_offsets ["
                    + offsets[0] + ", " + offsets[1] + "] hold " + (offsets[1] - offsets[0]));
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** Non-negative integers of a JSON array, {@code length} of them unless it is negative. */
    private static long[] longs(Path file, String what, JsonNode node, int length) throws BadFileException {
        String expected = length < 0 ? "an array of non-negative integers" : "an array of " + length
                + " non-negative integers";
        if (node == null || !node.isArray() || length >= 0 && node.size() != length) {
            throw bad(file, what + " is " + node + ", not " + expected);
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw bad(file, what + " is " + node + ", not " + expected);
            }
            values[i] = v.longValue();
        }
        return values;
    }

    private static int dtypeSize(Path file, String name, String dtype) throws BadFileException {
        return switch (dtype) {
            case "F32" -> 4;
            case "F64" -> 8;
            case "F16", "BF16" -> 2;
            case "BOOL", "U8", "I8", "U16", "I16", "U32", "I32", "U64", "I64" -> throw bad(file, "tensor " + name
                    + " has dtype " + dtype + ", not a floating-point type: weights must be F32, F64, F16 or BF16");
            default -> throw bad(file, "tensor " + name + " has dtype " + quote(dtype) + ", which this reader does"
                    + " not take: weights must be F32, F64, F16 or BF16");
        };
    }

    /** The tensors, in the order of their data, must cover the data bytes exactly once. */
    private static void checkCoverage(Path file, List<Entry> entries, long dataLength) throws BadFileException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < covered) {
                throw bad(file, "tensors " + previous.name() + " [" + previous.begin() + ", " + previous.end() + ") and "
                        + e.name() + " [" + e.begin() + ", " + e.end() + ") overlap in the data");
            }
            if (e.begin() > covered) {
                throw bad(file, "data bytes [" + covered + ", " + e.begin() + ") belong to no tensor (before "
                        + e.name() + ")");
            }
            covered = e.end();
            previous = e;
        }
        if (covered != dataLength) {
            throw bad(file, "data bytes [" + covered + ", " + dataLength + ") after the last tensor belong to no"
                    + " tensor");
        }
    }

    private static float[] values(Path file, Entry e, byte[] bytes, int dataStart) throws BadFileException {
        ByteBuffer d = ByteBuffer.wrap(bytes).slice(dataStart + (int) e.begin(), (int) (e.end() - e.begin()))
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[(int) (e.end() - e.begin()) / dtypeSize(file, e.name(), e.dtype())];
        for (int i = 0; i < values.length; i++) {
            double v = switch (e.dtype()) {
                case "F32" -> d.getFloat(4 * i);
                case "F64" -> d.getDouble(8 * i);
                case "F16" -> Float.float16ToFloat(d.getShort(2 * i));
                default -> Float.intBitsToFloat((d.getShort(2 * i) & 0xffff) << 16); // BF16: float32's top half
            };
            values[i] = (float) v;
            if (!Float.isFinite(values[i])) {
                throw bad(file, "tensor " + e.name() + ": element " + index(e.shape(), i) + " is " + v
                        + (Double.isFinite(v) ? ", beyond float32's range" : "") + "; weights must be finite");
            }
        }
        return values;
    }

    /** The multi-index of flat index {@code flat} in a row-major array of {@code shape}. */
    private static String index(long[] shape, long flat) {
        long[] index = new long[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            index[k] = flat % shape[k];
            flat /= shape[k];
        }
        return shapeText(index);
    }

    private static String shapeText(long[] shape) {
        return Arrays.toString(shape);
    }

    private static BadFileException bad(Path file, String message) {
        return new BadFileException(file + ": " + message);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') {
                sb.append('\\').append(ch);
            } else if (ch < 0x20) {
                sb.append(String.format("\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.append('"').toString();
    }
}
