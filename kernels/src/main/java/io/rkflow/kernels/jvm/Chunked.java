package io.rkflow.kernels.jvm;

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
}
