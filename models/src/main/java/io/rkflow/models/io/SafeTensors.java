package io.rkflow.models.io;

import io.rkflow.models.nn.MlpSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes an MLP's weights in the safetensors format (an 8-byte little-endian header length, a
 * JSON header of names, dtypes, shapes and byte ranges, then little-endian data), laid out as
 * PyTorch's {@code nn.Linear} stores them: {@code layers.<l>.weight} of shape [out, in] and
 * {@code layers.<l>.bias} of shape [out], so {@code safetensors.torch.load_file} reads it.
 */
public final class SafeTensors {

    private SafeTensors() {}

    /** Writes θ of {@code spec} to {@code file} atomically, with string metadata. */
    public static void writeMlp(Path file, MlpSpec spec, float[] theta, Map<String, String> metadata)
            throws IOException {
        if (theta.length != spec.parameters()) {
            throw new IllegalArgumentException("theta has " + theta.length + " values, the model " + spec + " "
                    + spec.parameters());
        }
        int[] w = spec.widths();
        StringBuilder json = new StringBuilder("{\"__metadata__\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            json.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
            first = false;
        }
        json.append('}');
        long offset = 0;
        for (int l = 0; l < spec.layers(); l++) {
            long weightBytes = 4L * w[l] * w[l + 1];
            json.append(",\"layers.").append(l).append(".weight\":{\"dtype\":\"F32\",\"shape\":[").append(w[l + 1])
                    .append(',').append(w[l]).append("],\"data_offsets\":[").append(offset).append(',')
                    .append(offset + weightBytes).append("]}");
            offset += weightBytes;
            json.append(",\"layers.").append(l).append(".bias\":{\"dtype\":\"F32\",\"shape\":[").append(w[l + 1])
                    .append("],\"data_offsets\":[").append(offset).append(',').append(offset + 4L * w[l + 1])
                    .append("]}");
            offset += 4L * w[l + 1];
        }
        json.append('}');
        while (json.length() % 8 != 0) {
            json.append(' '); // the format allows trailing spaces; alignment keeps the data 8-byte aligned
        }
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer data = ByteBuffer.allocate(8 + header.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        data.putLong(header.length).put(header);
        for (int l = 0; l < spec.layers(); l++) {
            int in = w[l], out = w[l + 1];
            int wo = spec.weightOffset(l);
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    data.putFloat(theta[wo + i * out + o]); // transpose (in × out) into PyTorch's (out × in)
                }
            }
            int bo = spec.biasOffset(l);
            for (int o = 0; o < out; o++) {
                data.putFloat(theta[bo + o]);
            }
        }
        AtomicFile.write(file, data.flip());
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
