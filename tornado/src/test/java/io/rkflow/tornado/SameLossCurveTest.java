package io.rkflow.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.Devices;
import io.rkflow.kernels.Fusion;
import io.rkflow.models.data.Clusters;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.nn.ModelSpec;
import io.rkflow.train.Metrics;
import io.rkflow.train.Trainer;
import io.rkflow.solvers.optim.Spec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Swapping the device does not change the training: the same seeded run on {@code jvm} and on the
 * TornadoVM device logs the same loss curve, accuracies and plan executions per step, within float
 * round-off (the devices round differently: OpenCL contracts to fma, reductions combine in another
 * order). The implicit and the embedded methods run several plans per step that share buffers.
 * (Newton–Krylov passes too, but its many small plans take five minutes on PoCL.) The RK4 runs train
 * a two-hidden-layer MLP at every fusion level on both devices; the others a one-hidden-layer MLP at
 * the default level, and a small CNN with dropout at every level: an adaptive step's accept/reject decisions amplify round-off differences
 * between the devices, and on the deeper model one decision at the threshold already parts the
 * curves (seen with dopri5 at step 30), whatever the fusion level.
 */
class SameLossCurveTest {

    static Stream<Arguments> cases() {
        Stream<Arguments> everyLevel = Stream.of("rk4+h(0.1)", "rk4+h(0.05)+adagrad+dal(p=2,c=0.5)+momentum(0.9)",
                "rk4+h(0.05)+adagrad").flatMap(o -> Stream.of(Fusion.values()).map(f -> Arguments.of(o, DEEP, f)));
        Stream<Arguments> defaultLevel = Stream.of("adamw(lr=0.01)", "gauss2+h(0.1)",
                "dopri5+h(0.05)+tol(rtol=1e-2,atol=1e-3)").map(o -> Arguments.of(o, SHALLOW, Fusion.DEFAULT));
        Stream<Arguments> cnn = Stream.of(Fusion.values()).map(f -> Arguments.of("rk4+h(0.1)", CNN, f));
        return Stream.concat(Stream.concat(everyLevel, defaultLevel), cnn);
    }

    /** The 12 features as a 3 × 4 image: convolution, pooling, flatten and dropout (masks from the device). */
    private static final String CNN = "3x4x1:conv(4,2,pad=1)-tanh-maxpool(2)-flatten-dropout(0.25)-dense(8)-tanh-dense(3)";

    private static final String DEEP = "12-16-16-3:tanh";
    private static final String SHALLOW = "12-16-3:tanh";

    @ParameterizedTest(name = "{0} {1} fusion {2}")
    @MethodSource("cases")
    void jvmAndTornadoGiveTheSameLossCurve(String optimizer, String model, Fusion fusion, @TempDir Path dir)
            throws IOException {
        List<double[]> jvm = run("jvm", optimizer, model, fusion, dir.resolve("jvm"));
        List<double[]> tornado = run(TornadoDeviceConformanceTest.deviceId(), optimizer, model, fusion,
                dir.resolve("tornado"));
        assertEquals(jvm.size(), tornado.size(), "logged rows");
        assertTrue(jvm.size() >= 10, "rows: " + jvm.size());
        for (int r = 0; r < jvm.size(); r++) {
            double[] a = jvm.get(r);
            double[] b = tornado.get(r);
            assertEquals(a[0], b[0], 0.0, "step of row " + r);
            assertEquals(a[1], b[1], 2e-3 * Math.max(1, Math.abs(a[1])), "loss at step " + (long) a[0]);
            if (!Double.isNaN(a[2])) {
                assertEquals(a[2], b[2], 0.02, "test accuracy at step " + (long) a[0]);
            }
            assertEquals(a[3], b[3], 0.0, "executes per step at step " + (long) a[0]);
            if (r == 0) { // the initial weights' evaluation, before any step: no step's plans counted yet
                assertEquals(0, a[0], 0.0, "step of the first row");
                assertTrue(Double.isNaN(a[4]) && Double.isNaN(b[4]), "kernels per step of the step-0 row");
            } else {
                assertTrue(b[4] > 0 && a[4] > 0, "kernels per step at step " + (long) a[0]);
            }
        }
    }

    /** Rows of (step, loss, test accuracy, executes per step, kernels per step). */
    private static List<double[]> run(String deviceId, String optimizer, String model, Fusion fusion, Path folder)
            throws IOException {
        Dataset train = Clusters.of(640, 12, 3, 1);
        Dataset test = Clusters.of(160, 12, 3, 2);
        Trainer.Config config = new Trainer.Config(ModelSpec.parse(model), Spec.parse(optimizer), 2, 32, 7, 2,
                0, 0, 10);
        try (Device device = Devices.open(deviceId); Metrics metrics = new Metrics(folder, false)) {
            device.fusion(fusion);
            new Trainer(config).run(device, train, test, metrics, new PrintStream(OutputStream.nullOutputStream()));
        }
        return Files.readAllLines(folder.resolve("metrics.csv")).stream().skip(1).map(line -> {
            String[] c = line.split(",", -1);
            return new double[] {Double.parseDouble(c[0]), Double.parseDouble(c[2]),
                c[3].isEmpty() ? Double.NaN : Double.parseDouble(c[3]), Double.parseDouble(c[c.length - 2]),
                Double.parseDouble(c[c.length - 1])};
        }).toList();
    }
}
