/**
 * Runge–Kutta optimizers on the gradient flow dθ/dt = −P(θ)·∇L(θ): Butcher tableaux, explicit,
 * embedded and implicit steps, and the ingredients of Dherin et al., "Learning by solving
 * differential equations" (arXiv 2505.13397), recorded onto device graphs of
 * {@link io.rkflow.kernels.Graph}. Filled in by the solvers issue.
 */
package io.rkflow.solvers;
