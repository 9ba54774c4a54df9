package io.rkflow.solvers.optim;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An optimizer's state besides θ: named float arrays (accumulators, momentum, moments) and named
 * numbers (step size, controller history, counters), with the spec it belongs to. Written and
 * read in a small binary format with a magic number and a version.
 */
public record OptimizerState(String spec, Map<String, float[]> arrays, Map<String, Double> scalars) {

    private static final int MAGIC = 0x524B4F53; // "RKOS"
    private static final int VERSION = 1;

    public OptimizerState {
        arrays = Collections.unmodifiableMap(new TreeMap<>(arrays));
        scalars = Collections.unmodifiableMap(new TreeMap<>(scalars));
    }

    public void write(DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(spec);
        out.writeInt(scalars.size());
        for (Map.Entry<String, Double> e : scalars.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeDouble(e.getValue());
        }
        out.writeInt(arrays.size());
        for (Map.Entry<String, float[]> e : arrays.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().length);
            for (float f : e.getValue()) {
                out.writeInt(Float.floatToRawIntBits(f));
            }
        }
    }

    /** Reads a state; a wrong magic number, version or length is an IOException saying which. */
    public static OptimizerState read(DataInput in) throws IOException {
        return read(in, Long.MAX_VALUE);
    }

    /**
     * As {@link #read(DataInput)}, from input that holds at most {@code available} more bytes: an
     * array longer than that is an IOException before anything is allocated (a forged length would
     * otherwise ask for gigabytes).
     */
    public static OptimizerState read(DataInput in, long available) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IOException("not an optimizer state (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("optimizer state version " + version + "; this build reads version " + VERSION);
        }
        String spec = in.readUTF();
        int ns = count(in.readInt(), "scalars");
        Map<String, Double> scalars = new LinkedHashMap<>();
        for (int i = 0; i < ns; i++) {
            scalars.put(in.readUTF(), in.readDouble());
        }
        int na = count(in.readInt(), "arrays");
        Map<String, float[]> arrays = new LinkedHashMap<>();
        for (int i = 0; i < na; i++) {
            String name = in.readUTF();
            int n = count(in.readInt(), "elements of " + name);
            if ((long) n * Float.BYTES > available) {
                throw new IOException("corrupt optimizer state: " + n + " elements of " + name + ", more than the "
                        + available + " bytes of the input");
            }
            float[] a = new float[n];
            for (int j = 0; j < a.length; j++) {
                a[j] = Float.intBitsToFloat(in.readInt());
            }
            arrays.put(name, a);
        }
        return new OptimizerState(spec, arrays, scalars);
    }

    /** Reads the named device buffers (nulls skipped) into host arrays. */
    static Map<String, float[]> read(Map<String, io.rkflow.kernels.FloatBuffer> buffers) {
        Map<String, float[]> out = new LinkedHashMap<>();
        buffers.forEach((name, buffer) -> {
            if (buffer != null) {
                out.put(name, buffer.read());
            }
        });
        return out;
    }

    /** Checks that this state belongs to {@code spec} and writes its arrays into the named buffers. */
    void restoreInto(Spec spec, Map<String, io.rkflow.kernels.FloatBuffer> buffers) {
        if (!this.spec.equals(spec.toString())) {
            throw new IllegalArgumentException("optimizer state is for '" + this.spec + "', not '" + spec + "'");
        }
        buffers.forEach((name, buffer) -> {
            if (buffer != null) {
                buffer.write(array(name, buffer.length()));
            }
        });
    }

    /** Named buffers, nulls kept out of the way by {@link #read} and {@link #restoreInto}. */
    static Map<String, io.rkflow.kernels.FloatBuffer> buffers(Object... nameBufferPairs) {
        Map<String, io.rkflow.kernels.FloatBuffer> map = new LinkedHashMap<>();
        for (int i = 0; i < nameBufferPairs.length; i += 2) {
            map.put((String) nameBufferPairs[i], (io.rkflow.kernels.FloatBuffer) nameBufferPairs[i + 1]);
        }
        return map;
    }

    double scalar(String name) {
        Double v = scalars.get(name);
        if (v == null) {
            throw new IllegalArgumentException("optimizer state lacks '" + name + "'");
        }
        return v;
    }

    float[] array(String name, int length) {
        float[] a = arrays.get(name);
        if (a == null || a.length != length) {
            throw new IllegalArgumentException("optimizer state has " + (a == null ? "no" : a.length + " elements of")
                    + " '" + name + "', expected " + length);
        }
        return a;
    }

    private static int count(int n, String what) throws IOException {
        if (n < 0) {
            throw new IOException("corrupt optimizer state: negative count of " + what);
        }
        return n;
    }
}
