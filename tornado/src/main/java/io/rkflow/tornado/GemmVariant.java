package io.rkflow.tornado;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The GEMM kernels of the TornadoVM device. Which one a plan uses is a choice per device
 * ({@link GemmTuner}): a register-tiled kernel is several times faster than the 16 × 16 tile on a
 * GPU, while on an OpenCL runtime for CPUs (PoCL) it has been measured slower.
 */
public enum GemmVariant {
    /** {@link GemmKernels#gemm}: one element of C per work-item, 16 × 16 tiles of A and B in local memory. */
    TILE16("tile16", GemmKernels.TILE, GemmKernels.TILE, 1),
    /** {@link GemmKernels#gemmRegister}: 64 × 64 tiles of C, 4 × 4 per work-item in registers. */
    REGISTER64("reg64", GemmKernels.RT_TILE, GemmKernels.RT_ITEMS, GemmKernels.RT_TILE / GemmKernels.RT_ITEMS);

    /** The system property that chooses a variant for every device: an {@link #id()} or {@code auto}. */
    public static final String PROPERTY = "rkflow.tornado.gemm";

    private final String id;
    /** Rows and columns of C per work-group. */
    final int tile;
    /** Work-items per group in each dimension. */
    final int items;
    /** Elements of C per work-item in each dimension. */
    final int perItem;

    GemmVariant(String id, int tile, int items, int perItem) {
        this.id = id;
        this.tile = tile;
        this.items = items;
        this.perItem = perItem;
    }

    /** The name used by {@link #PROPERTY} and in reports. */
    public String id() {
        return id;
    }

    /** The variant named {@code id}; an unknown name is an error that lists the valid ones. */
    public static GemmVariant parse(String id) {
        for (GemmVariant v : values()) {
            if (v.id.equals(id.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException(PROPERTY + ": '" + id + "' is not a GEMM variant; valid: auto, "
                + Arrays.stream(values()).map(GemmVariant::id).collect(Collectors.joining(", ")));
    }

    /** The variant {@link #PROPERTY} forces, or null for {@code auto} (measured per device). */
    static GemmVariant configured() {
        String id = System.getProperty(PROPERTY);
        return id == null || id.isBlank() || id.trim().equals("auto") ? null : parse(id);
    }
}
