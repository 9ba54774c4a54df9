package io.rkflow.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkerPoolTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5})
    void runsEveryChunkExactlyOnceAcrossManyDispatches(int threads) {
        try (WorkerPool pool = new WorkerPool(threads)) {
            for (int round = 0; round < 20_000; round++) {
                int chunks = 1 + round % 37;
                AtomicIntegerArray hits = new AtomicIntegerArray(chunks);
                AtomicIntegerArray badWorker = new AtomicIntegerArray(1);
                pool.run(chunks, (chunk, worker) -> {
                    hits.incrementAndGet(chunk);
                    if (worker < 0 || worker >= threads) {
                        badWorker.set(0, 1);
                    }
                });
                for (int c = 0; c < chunks; c++) {
                    assertEquals(1, hits.get(c), "round " + round + ", chunk " + c + " of " + chunks);
                }
                assertEquals(0, badWorker.get(0), "worker index outside [0, threads)");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void rethrowsAFailureOfAnyChunkAndStaysUsable(int threads) {
        try (WorkerPool pool = new WorkerPool(threads)) {
            IllegalArgumentException boom = new IllegalArgumentException("chunk 7 failed");
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> pool.run(16,
                    (chunk, worker) -> {
                        if (chunk == 7) {
                            throw boom;
                        }
                    }));
            assertSame(boom, thrown);
            AtomicIntegerArray hits = new AtomicIntegerArray(16);
            pool.run(16, (chunk, worker) -> hits.incrementAndGet(chunk));
            for (int c = 0; c < 16; c++) {
                assertEquals(1, hits.get(c));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void rejectsAThreadCountBelowOne(int threads) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WorkerPool(threads));
        assertEquals("threads: " + threads + ", must be at least 1", e.getMessage());
    }
}
