/**
 * Training: the {@link io.rkflow.train.Trainer} loop on a device, and the run folder it writes:
 * checkpoints ({@link io.rkflow.train.Checkpoint}), metrics with TensorBoard events
 * ({@link io.rkflow.train.Metrics}), the run record ({@link io.rkflow.train.RunRecord}) and the
 * folder's lock ({@link io.rkflow.train.RunLock}). Subpackages hold the {@code rkflow} command
 * line ({@code cli}), plots ({@code plot}) and the paper's experiments ({@code experiment}).
 */
package io.rkflow.train;
