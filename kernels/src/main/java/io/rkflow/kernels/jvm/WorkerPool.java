package io.rkflow.kernels.jvm;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads that run the chunks of one kernel at a time; the calling thread
 * works too. Chunks are handed out dynamically, but a kernel's chunk boundaries never depend on
 * the number of threads, and partial results are combined by chunk index, so every result is the
 * same with 1 or N threads.
 *
 * <p>Dispatch allocates nothing: the body is an object built when the plan is compiled. Idle
 * workers spin briefly (kernels of one plan follow each other within microseconds) and then park.
 */
final class WorkerPool implements AutoCloseable {

    /** The work of one chunk; {@code worker} in [0, threads) indexes per-thread scratch space. */
    @FunctionalInterface
    interface Body {
        void run(int chunk, int worker);
    }

    private static final long SPIN_NANOS = 100_000;

    private final int threads;
    private final Thread[] workers;
    /**
     * (generation &lt;&lt; 32) | chunks not yet taken. A chunk is taken by decrementing the count with a
     * CAS that also checks the generation, so a worker late from an earlier kernel can take nothing,
     * and no worker needs the chunk total (which a late worker could read from the next kernel).
     */
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private final boolean[] sleeping;
    private volatile int generation;
    private volatile boolean closed;
    private volatile Throwable failure;
    private Body body;

    WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + ", must be at least 1");
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.sleeping = new boolean[threads];
        for (int w = 1; w < threads; w++) {
            int index = w;
            Thread t = new Thread(() -> workLoop(index), "rkflow-jvm-worker-" + w);
            t.setDaemon(true);
            workers[w - 1] = t;
            t.start();
        }
    }

    int threads() {
        return threads;
    }

    /** Runs {@code body} for chunks 0..chunks-1 and returns when all are done. */
    void run(int chunks, Body body) {
        if (closed) {
            throw new IllegalStateException("the JVM device is closed");
        }
        if (chunks <= 0) {
            return;
        }
        if (chunks == 1 || threads == 1) {
            for (int c = 0; c < chunks; c++) {
                body.run(c, 0);
            }
            return;
        }
        this.body = body;
        this.failure = null;
        done.set(0);
        int g = generation + 1;
        ticket.set(((long) g << 32) | chunks);
        generation = g; // volatile write publishes the body and the ticket
        for (int w = 1; w < threads; w++) {
            if (readSleeping(w)) {
                LockSupport.unpark(workers[w - 1]);
            }
        }
        int mine = drain(body, g, 0);
        if (mine > 0) {
            done.addAndGet(mine);
        }
        while (done.get() < chunks) {
            Thread.onSpinWait();
        }
        this.body = null;
        Throwable f = failure;
        if (f != null) {
            if (f instanceof RuntimeException re) {
                throw re;
            }
            if (f instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(f);
        }
    }

    /** Takes and runs chunks of generation {@code gen} until none is left; returns how many it ran. */
    private int drain(Body b, int gen, int worker) {
        int count = 0;
        while (true) {
            long t = ticket.get();
            int left = (int) t;
            if ((int) (t >>> 32) != gen || left == 0) {
                return count;
            }
            if (!ticket.compareAndSet(t, t - 1)) {
                continue;
            }
            int c = left - 1; // chunks run from the last to the first; results are keyed by chunk
            try {
                b.run(c, worker);
            } catch (Throwable e) {
                if (failure == null) {
                    failure = e;
                }
            }
            count++;
        }
    }

    private void workLoop(int worker) {
        int seen = 0;
        while (!closed) {
            int g = generation;
            if (g == seen) {
                long start = System.nanoTime();
                while ((g = generation) == seen && !closed && System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                }
                if (g == seen) {
                    writeSleeping(worker, true);
                    while ((g = generation) == seen && !closed) {
                        LockSupport.park(this);
                    }
                    writeSleeping(worker, false);
                }
                if (closed) {
                    return;
                }
            }
            seen = g;
            Body b = body;
            if (b != null) {
                int mine = drain(b, g, worker);
                if (mine > 0) {
                    done.addAndGet(mine);
                }
            }
        }
    }

    // sleeping[] flags pair with the volatile generation (Dekker): a worker sets its flag and then
    // re-reads generation; the dispatcher bumps generation and then reads the flag.
    private static final java.lang.invoke.VarHandle SLEEPING =
            java.lang.invoke.MethodHandles.arrayElementVarHandle(boolean[].class);

    private boolean readSleeping(int w) {
        return (boolean) SLEEPING.getVolatile(sleeping, w);
    }

    private void writeSleeping(int w, boolean value) {
        SLEEPING.setVolatile(sleeping, w, value);
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
    }
}
