package io.rkflow.models.data;

import java.util.SplittableRandom;

/** A small seeded classification task for tests: Gaussian clusters around random centres. */
public final class Clusters {

    private Clusters() {}

    /** {@code rows} samples of {@code features} values in {@code classes} unit-variance clusters. */
    public static Dataset of(int rows, int features, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] centers = new float[classes][features];
        for (float[] c : centers) {
            for (int j = 0; j < features; j++) {
                c[j] = (float) r.nextGaussian();
            }
        }
        float[] x = new float[rows * features];
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = r.nextInt(classes);
            for (int j = 0; j < features; j++) {
                x[i * features + j] = centers[y[i]][j] + (float) r.nextGaussian();
            }
        }
        return new Dataset("clusters", x, y, rows, features, classes);
    }
}
