/**
 * Layers, models, losses, data sets, the trainer and the {@code rkflow} command line, on flat
 * parameter buffers of {@link io.rkflow.kernels.Device}s. Filled in by the training issue.
 */
package io.rkflow.models;
