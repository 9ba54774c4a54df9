package io.rkflow.kernels.jvm;

import java.util.Arrays;
import java.util.stream.Collectors;
import jdk.incubator.vector.FloatVector;

/**
 * How the JVM device computes GEMM: a micro-tile of the blocked path (after BLIS: one algorithm,
 * a micro-kernel and block sizes per machine), the thin path, or {@link #AUTO}, which picks the
 * tile for this machine's vector registers and the thin path for products with few columns (see
 * {@link JvmGemm}). A tile is {@code rows} × {@code vectors} vectors of C held in registers:
 * rows·vectors accumulators, plus {@code vectors} registers for a row of B and, as C2 schedules
 * the loop, up to three for broadcast elements of A. Its block sizes: k-blocks of depth at most {@code kc} (a rows × kc
 * panel of packed A, 6–12 KB, stays in the 32 KB L1 of Zen 2–4), and chunks of C as wide as a
 * 128 KB block of packed B allows ({@link JvmGemm}: 128 columns at kc = 256; it stays in their
 * 512 KB–1 MB L2).
 * Forcing a choice ({@link #PROPERTY}, or {@link JvmDevice#JvmDevice(int, GemmKernel)}) runs it
 * for every product, on any machine: that is how the tests cover every tile and path.
 */
public enum GemmKernel {
    /** The tile for this machine ({@link #forMachine()}), and {@link #THIN} for products with few columns. */
    AUTO("auto", 0, 0, 0),
    /**
     * 5 × 2 vectors: 10 accumulators + 6 of 16 vector registers (AVX2). C2 keeps up to three
     * broadcast elements of A in registers at once, so a tile needs rows·2 + 2 + 3 registers.
     */
    K5X2("5x2", 5, 2, 256),
    /**
     * 6 × 2 vectors: 12 accumulators + 3 of 16 vector registers, BLIS haswell's 6×16 sgemm tile in
     * assembly; compiled by C2 it needs 17 (three broadcasts in flight), so one accumulator lives
     * on the stack and its chain waits for a store and a load at every step: with 256-bit vectors
     * ({@code -XX:UseAVX=2} on Zen 4, one thread, 512³) 45 GFLOP/s against 5x2's 91–99.
     */
    K6X2("6x2", 6, 2, 256),
    /**
     * 8 × 2 vectors: 16 accumulators + 3 of 32 vector registers (AVX-512). On Zen 4 it measured
     * as fast as 12 × 2 at 512³ and faster on the MLP's 128-row products.
     */
    K8X2("8x2", 8, 2, 256),
    /** 12 × 2 vectors: 24 accumulators + 3 of 32 vector registers. */
    K12X2("12x2", 12, 2, 256),
    /** No tile: the unpacked thin-product path (dot products along k, or columns along m for TN) for every product. */
    THIN("thin", 0, 0, 0);

    /** The system property that forces a tile by its {@link #id()}. */
    public static final String PROPERTY = "rkflow.gemm.kernel";

    private final String id;
    final int rows;
    final int vectors;
    /** Most depth of a k-block: a rows × kc panel of packed A stays in L1. */
    final int kc;

    GemmKernel(String id, int rows, int vectors, int kc) {
        this.id = id;
        this.rows = rows;
        this.vectors = vectors;
        this.kc = kc;
    }

    /** The name used by {@link #PROPERTY} and in descriptions: rows x vectors, e.g. {@code 6x2}. */
    public String id() {
        return id;
    }

    /**
     * Vector registers of this machine, by a simple probe: 32 when the preferred vector is 512
     * bits (AVX-512 has zmm0–31), else 16 (AVX2's ymm0–15; taken for any other machine too, which
     * is safe: a tile for 16 registers also fits 32).
     */
    public static int vectorRegisters() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() == 512 ? 32 : 16;
    }

    /** The micro-tile this choice uses for the blocked path: itself, or the machine's for AUTO and THIN. */
    GemmKernel tile() {
        return rows > 0 ? this : forMachine();
    }

    /** The tile for this machine's register count: 8x2 with 32 registers, 5x2 with 16. */
    public static GemmKernel forMachine() {
        return vectorRegisters() >= 32 ? K8X2 : K5X2;
    }

    /** A short description for a device's: {@code auto (8x2, thin n ≤ 48)}, {@code 6x2}, {@code thin}. */
    String summary() {
        return this == AUTO ? "auto (" + tile().id + ", thin n ≤ " + JvmGemm.THIN_COLUMNS + ")" : id;
    }

    /**
     * What this choice runs, for reports: the tile and its block sizes, and where the thin path is
     * taken.
     */
    public String describe() {
        if (this == THIN) {
            return "thin path for every product (forced)";
        }
        GemmKernel t = tile();
        String blocked = t.id + " micro-kernel (" + t.rows + " x " + t.vectors * FloatVector.SPECIES_PREFERRED.length()
                + ", " + t.rows * t.vectors + " accumulators, k-blocks of at most " + t.kc + ")";
        return this == AUTO ? blocked + ", thin path for n ≤ " + JvmGemm.THIN_COLUMNS : blocked + " (forced)";
    }

    /** The choice named by system property {@value #PROPERTY}, else {@link #AUTO}. */
    public static GemmKernel configured() {
        String id = System.getProperty(PROPERTY);
        return id == null || id.isBlank() ? AUTO : parse(id);
    }

    /** The tile with {@link #id()} {@code id}. */
    public static GemmKernel parse(String id) {
        for (GemmKernel k : values()) {
            if (k.id.equals(id.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException(PROPERTY + ": '" + id + "' is not a GEMM kernel; valid: "
                + Arrays.stream(values()).map(GemmKernel::id).collect(Collectors.joining(", ")));
    }
}
