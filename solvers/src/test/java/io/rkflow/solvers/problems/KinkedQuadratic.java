package io.rkflow.solvers.problems;

import io.rkflow.kernels.Activation;
import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.GemmForm;
import io.rkflow.kernels.Graph;

/**
 * L(θ) = ½λ‖θ − c‖² + μ·max(0, aᵀθ − b): a quadratic around c with one ReLU kink, the plane
 * aᵀθ = b, across which the gradient λ(θ − c) + μ·[aᵀθ &gt; b]·a jumps by μ·a. On either side the
 * Hessian is λI, so ‖Hg‖/‖g‖ = λ everywhere off the plane, as in one linear region of a ReLU
 * network. θ − c is taken first, so the gradient is exact to fp32 however far c is from 0.
 */
public final class KinkedQuadratic extends TestProblem {

    private final FloatBuffer lambda;
    private final FloatBuffer halfLambda;
    private final FloatBuffer mu;
    private final FloatBuffer one;
    private final FloatBuffer minusOne;
    private final FloatBuffer centre;
    private final FloatBuffer normal;
    private final FloatBuffer minusB;
    private final FloatBuffer offset;
    private final FloatBuffer z;
    private final FloatBuffer gate;
    private final FloatBuffer relu;
    private final FloatBuffer squared;

    /** The kink plane aᵀθ = b ({@code a} need not be a unit vector); μ = 0: no kink. */
    public KinkedQuadratic(Device device, double lambda, float[] c, double mu, float[] a, double b) {
        super(device, a.length);
        if (c.length != a.length) {
            throw new IllegalArgumentException("centre of " + c.length + " elements, normal of " + a.length);
        }
        this.lambda = Problems.buffer(device, "lambda", (float) lambda);
        this.halfLambda = Problems.buffer(device, "lambda / 2", (float) (lambda / 2));
        this.mu = Problems.buffer(device, "mu", (float) mu);
        this.one = Problems.buffer(device, "1", 1f);
        this.minusOne = Problems.buffer(device, "-1", -1f);
        this.centre = Problems.buffer(device, "c", c);
        this.normal = Problems.buffer(device, "a", a);
        this.minusB = Problems.buffer(device, "-b", (float) -b);
        this.offset = device.allocFloat("theta - c", a.length);
        this.z = device.allocFloat("a.theta - b", 1);
        this.gate = device.allocFloat("mu [a.theta > b]", 1);
        this.relu = device.allocFloat("max(0, a.theta - b)", 1);
        this.squared = device.allocFloat("|theta - c|^2", 1);
    }

    /** ½λ‖θ‖² with a kink: centred at 0. */
    public KinkedQuadratic(Device device, double lambda, double mu, float[] a, double b) {
        this(device, lambda, new float[a.length], mu, a, b);
    }

    @Override
    public void record(Graph g, int slot, FloatSlice theta, FloatSlice grad, FloatSlice loss) {
        int n = dimension();
        g.dot(z.all(), normal.all(), theta);
        g.biasAdd(z.all(), minusB.all(), 1, 1);
        g.activationBackward(Activation.RELU, gate.all(), mu.all(), z.all());
        g.axpby(offset.all(), one.all(), theta, minusOne.all(), centre.all());
        g.scale(grad, lambda.all(), offset.all());
        g.gemm(GemmForm.NN, n, 1, 1, grad, normal.all(), gate.all(), true);
        g.activation(Activation.RELU, relu.all(), z.all());
        g.squaredNorm(squared.all(), offset.all());
        g.axpby(loss, halfLambda.all(), squared.all(), mu.all(), relu.all());
    }
}
