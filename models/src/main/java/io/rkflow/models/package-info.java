/**
 * Layers, models, losses and data sets on flat parameter buffers of
 * {@link io.rkflow.kernels.Device}s, and their files (IDX data, safetensors weights). The trainer,
 * run folders, plots, experiments and the {@code rkflow} command line are the
 * {@code rkflow-train} module's ({@code io.rkflow.train}).
 */
package io.rkflow.models;
