package io.rkflow.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

/** A task's device: jvm:K from its cores, a tornado backend on the GPU Spark assigned it. */
class PointTaskTest {

    static final Map<String, ResourceInformation> GPU_1 = Map.of("gpu",
            new ResourceInformation("gpu", new String[] {"1"}));

    @Test
    void withoutADeviceATaskTrainsOnTheJvmDeviceWithItsCores() {
        assertEquals("jvm:1", PointTask.device(null, 1, Map.of()));
        assertEquals("jvm:4", PointTask.device(null, 4, GPU_1));
    }

    @Test
    void aTornadoBackendTakesTheTasksGpu() {
        assertEquals("tornado:0:1", PointTask.device("tornado:0", 1, GPU_1));
        assertEquals("tornado:2:1", PointTask.device("tornado:2", 1, GPU_1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PointTask.device("tornado:0", 1, Map.of()));
        assertTrue(e.getMessage().contains("spark.task.resource.gpu.amount"), e.getMessage());
    }

    @Test
    void anyOtherDeviceIsTakenAsGiven() {
        assertEquals("tornado:0:0", PointTask.device("tornado:0:0", 1, GPU_1));
        assertEquals("jvm:2", PointTask.device("jvm:2", 1, GPU_1));
        assertEquals("jvm", PointTask.device("jvm", 3, Map.of()));
    }
}
