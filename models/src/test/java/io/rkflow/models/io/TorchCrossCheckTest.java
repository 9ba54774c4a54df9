package io.rkflow.models.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
import io.rkflow.kernels.jvm.JvmDevice;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.models.nn.Network;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exported weights mean in PyTorch what they mean in rkflow: a model's safetensors file is
 * loaded into the {@code nn.Sequential} its spec describes ({@code Conv2d} [out, in, k, k],
 * {@code Linear} [out, in] with flatten in NCHW order), the same batch is run (rkflow's NHWC rows
 * permuted to NCHW), and PyTorch's logits, loss and every parameter gradient (computed in double,
 * mapped back through the export layout) must equal rkflow's. Runs where {@code /usr/bin/python3}
 * imports torch (Debian's {@code python3-torch}); skipped with a message elsewhere.
 */
class TorchCrossCheckTest {

    private static final String PYTHON = "/usr/bin/python3";

    @BeforeAll
    static void torchIsThere() throws Exception {
        boolean ok = Files.isExecutable(Path.of(PYTHON));
        if (ok) {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            ok = p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        }
        assumeTrue(ok, "PyTorch is not installed (apt-get install python3-torch): skipping the PyTorch cross-check");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "9x8x3:conv(4,3,pad=1)-relu-maxpool(2)-conv(5,2,stride=2,pad=1)-tanh-avgpool(2,stride=1,pad=1)-flatten"
                + "-dropout(0.5)-dense(6)-gelu-dense(4)",
        "6x6x2:conv(3,3)-relu-flatten-dense(3)",
        "12-7-5:tanh"})
    void pytorchComputesTheSameLogitsLossAndGradients(String text, @TempDir Path dir) throws Exception {
        ModelSpec spec = ModelSpec.parse(text);
        int batch = 5;
        SplittableRandom random = new SplittableRandom(11);
        float[] x = new float[batch * spec.inputs()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        int[] y = random.ints(batch, 0, spec.outputs()).toArray();
        try (JvmDevice device = new JvmDevice(2)) {
            Network net = new Network(device, spec, batch, 1);
            float[] theta = net.initialParameters(5);
            for (int i = 0; i < theta.length; i++) {
                theta[i] += (float) (0.1 * random.nextGaussian());
            }
            SafeTensors.write(dir.resolve("w.safetensors"), spec, theta, Map.of("model", spec.toString()));
            writeFloats(dir.resolve("x.f32"), x);
            ByteBuffer labels = ByteBuffer.allocate(4 * batch).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : y) {
                labels.putInt(v);
            }
            Files.write(dir.resolve("y.i32"), labels.array());
            Files.writeString(dir.resolve("spec.json"), json(spec, batch));
            Path script = dir.resolve("torch_check.py");
            try (InputStream in = TorchCrossCheckTest.class.getResourceAsStream("/torch_check.py")) {
                Files.write(script, in.readAllBytes());
            }
            Process p = new ProcessBuilder(PYTHON, script.toString(), dir.resolve("spec.json").toString(),
                    dir.resolve("w.safetensors").toString(), dir.resolve("x.f32").toString(),
                    dir.resolve("y.i32").toString(), dir.toString()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "torch_check.py: " + output);

            // rkflow: evaluation (dropout off) logits and loss, then the gradient with dropout's rate 0 path
            FloatBuffer t = device.allocFloat("theta", theta.length);
            t.write(theta);
            Network eval = Network.forEvaluation(device, spec, batch);
            eval.writeBatch(0, x, y);
            FloatBuffer loss = device.allocFloat("loss", 1);
            try (Plan plan = eval.evaluationPlan(t.all(), loss.all())) {
                plan.execute();
            }
            float[] logits = eval.logits().read();
            float[] torchLogits = readFloats(dir.resolve("logits.f32"));
            for (int i = 0; i < logits.length; i++) {
                assertEquals(torchLogits[i], logits[i], 1e-5 * Math.max(1, Math.abs(torchLogits[i])), text + " logit " + i);
            }
            assertEquals(readFloats(dir.resolve("loss.f32"))[0], loss.get(0), 1e-5, text + " loss");

            ModelSpec noDropout = ModelSpec.parse(text.replace("-dropout(0.5)", ""));
            Network train = new Network(device, noDropout, batch, 1);
            train.writeBatch(0, x, y);
            FloatBuffer grad = device.allocFloat("grad", theta.length);
            Graph g = device.graph("gradient");
            train.record(g, 0, t.all(), grad.all(), loss.all());
            try (Plan plan = g.compile()) {
                plan.execute();
            }
            float[] ours = grad.read();
            for (ModelSpec.TorchTensor tensor : spec.torchTensors()) {
                float[] theirs = readFloats(dir.resolve(tensor.name() + ".f32"));
                int[] at = tensor.theta();
                for (int i = 0; i < at.length; i++) {
                    assertEquals(theirs[i], ours[at[i]], 1e-5 * Math.max(1, Math.abs(theirs[i])),
                            text + " gradient of " + tensor.name() + " element " + i);
                }
            }
        }
    }

    /** The spec as the script reads it: input, batch, and each layer's kind and geometry. */
    private static String json(ModelSpec spec, int batch) {
        List<String> layers = new ArrayList<>();
        for (ModelSpec.Layer l : spec.layers()) {
            layers.add(switch (l) {
                case ModelSpec.Conv c -> "{\"kind\":\"conv\",\"filters\":" + c.filters() + ",\"size\":" + c.size()
                        + ",\"stride\":" + c.stride() + ",\"pad\":" + c.pad() + "}";
                case ModelSpec.Dense d -> "{\"kind\":\"dense\",\"in\":" + d.in().size() + ",\"units\":" + d.units() + "}";
                case ModelSpec.Act a -> "{\"kind\":\"" + a.text() + "\"}";
                case ModelSpec.Pool p -> "{\"kind\":\"" + (p.kind() == io.rkflow.kernels.Pooling.MAX ? "maxpool" : "avgpool")
                        + "\",\"size\":" + p.size() + ",\"stride\":" + p.stride() + ",\"pad\":" + p.pad() + "}";
                case ModelSpec.Flatten f -> "{\"kind\":\"flatten\"}";
                case ModelSpec.Dropout d -> "{\"kind\":\"dropout\"}";
            });
        }
        ModelSpec.Shape in = spec.input();
        return "{\"input\":[" + in.height() + "," + in.width() + "," + in.channels() + "],\"image\":" + !in.flat()
                + ",\"batch\":" + batch + ",\"layers\":[" + String.join(",", layers) + "]}";
    }

    private static void writeFloats(Path file, float[] v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        Files.write(file, b.array());
    }

    private static float[] readFloats(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getFloat();
        }
        return v;
    }
}
