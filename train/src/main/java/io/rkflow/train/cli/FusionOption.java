package io.rkflow.train.cli;

import io.rkflow.kernels.Fusion;
import picocli.CommandLine.Option;

/** The {@code --fusion} option: how far the device's graphs are fused when compiled. */
public final class FusionOption {

    @Option(names = "--fusion", defaultValue = Fusion.DEFAULT_LABEL, paramLabel = "LEVEL", description = "Kernel fusion of the device graphs: none (a kernel per task), epilogue (GEMMs absorb bias, activation and its backward, bias gradient) or full (also the optimizer's tail in one pass) (default: ${DEFAULT-VALUE}). Results agree within float rounding; on the jvm device bit for bit.")
    String name;

    /** The --fusion level as given, checked: an unknown name is an error naming the option and the valid levels. */
    public String given() {
        level();
        return name;
    }

    /** The chosen level; an unknown name is an error naming the option and the valid levels. */
    Fusion level() {
        try {
            return Fusion.parse(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--fusion: " + e.getMessage());
        }
    }
}
