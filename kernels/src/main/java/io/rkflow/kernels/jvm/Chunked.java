package io.rkflow.kernels.jvm;

import java.util.List;

/**
 * A kernel over n independent elements, split into chunks of {@link #GRAIN} elements. The chunk
 * boundaries depend only on n, never on the thread count; that is what makes results identical
 * for any number of threads (a chunk's tail is always the same elements).
 */
abstract class Chunked implements Step, WorkerPool.Body {

    /** Elements per chunk: 64 KiB of floats, a multiple of every vector length. */
    static final int GRAIN = 1 << 14;

    private final WorkerPool pool;
    final int n;
    final int chunks;

    Chunked(WorkerPool pool, int n) {
        this(pool, n, GRAIN);
    }

    Chunked(WorkerPool pool, int n, int grain) {
        this.pool = pool;
        this.n = n;
        this.chunks = (int) (((long) n + grain - 1) / grain);
        this.grain = grain;
    }

    private final int grain;

    @Override
    public final void run() {
        prepare();
        pool.run(chunks, this);
        finish();
    }

    /** Reads this run's scalars (on the calling thread, before the workers start). */
    void prepare() {}

    /** Combines per-chunk partial results in chunk order (on the calling thread). */
    void finish() {}

    @Override
    public final void run(int chunk, int worker) {
        int lo = chunk * grain;
        apply(chunk, lo, Math.min(n, lo + grain));
    }

    /** Computes elements [lo, hi) of chunk {@code chunk}. */
    abstract void apply(int chunk, int lo, int hi);

    /**
     * Kernels over the same n elements fused into one pass: each chunk runs every kernel's part of
     * it in order, so a later kernel reads what an earlier one wrote to the same elements while it
     * is in cache. Every kernel's scalars are read before the first runs and its partials combined
     * after the last: the fused parts must not write each other's scalars ({@code Fused} checks).
     */
    static Chunked fuse(WorkerPool pool, List<Chunked> parts) {
        int n = parts.get(0).n;
        for (Chunked p : parts) {
            if (p.n != n || p.grain != GRAIN) {
                throw new IllegalArgumentException("fused kernels must share their chunks: n " + p.n + " vs " + n);
            }
        }
        Chunked[] ps = parts.toArray(new Chunked[0]);
        return new Chunked(pool, n) {
            @Override
            void prepare() {
                for (Chunked p : ps) {
                    p.prepare();
                }
            }

            @Override
            void apply(int chunk, int lo, int hi) {
                for (Chunked p : ps) {
                    p.apply(chunk, lo, hi);
                }
            }

            @Override
            void finish() {
                for (Chunked p : ps) {
                    p.finish();
                }
            }
        };
    }
}
