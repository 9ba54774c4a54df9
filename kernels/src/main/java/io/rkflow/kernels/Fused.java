package io.rkflow.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Fused kernels: a chain of catalogue tasks that one kernel runs in a single pass, with the
 * results of the chain run task by task. A fused task is built from the tasks it replaces and
 * checks, when built, that the chain lines up (each part consumes the previous one's output
 * element for element) and that fusing it is safe: two parts may touch overlapping memory, one of
 * them writing, only where both address the same region element for element (the fused kernel
 * then handles that element in one place, in the parts' order). {@link Fusion} rewrites a
 * recording into these; every device implements each of them, and the conformance kit checks
 * them against the references of their parts.
 */
public sealed interface Fused extends Task {

    /** The tasks this kernel replaces, in recorded order. */
    List<Task> parts();

    /** The parts' kernel names joined by '+', e.g. {@code gemm+biasAdd+activation}. */
    @Override
    default String kernel() {
        return parts().stream().map(Task::kernel).collect(Collectors.joining("+"));
    }

    /** The parts' operands, each named {@code part.argument}. */
    @Override
    default List<Operand> operands() {
        List<Operand> all = new ArrayList<>();
        for (Task part : parts()) {
            for (Operand o : part.operands()) {
                all.add(new Operand(part.kernel() + "." + o.name(), o.buffer(), o.offset(), o.length(), o.access()));
            }
        }
        return all;
    }

    @Override
    default boolean elementwise() {
        return false;
    }

    /**
     * Forward of a dense layer as one GEMM with an epilogue: C (+)= op(A)·op(B), then the bias
     * added to every row of C, then (when {@code activation} is not null) y = f(C).
     */
    record DenseForward(Task.Gemm gemm, Task.BiasAdd bias, Task.ActivationForward activation) implements Fused {
        public DenseForward {
            FusionChecks.fail("gemm+biasAdd" + (activation == null ? "" : "+activation"), problem(gemm, bias, activation));
        }

        /** Why the three tasks cannot fuse, or null when they can. */
        public static String problem(Task.Gemm gemm, Task.BiasAdd bias, Task.ActivationForward activation) {
            Objects.requireNonNull(gemm, "gemm");
            Objects.requireNonNull(bias, "bias");
            if (!FusionChecks.same(bias.y(), gemm.c()) || bias.rows() != gemm.m() || bias.cols() != gemm.n()) {
                return "biasAdd's y " + bias.y() + " (" + bias.rows() + " x " + bias.cols()
                        + ") is not gemm's c " + gemm.c() + " (" + gemm.m() + " x " + gemm.n() + ")";
            }
            if (activation != null && !FusionChecks.same(activation.x(), gemm.c())) {
                return "activation's x " + activation.x() + " is not gemm's c " + gemm.c();
            }
            return FusionChecks.hazards(FusionChecks.present(gemm, bias, activation));
        }

        @Override
        public List<Task> parts() {
            return FusionChecks.present(gemm, bias, activation);
        }
    }

    /**
     * An input gradient with the activation's backward as its epilogue: C (+)= op(A)·op(B) (dA =
     * dZ·Wᵀ), then dx = C ⊙ f'(x).
     */
    record GemmActivationBackward(Task.Gemm gemm, Task.ActivationBackward activation) implements Fused {
        public GemmActivationBackward {
            FusionChecks.fail("gemm+activationBackward", problem(gemm, activation));
        }

        public static String problem(Task.Gemm gemm, Task.ActivationBackward activation) {
            Objects.requireNonNull(gemm, "gemm");
            Objects.requireNonNull(activation, "activation");
            if (!FusionChecks.same(activation.dy(), gemm.c())) {
                return "activationBackward's dy " + activation.dy() + " is not gemm's c " + gemm.c();
            }
            return FusionChecks.hazards(List.of(gemm, activation));
        }

        @Override
        public List<Task> parts() {
            return List.of(gemm, activation);
        }
    }

    /**
     * A weight gradient with its bias gradient: C (+)= Aᵀ·B (dW = Xᵀ·dZ, form TN), and db (+)= the
     * column sums of B (Σ over the k rows of dZ).
     */
    record GemmBiasGrad(Task.Gemm gemm, Task.BiasGrad bias) implements Fused {
        public GemmBiasGrad {
            FusionChecks.fail("gemm+biasGrad", problem(gemm, bias));
        }

        public static String problem(Task.Gemm gemm, Task.BiasGrad bias) {
            Objects.requireNonNull(gemm, "gemm");
            Objects.requireNonNull(bias, "bias");
            if (gemm.form() != GemmForm.TN) {
                return "gemm is of form " + gemm.form() + "; the bias gradient fuses with a TN product (Xᵀ·dZ)";
            }
            if (!FusionChecks.same(bias.dy(), gemm.b()) || bias.rows() != gemm.k() || bias.cols() != gemm.n()) {
                return "biasGrad's dy " + bias.dy() + " (" + bias.rows() + " x " + bias.cols() + ") is not gemm's b "
                        + gemm.b() + " (" + gemm.k() + " x " + gemm.n() + ")";
            }
            return FusionChecks.hazards(List.of(gemm, bias));
        }

        @Override
        public List<Task> parts() {
            return List.of(gemm, bias);
        }
    }

    /**
     * The optimizer's tail over n parameters, in one pass: the preconditioner accumulator (v +=
     * g⊙g or its EMA), the preconditioned gradient g / sqrt(δ + v), a stage combination (the next
     * stage point, or the update of θ), and the non-finite check of the combination's output.
     * Any part may be absent ({@code null}) but the combination; at least two are present, and the
     * accumulator comes only with a preconditioning of the same g and v.
     */
    record OptimizerTail(Task.AccumulateSquares accumulate, Task.Precondition precondition, Task.Combine combine,
            Task.Reduce check) implements Fused {
        public OptimizerTail {
            FusionChecks.fail("optimizerTail", problem(accumulate, precondition, combine, check));
        }

        public static String problem(Task.AccumulateSquares accumulate, Task.Precondition precondition,
                Task.Combine combine, Task.Reduce check) {
            Objects.requireNonNull(combine, "combine");
            int n = combine.out().length();
            if (accumulate != null && (precondition == null || !FusionChecks.same(accumulate.v(), precondition.v())
                    || !FusionChecks.same(accumulate.g(), precondition.g()))) {
                return "the accumulator must come with a preconditioning of the same g and v";
            }
            if (precondition != null && precondition.out().length() != n) {
                return "precondition has length " + precondition.out().length() + " but combine has length " + n;
            }
            if (check != null && (check.kind() != Reduction.NON_FINITE || !FusionChecks.same(check.x(), combine.out()))) {
                return "the check must be nonFinite of combine's out " + combine.out();
            }
            List<Task> parts = FusionChecks.present(accumulate, precondition, combine, check);
            if (parts.size() < 2) {
                return "a combination alone is not a fusion";
            }
            return FusionChecks.hazards(parts);
        }

        @Override
        public List<Task> parts() {
            return FusionChecks.present(accumulate, precondition, combine, check);
        }
    }
}
