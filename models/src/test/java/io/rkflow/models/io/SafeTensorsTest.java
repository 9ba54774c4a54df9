package io.rkflow.models.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.nn.ModelSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @Test
    void writesPytorchLinearLayoutWithAHeaderThatDescribesTheData(@TempDir Path dir) throws IOException {
        ModelSpec spec = ModelSpec.parse("3-2-4:tanh");
        float[] theta = new float[spec.parameters()];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = i + 0.5f;
        }
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, spec, theta, Map.of("model", spec.toString()));
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = bytes.getLong();
        assertEquals(0, (8 + headerLength) % 8, "data starts 8-byte aligned");
        String header = new String(bytes.array(), 8, (int) headerLength, StandardCharsets.UTF_8).strip();
        assertTrue(header.contains("\"__metadata__\":{\"model\":\"3-2-4:tanh\"}"), header);
        assertTrue(header.contains("\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}"),
                header);
        assertTrue(header.contains("\"layers.1.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[64,80]}"),
                header);
        assertEquals(8 + headerLength + 4L * theta.length, Files.size(file));
        bytes.position((int) (8 + headerLength));
        // layers.0.weight[o][i] = W0[i][o] = theta[i * 2 + o]
        for (int o = 0; o < 2; o++) {
            for (int i = 0; i < 3; i++) {
                assertEquals(theta[i * 2 + o], bytes.getFloat(), "layers.0.weight[" + o + "][" + i + "]");
            }
        }
        assertEquals(theta[6], bytes.getFloat(), "layers.0.bias[0]");
    }
}
