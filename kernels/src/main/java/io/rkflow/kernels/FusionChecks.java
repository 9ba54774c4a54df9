package io.rkflow.kernels;

import java.util.ArrayList;
import java.util.List;

/** The checks behind {@link Fused}: that a chain lines up and that running it in one pass is safe. */
final class FusionChecks {

    private FusionChecks() {}


    static void fail(String kernel, String problem) {
        if (problem != null) {
            throw new IllegalArgumentException(kernel + ": cannot fuse: " + problem);
        }
    }

    static List<Task> present(Task... tasks) {
        List<Task> list = new ArrayList<>();
        for (Task t : tasks) {
            if (t != null) {
                list.add(t);
            }
        }
        return List.copyOf(list);
    }

    static boolean same(FloatSlice a, FloatSlice b) {
        return a.buffer() == b.buffer() && a.offset() == b.offset() && a.length() == b.length();
    }

    /**
     * A region a part touches. {@code aligned}: the part touches element e of it while handling
     * element e of the fused kernel's index space (C's elements for a GEMM epilogue, the vector's
     * for the optimizer's tail); otherwise it may touch any element at any time (GEMM's A and B, a
     * bias vector, scalars, a reduction's result).
     */
    private record Region(String name, Object buffer, int offset, int length, boolean reads, boolean writes,
            boolean aligned) {
        boolean overlaps(Region o) {
            return buffer == o.buffer && length > 0 && o.length > 0
                    && offset < (long) o.offset + o.length && o.offset < (long) offset + length;
        }
    }

    /**
     * Each part's own aliasing (as a recording would check it), then every pair of regions of two
     * different parts: overlapping, one written, they must be the same region and both aligned.
     */
    static String hazards(List<Task> parts) {
        List<List<Region>> regions = new ArrayList<>();
        for (Task part : parts) {
            try {
                Graph.checkAliasing(part, part.operands());
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
            regions.add(regions(part));
        }
        for (int i = 0; i < parts.size(); i++) {
            for (int j = i + 1; j < parts.size(); j++) {
                for (Region a : regions.get(i)) {
                    for (Region b : regions.get(j)) {
                        if (!(a.writes || b.writes) || !a.overlaps(b)) {
                            continue;
                        }
                        boolean ok = a.aligned && b.aligned && a.offset == b.offset && a.length == b.length;
                        if (!ok) {
                            return parts.get(i).kernel() + "'s " + a.name + " and " + parts.get(j).kernel() + "'s "
                                    + b.name + " overlap in buffer '" + bufferName(a.buffer)
                                    + "' other than element for element";
                        }
                    }
                }
            }
        }
        return null;
    }

    private static String bufferName(Object b) {
        return b instanceof FloatBuffer f ? f.name() : ((IntBuffer) b).name();
    }

    private static List<Region> regions(Task part) {
        List<Region> list = new ArrayList<>();
        switch (part) {
            case Task.Gemm g -> {
                list.add(region("c", g.c(), g.accumulate(), true, true));
                list.add(region("a", g.a(), true, false, false));
                list.add(region("b", g.b(), true, false, false));
            }
            case Task.BiasAdd b -> {
                list.add(region("y", b.y(), true, true, true));
                list.add(region("bias", b.bias(), true, false, false));
            }
            case Task.BiasGrad b -> {
                list.add(region("db", b.db(), b.accumulate(), true, false));
                list.add(region("dy", b.dy(), true, false, false));
            }
            case Task.Combine c -> {
                list.add(region("out", c.out(), false, true, true));
                if (c.x() != null) {
                    list.add(region("x", c.x(), true, false, true));
                }
                for (int j = 0; j < c.count(); j++) { // each stage is read element for element
                    FloatSlice stage = new FloatSlice(c.stages().buffer(), c.stages().offset() + j * c.stride(),
                            c.out().length());
                    list.add(region("stage " + j, stage, true, false, true));
                }
                list.add(region("coeffs", c.coeffs(), true, false, false));
            }
            default -> { // elementwise parts touch their vectors element for element, their scalars anywhere
                for (Operand o : part.operands()) {
                    boolean scalar = o.length() == 1 && isScalar(part, o.name());
                    list.add(new Region(o.name(), o.buffer(), o.offset(), o.length(), o.access().reads(),
                            o.access().writes(), !scalar));
                }
            }
        }
        return list;
    }

    /** Arguments that are per-run scalars (or a reduction's result), not vectors. */
    private static boolean isScalar(Task part, String argument) {
        return switch (part) {
            case Task.Reduce r -> argument.equals("out");
            case Task.AccumulateSquares a -> argument.equals("beta");
            case Task.Precondition p -> argument.equals("delta");
            default -> false;
        };
    }

    private static Region region(String name, FloatSlice s, boolean reads, boolean writes, boolean aligned) {
        return new Region(name, s.buffer(), s.offset(), s.length(), reads, writes, aligned);
    }
}
