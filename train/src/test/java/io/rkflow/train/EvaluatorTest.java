package io.rkflow.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.jvm.JvmDevice;
import io.rkflow.models.data.Clusters;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.nn.Network;
import io.rkflow.models.nn.ModelSpec;
import org.junit.jupiter.api.Test;

/** Rows that do not fill a last batch are evaluated by a plan of their own, not dropped. */
class EvaluatorTest {

    @Test
    void aTailBatchCountsLikeOneWholeBatch() {
        Dataset data = Clusters.of(257, 6, 3, 4);
        ModelSpec spec = ModelSpec.parse("6-5-3:tanh");
        try (JvmDevice device = new JvmDevice(2)) {
            FloatBuffer theta = device.allocFloat("theta", spec.parameters());
            theta.write(new Network(device, spec, 1, 1).initialParameters(3));
            Evaluator.Result whole;
            try (Evaluator e = new Evaluator(device, spec, theta.all(), data, 257)) {
                whole = e.evaluate();
            }
            try (Evaluator e = new Evaluator(device, spec, theta.all(), data, 100)) { // 100 + 100 + 57
                for (int repeat = 0; repeat < 2; repeat++) {
                    Evaluator.Result split = e.evaluate();
                    assertEquals(whole.accuracy(), split.accuracy(), 0.0);
                    assertEquals(whole.loss(), split.loss(), 1e-6);
                }
            }
        }
    }
}
