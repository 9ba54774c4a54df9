package io.rkflow.models.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.models.nn.ModelSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading safetensors files: what {@link SafeTensors#write} writes reads back bit for bit,
 * F64/F16/BF16 convert to the float32 values they denote, every malformed file and every file that
 * does not fit the model is refused with a message naming the file and the tensor.
 */
class SafeTensorsReadTest {

    @TempDir
    Path dir;

    /** A safetensors file of {@code header} (JSON) and {@code data}, the length field as given. */
    private Path file(String name, long headerLength, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(h).put(data);
        return Files.write(dir.resolve(name), b.array());
    }

    /** A header of one tensor, {@code a}. */
    private static String one(String dtype, String shape, String offsets) {
        return "{\"a\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
    }

    private Path file(String header, byte[] data) throws IOException {
        return file("t.safetensors", header.getBytes(StandardCharsets.UTF_8).length, header, data);
    }

    private static byte[] le(int bytes, long... values) {
        ByteBuffer b = ByteBuffer.allocate(bytes * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (bytes) {
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                default -> b.putLong(v);
            }
        }
        return b.array();
    }

    private static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private String refused(Path file) {
        BadFileException e = assertThrows(BadFileException.class, () -> SafeTensors.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        return e.getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), () -> "message lacks '" + p + "': " + message);
        }
    }

    private static float[] theta(ModelSpec spec, int seed) {
        float[] theta = new float[spec.parameters()];
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < theta.length; i++) {
            theta[i] = (float) r.nextGaussian();
        }
        return theta;
    }

    @Test
    void whatWriteMlpWritesReadsBackBitForBitWithItsMetadataAndHash() throws Exception {
        ModelSpec spec = ModelSpec.parse("5-7-3-4:gelu");
        float[] theta = theta(spec, 1);
        theta[0] = -0.0f;
        theta[1] = Float.MIN_VALUE;
        Path f = dir.resolve("model.safetensors");
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("model", spec.toString());
        metadata.put("quote\"d", "a\\b\n");
        SafeTensors.write(f, spec, theta, metadata);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(metadata, c.metadata());
        assertEquals(java.util.List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                "layers.2.weight", "layers.2.bias"), java.util.List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new long[] {7, 5}, c.tensors().get("layers.0.weight").shape());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))),
                c.sha256());
        float[] back = SafeTensors.parameters(c, spec);
        for (int i = 0; i < theta.length; i++) {
            assertEquals(Float.floatToRawIntBits(theta[i]), Float.floatToRawIntBits(back[i]), "θ[" + i + "]");
        }
    }

    @Test
    void pytorchSequentialNamesMapToLayersInIndexOrder() throws IOException {
        // nn.Sequential(Linear(2, 3), ReLU(), Linear(3, 1)): 0.weight [3, 2], 0.bias [3], 2.weight [1, 3], 2.bias [1]
        float[] w0 = {1, 2, 3, 4, 5, 6};
        float[] b0 = {7, 8, 9};
        float[] w2 = {10, 11, 12};
        float[] b2 = {13};
        byte[] data = concat(f32(w2), f32(b2), f32(w0), f32(b0));
        Path f = file("{\"2.weight\":{\"dtype\":\"F32\",\"shape\":[1,3],\"data_offsets\":[0,12]},"
                + "\"2.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]},"
                + "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[16,40]},"
                + "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[40,52]}}", data);
        ModelSpec spec = ModelSpec.parse("2-3-1:relu");
        float[] theta = SafeTensors.parameters(SafeTensors.read(f), spec);
        // rkflow's layout: W0 (in × out) row major, b0, W1, b1; W0[i][o] = 0.weight[o][i]
        assertArrayEquals(new float[] {1, 3, 5, 2, 4, 6, 7, 8, 9, 10, 11, 12, 13}, theta);
    }

    @Test
    void f64F16AndBf16ConvertToTheFloat32TheyDenote() throws IOException {
        byte[] f64 = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-2.5)
                .putDouble(3.4028234663852886e38).putDouble(1e-50).array();
        // F16: 1, -2, 1/3 rounded (0x3555 = 0.333251953125), 65504 (the largest), 2^-24 (the smallest subnormal)
        byte[] f16 = le(2, 0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001);
        // BF16: float32's top 16 bits: 1, -5, 0x3EAB = 0.333984375, 0x0001 = float32 bits 0x00010000
        byte[] bf16 = le(2, 0x3F80, 0xC0A0, 0x3EAB, 0x0001);
        Path f = file("{\"d\":{\"dtype\":\"F64\",\"shape\":[2,2],\"data_offsets\":[0,32]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[32,42]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[42,50]}}", concat(f64, f16, bf16));
        SafeTensors.Contents c = SafeTensors.read(f);
        assertArrayEquals(new float[] {0.1f, -2.5f, Float.MAX_VALUE, 0f}, c.tensors().get("d").values());
        assertArrayEquals(new float[] {1f, -2f, 0.333251953125f, 65504f, 0x1p-24f}, c.tensors().get("h").values());
        assertArrayEquals(new float[] {1f, -5f, 0.333984375f, Float.intBitsToFloat(0x00010000)},
                c.tensors().get("b").values());
        assertEquals("F16", c.tensors().get("h").dtype());
    }

    @Test
    void malformedFilesAreRefusedNamingTheFileAndTheTensor() throws IOException {
        String ok = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        byte[] two = f32(1, 2);
        assertContains(refused(Files.write(dir.resolve("short"), new byte[5])), "is 5 bytes, too short");
        assertContains(refused(file("beyond", 1000, "{" + ok + "}", two)), "header length 1000", "beyond the file's");
        assertContains(refused(file("negative", -1, "{" + ok + "}", two)), "header length 18446744073709551615");
        assertContains(refused(file("{" + ok, two)), "the header is not valid JSON");
        assertContains(refused(file("[1, 2]", new byte[0])), "not a JSON object");
        assertContains(refused(file("{" + ok + "," + ok + "}", two)), "names a twice");
        assertContains(refused(file("{\"__metadata__\":{\"n\":1}," + ok + "}", two)),
                "__metadata__ entry n is 1, not a string");
        assertContains(refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", two)),
                "tensor a: unknown header key x");
        assertContains(refused(file(one("Q4", "[2]", "[0,8]"), two)),
                "tensor a has dtype \"Q4\", which this reader does not take");
        assertContains(refused(file(one("I64", "[1]", "[0,8]"), two)),
                "tensor a has dtype I64, not a floating-point type: weights must be F32, F64, F16 or BF16");
        assertContains(refused(file(one("F32", "[-2]", "[0,8]"), two)),
                "tensor a: shape is [-2], not an array of non-negative integers");
        assertContains(refused(file(one("F32", "[3]", "[0,8]"), two)),
                "tensor a: shape [3] of F32 needs 12 bytes, its data_offsets [0, 8] hold 8");
        assertContains(refused(file(one("F32", "[4]", "[0,16]"), two)),
                "tensor a: data_offsets [0, 16] are not a range within the data's 8 bytes");
        assertContains(refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", two)), "tensors a [0, 8) and b"
                + " [4, 8) overlap");
        assertContains(refused(file(one("F32", "[1]", "[4,8]"), two)),
                "data bytes [0, 4) belong to no tensor (before a)");
        assertContains(refused(file(one("F32", "[1]", "[0,4]"), two)),
                "data bytes [4, 8) after the last tensor belong to no tensor");
        assertContains(refused(file("{\"m\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}",
                f32(1, Float.NaN))), "tensor m: element [0, 1] is NaN; weights must be finite");
        assertContains(refused(file("{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}",
                le(2, 0x3C00, 0x7C00))), "tensor h: element [1] is Infinity");
        assertContains(refused(file("{\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(1e39).array())),
                "tensor d: element [0] is 1.0E39, beyond float32's range");
        assertContains(refused(dir.resolve("missing.safetensors")), "no such file");
        assertContains(refused(dir), "is a folder");
    }

    @Test
    void aFileOfAnotherModelIsRefusedByTensorNameAndShape() throws IOException {
        ModelSpec spec = ModelSpec.parse("784-256-256-10:relu");
        Path other = dir.resolve("other.safetensors");
        ModelSpec narrower = ModelSpec.parse("784-128-256-10:relu");
        SafeTensors.write(other, narrower, theta(narrower, 2), Map.of());
        BadFileException e = assertThrows(BadFileException.class,
                () -> SafeTensors.parameters(SafeTensors.read(other), spec));
        assertEquals(other + ": layers.0.weight: the model 784-256-256-10:relu needs [256, 784], the file has"
                + " [128, 784]", e.getMessage());

        ModelSpec small = ModelSpec.parse("4-3-2:relu");
        Path shallow = dir.resolve("shallow.safetensors");
        ModelSpec oneLayer = ModelSpec.parse("4-2:relu");
        SafeTensors.write(shallow, oneLayer, theta(oneLayer, 3), Map.of());
        assertContains(assertThrows(BadFileException.class,
                () -> SafeTensors.parameters(SafeTensors.read(shallow), small)).getMessage(),
                shallow + ": layers.0.weight: the model 4-3-2:relu needs [3, 4], the file has [2, 4]");

        Path deeper = dir.resolve("deeper.safetensors");
        ModelSpec more = ModelSpec.parse("4-3-2-2:relu");
        SafeTensors.write(deeper, more, theta(more, 4), Map.of());
        assertContains(assertThrows(BadFileException.class,
                () -> SafeTensors.parameters(SafeTensors.read(deeper), small)).getMessage(),
                deeper + ": tensor layers.2.weight [2, 2] is not part of the model 4-3-2:relu, which takes"
                        + " layers.0.weight, layers.0.bias, layers.1.weight, layers.1.bias: a file of another model?");

        ModelSpec two = ModelSpec.parse("4-3-2:relu");
        Path wide = dir.resolve("bigger-model.safetensors");
        SafeTensors.write(wide, two, theta(two, 5), Map.of());
        assertContains(assertThrows(BadFileException.class,
                () -> SafeTensors.parameters(SafeTensors.read(wide), ModelSpec.parse("4-3-2-5:relu"))).getMessage(),
                "no tensor layers.2.weight: the model 4-3-2-5:relu has 3 layers with weights, the file 2 (layers.0.weight"
                        + " [3, 4], ");

        Path noBias = file("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}", f32(1, 2));
        assertContains(assertThrows(BadFileException.class,
                () -> SafeTensors.parameters(SafeTensors.read(noBias), ModelSpec.parse("2-1:relu"))).getMessage(),
                "no tensor 0.bias (the model's layer 0): the model 2-1:relu needs one of shape [1]");

        Path transposed = file("{\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]},"
                + "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", f32(1, 2, 3));
        assertContains(assertThrows(BadFileException.class,
                () -> SafeTensors.parameters(SafeTensors.read(transposed), ModelSpec.parse("2-1:relu"))).getMessage(),
                "layers.0.weight: the model 2-1:relu needs [1, 2], the file has [2, 1] (transposed");

        Path extra = file("{\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},"
                + "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"num_batches_tracked\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[12,16]}}", f32(1, 2, 3, 4));
        assertContains(assertThrows(BadFileException.class,
                () -> SafeTensors.parameters(SafeTensors.read(extra), ModelSpec.parse("2-1:relu"))).getMessage(),
                "tensor num_batches_tracked [] is not part of the model 2-1:relu, which takes layers.0.weight,"
                        + " layers.0.bias");
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(java.util.Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
