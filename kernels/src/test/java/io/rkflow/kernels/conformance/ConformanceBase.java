package io.rkflow.kernels.conformance;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.IntBuffer;
import io.rkflow.kernels.IntSlice;
import io.rkflow.kernels.Plan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What the conformance suites share: the device under test, opened once per test class and
 * closed after it, and the helpers that make cases, guarded inputs and outputs, and run graphs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConformanceBase {

    private Device device;

    /** Opens the device under test; called once per test class (twice for the cross-device checks). */
    protected abstract Device openDevice();

    @BeforeAll
    final void openDeviceUnderTest() {
        device = openDevice();
    }

    @AfterAll
    final void closeDeviceUnderTest() {
        if (device != null) {
            device.close();
        }
    }

    /** The device under test. */
    protected final Device device() {
        return device;
    }

    static Case newCase(String kernel, String... details) {
        return new Case(details.length == 0 ? kernel : kernel + " " + String.join(" ", details));
    }

    Graph graph(Case c) {
        return device.graph(c.name);
    }

    static void run(Graph graph) {
        try (Plan plan = graph.compile()) {
            plan.execute();
        }
    }

    GuardedSlice input(Case c, String name, int n, Dist dist) {
        return GuardedSlice.input(device, name, n, c, dist);
    }

    GuardedSlice output(Case c, String name, int n) {
        return GuardedSlice.output(device, name, n, c);
    }

    IntSlice labels(Case c, int[] labels) {
        int head = 1 + c.random.nextInt(5);
        IntBuffer buffer = device.allocInt("labels", head + labels.length);
        buffer.write(head, labels, 0, labels.length);
        return buffer.slice(head, labels.length);
    }

    static float[] draw(Case c, int n, Dist dist) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = c.next(dist);
        }
        return values;
    }

    /** A fresh buffer of the graph's device (for argument checks, where contents do not matter). */
    static FloatBuffer buffer(Graph g, int length) {
        return g.device().allocFloat("arg" + length, length);
    }

    static FloatSlice f(Graph g, int length) {
        return buffer(g, length).all();
    }

    static IntSlice i(Graph g, int length) {
        return g.device().allocInt("labels" + length, length).all();
    }
}
