package io.rkflow.kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How much a graph is fused when it is compiled: a pass over the recorded tasks, the same on
 * every device, that rewrites chains of consecutive catalogue tasks into the {@link Fused}
 * kernels that do their work in one pass (in the manner of XLA's and TVM's operator fusion).
 * Every level computes the same results within the conformance bounds; the JVM device's fused
 * kernels do the arithmetic of the chains they replace, so there every level gives the same bits.
 * <ul>
 *   <li>{@link #NONE}: every recorded task is its own kernel;</li>
 *   <li>{@link #EPILOGUE}: GEMMs absorb what follows them element for element: the bias and the
 *       activation of a dense layer's forward ({@link Fused.DenseForward}), the activation's
 *       backward after an input gradient ({@link Fused.GemmActivationBackward}), and the bias
 *       gradient beside a weight gradient ({@link Fused.GemmBiasGrad});</li>
 *   <li>{@link #FULL}: also the optimizer's tail, preconditioner, stage combination or update, and
 *       the non-finite check in one pass over the parameters ({@link Fused.OptimizerTail}).</li>
 * </ul>
 */
public enum Fusion {
    NONE, EPILOGUE, FULL;

    /** The name of {@link #DEFAULT}, for option defaults. */
    public static final String DEFAULT_LABEL = "full";

    /** The level graphs compile at unless told otherwise: the fastest measured (README, benchmarks). */
    public static final Fusion DEFAULT = parse(DEFAULT_LABEL);

    /** The level's name as options take it: {@code none}, {@code epilogue}, {@code full}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The level named {@code name}; an error lists the valid names. */
    public static Fusion parse(String name) {
        for (Fusion f : values()) {
            if (f.label().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("fusion level '" + name + "' is not one of "
                + String.join(", ", Arrays.stream(values()).map(Fusion::label).toList()));
    }

    /** The tasks rewritten at this level; the input list is left as it is. */
    public List<Task> apply(List<Task> tasks) {
        if (this == NONE) {
            return List.copyOf(tasks);
        }
        List<Task> out = new ArrayList<>(tasks.size());
        int i = 0;
        while (i < tasks.size()) {
            Match m = epilogue(tasks, i);
            if (m == null && this == FULL) {
                m = tail(tasks, i);
            }
            if (m == null) {
                out.add(tasks.get(i));
                i++;
            } else {
                out.add(m.task);
                i += m.consumed;
            }
        }
        return out;
    }

    private record Match(Task task, int consumed) {}

    private static Task at(List<Task> tasks, int i) {
        return i < tasks.size() ? tasks.get(i) : null;
    }

    /** A GEMM at i and what follows it element for element. */
    private static Match epilogue(List<Task> tasks, int i) {
        if (!(tasks.get(i) instanceof Task.Gemm gemm)) {
            return null;
        }
        Task next = at(tasks, i + 1);
        if (next instanceof Task.BiasAdd bias) {
            if (at(tasks, i + 2) instanceof Task.ActivationForward act
                    && Fused.DenseForward.problem(gemm, bias, act) == null) {
                return new Match(new Fused.DenseForward(gemm, bias, act), 3);
            }
            if (Fused.DenseForward.problem(gemm, bias, null) == null) {
                return new Match(new Fused.DenseForward(gemm, bias, null), 2);
            }
        } else if (next instanceof Task.ActivationBackward act) {
            if (Fused.GemmActivationBackward.problem(gemm, act) == null) {
                return new Match(new Fused.GemmActivationBackward(gemm, act), 2);
            }
        } else if (next instanceof Task.BiasGrad bias) {
            if (Fused.GemmBiasGrad.problem(gemm, bias) == null) {
                return new Match(new Fused.GemmBiasGrad(gemm, bias), 2);
            }
        }
        return null;
    }

    /**
     * The longest optimizer tail starting at i: [accumulateSquares] [precondition] combine
     * [nonFinite], at least two parts.
     */
    private static Match tail(List<Task> tasks, int i) {
        int j = i;
        Task.AccumulateSquares acc = at(tasks, j) instanceof Task.AccumulateSquares a ? a : null;
        if (acc != null) {
            j++;
        }
        Task.Precondition pre = at(tasks, j) instanceof Task.Precondition p ? p : null;
        if (pre != null) {
            j++;
        }
        if (!(at(tasks, j) instanceof Task.Combine combine)) {
            return null;
        }
        j++;
        Task.Reduce check = at(tasks, j) instanceof Task.Reduce r ? r : null;
        if (check != null && Fused.OptimizerTail.problem(acc, pre, combine, check) == null) {
            return new Match(new Fused.OptimizerTail(acc, pre, combine, check), j + 1 - i);
        }
        if (Fused.OptimizerTail.problem(acc, pre, combine, null) == null) {
            return new Match(new Fused.OptimizerTail(acc, pre, combine, null), j - i);
        }
        return null; // an accumulator that cannot join runs alone; the rest is tried at the next task
    }
}
