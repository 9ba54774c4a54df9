package io.rkflow.kernels.jvm;

/** One compiled task of a JVM plan: its arrays, offsets and scratch space are bound at compile time. */
@FunctionalInterface
interface Step {
    void run();
}
