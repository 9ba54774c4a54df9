package io.rkflow.kernels;

/**
 * The counter-based random mask of dropout: whether element i is kept is a pure function of
 * (seed, step, stream, i), so the stages of one RK step (same step) see the same mask, a resumed
 * run sees the masks it would have seen, and every device computes the same bits without any
 * generator state. 32-bit integer arithmetic only (wrapping multiplication, logical shifts), so
 * a GPU kernel computes exactly what the JVM does.
 *
 * <p>The mixer is Wellons' {@code lowbias32} (a bijective 32-bit finalizer of the murmur3 kind,
 * chosen for its low bias in his hash-prospector search). The key of a (seed, step, stream)
 * is {@code mix(mix(seed + 0x632BE5AB·stream) ^ step)}; element i draws
 * {@code mix(key + 0x9E3779B9·i)} and is kept iff its top 24 bits are at least
 * {@link #threshold(float) threshold(rate)} = round(rate · 2²⁴).
 */
public final class DropoutMask {

    /** 2²⁴: the resolution of the keep test. */
    public static final int LEVELS = 1 << 24;

    private DropoutMask() {}

    /** Wellons' lowbias32. */
    public static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x7feb352d;
        h ^= h >>> 15;
        h *= 0x846ca68b;
        h ^= h >>> 16;
        return h;
    }

    /** The per-(seed, step, stream) key every element's draw starts from. */
    public static int key(int seed, int step, int stream) {
        return mix(mix(seed + 0x632BE5AB * stream) ^ step);
    }

    /** Whether element {@code i} is kept under {@code key}, for a threshold from {@link #threshold}. */
    public static boolean kept(int key, int i, int threshold) {
        return (mix(key + 0x9E3779B9 * i) >>> 8) >= threshold;
    }

    /** round(rate · 2²⁴): an element is dropped with probability threshold / 2²⁴. */
    public static int threshold(float rate) {
        return (int) Math.round((double) rate * LEVELS);
    }

    /** The factor kept elements are multiplied by, 1 / (1 − rate) in float. */
    public static float scale(float rate) {
        return 1f / (1f - rate);
    }
}
