package io.rkflow.kernels;

/**
 * The counter-based random mask of dropout: whether element i is kept is a pure function of
 * (seed, step, stream, i), so the stages of one RK step (same step) see the same mask, a resumed
 * run sees the masks it would have seen, and every device computes the same bits without any
 * generator state. Arithmetic modulo 2³² on non-negative 64-bit values (products split so that
 * none overflows, shifts of non-negative values only), so that a GPU kernel computes exactly what
 * the JVM does: TornadoVM's OpenCL for Java's {@code int} multiply-and-{@code >>>} hash gave other
 * masks on PoCL.
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

    private static final long U32 = 0xFFFFFFFFL;

    /**
     * (h · c) mod 2³² for h, c in [0, 2³²), without overflowing a signed 64-bit product: c is split
     * into 16-bit halves. Written in non-negative longs so that every shift is the same logical
     * shift on every device (an OpenCL compiler may treat a Java int's {@code >>>} or a wrapping
     * int product differently).
     */
    private static long mul32(long h, long c) {
        long low = h * (c & 0xFFFF);
        long high = (h * (c >>> 16)) & 0xFFFF;
        return (low + (high << 16)) & U32;
    }

    /** Wellons' lowbias32 on h in [0, 2³²). */
    public static long mix(long h) {
        h ^= h >>> 16;
        h = mul32(h, 0x7feb352dL);
        h ^= h >>> 15;
        h = mul32(h, 0x846ca68bL);
        h ^= h >>> 16;
        return h;
    }

    /** The per-(seed, step, stream) key every element's draw starts from (32 bits, as an int). */
    public static int key(int seed, int step, int stream) {
        long k = mix((seed + mul32(stream & U32, 0x632BE5ABL)) & U32);
        return (int) mix(k ^ (step & U32));
    }

    /** Whether element {@code i} is kept under {@code key}, for a threshold from {@link #threshold}. */
    public static boolean kept(int key, int i, int threshold) {
        long h = mix(((key & U32) + mul32(i & U32, 0x9E3779B9L)) & U32);
        return (h >>> 8) >= threshold;
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
