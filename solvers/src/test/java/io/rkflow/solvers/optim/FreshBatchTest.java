package io.rkflow.solvers.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.Graph;
import io.rkflow.solvers.field.Objective;
import io.rkflow.solvers.problems.Problems;
import org.junit.jupiter.api.Test;

/**
 * Mini-batches per stage: by default every stage evaluates batch slot 0; with fresh_batch, stage i
 * evaluates slot i. The objective here is F_slot(θ) = λ_slot·θ, so the slot each stage used is
 * visible in the result.
 */
class FreshBatchTest extends DeviceTest {

    /** F_slot(θ) = λ_slot·θ with λ = 1, 2, 3, 4 for slots 0..3. */
    static final class SlotScaled implements Objective {
        private final Device device;
        private final FloatBuffer lambdas;

        SlotScaled(Device device) {
            this.device = device;
            lambdas = Problems.buffer(device, "lambda per slot", 1f, 2f, 3f, 4f);
        }

        @Override
        public Device device() {
            return device;
        }

        @Override
        public int dimension() {
            return 2;
        }

        @Override
        public int batchSlots() {
            return 4;
        }

        @Override
        public void record(Graph g, int slot, FloatSlice theta, FloatSlice grad, FloatSlice loss) {
            g.scale(grad, lambdas.at(slot), theta);
            g.dot(loss, theta, theta);
        }
    }

    @Test
    void everyStageSeesSlotZeroByDefaultAndItsOwnSlotWithFreshBatch() {
        float h = 0.1f;
        float[] theta0 = {1f, -2f};
        try (Run same = new Run("heun+h(0.1)", new SlotScaled(device), theta0);
                Run fresh = new Run("heun+h(0.1)+fresh_batch", new SlotScaled(device), theta0)) {
            same.optimizer.step();
            fresh.optimizer.step();
            assertArrayEquals(heun(theta0, h, 1f, 1f), same.theta());
            assertArrayEquals(heun(theta0, h, 1f, 2f), fresh.theta());
        }
    }

    @Test
    void freshBatchNeedsASlotPerStage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Run("dopri5+fresh_batch", new SlotScaled(device), new float[] {1f, 1f}));
        assertTrue(e.getMessage().contains("fresh_batch needs 7 batch slots"), e.getMessage());
    }

    /** One Heun step with stage 1 on λ1 and stage 2 on λ2, in the device's operation order. */
    private static float[] heun(float[] theta, float h, float lambda1, float lambda2) {
        float[] out = new float[theta.length];
        float a = -h, b = (float) (-h * 0.5);
        for (int i = 0; i < theta.length; i++) {
            float k1 = lambda1 * theta[i];
            float y = Math.fma(k1, a, theta[i]);
            float k2 = lambda2 * y;
            out[i] = Math.fma(k2, b, Math.fma(k1, b, theta[i]));
        }
        return out;
    }
}
