package io.rkflow.solvers.optim;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
import io.rkflow.solvers.field.Objective;
import io.rkflow.solvers.stepsize.DalStepSize;
import io.rkflow.solvers.stepsize.PiController;
import io.rkflow.solvers.tableau.ButcherTableau;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An explicit Runge–Kutta step on the preconditioned gradient flow dθ/dt = −P ⊙ ∇L(θ), with the
 * ingredients of Dherin et al. (arXiv 2505.13397) and error control for embedded pairs:
 * <pre>
 *   k_1 = P ⊙ ∇L(θ_n),   k_i = P ⊙ ∇L(θ_n − h Σ_{j&lt;i} a_ij k_j)
 *   θ_{n+1} = θ_n − h Σ b_i k_i                   (or, with momentum, m ← β m + Σ b_i k_i, θ ← θ − h m)
 *   e = h Σ (b_i − b̂_i) k_i                      (embedded pairs: accept when ‖e‖_rms,weighted ≤ 1)
 * </pre>
 * The whole step is one device plan: every stage combination, every forward/backward pass of the
 * objective, the preconditioner, the update and the checks. The host writes the coefficients
 * (−h·a_ij, −h·b_i, ...) into a small buffer before each execution and reads back a few scalars.
 * A finite-difference DAL probe adds one plan before the step; a rejected attempt of an embedded
 * pair runs a restore plan that copies θ and the state back from the step-start copies.
 *
 * <p>Preconditioning (P_n frozen for the step unless {@code per_stage}): at step n the accumulator
 * first takes the first-stage gradient g_1 = ∇L(θ_n), G_n = Σ_{l≤n} g_1^(l) ⊙ g_1^(l) for AdaGrad
 * (the EMA for the other kinds), then k_1 = P_1 ⊙ g_1 with P_1 = (δ + G_n)^(−1/2). Frozen:
 * k_i = P_1 ⊙ g_i for every stage. {@code per_stage}: k_i = (δ + G_n + g_i ⊙ g_i)^(−1/2) ⊙ g_i for
 * i ≥ 2 (EMA kinds: δ + β2·v_n + (1 − β2)·g_i ⊙ g_i), g_i = ∇L at stage point i; G_n, the
 * accumulator carried to the next step, takes only g_1.
 *
 * <p>DAL's curvature ξ, from norms the device reduces in double and returns as norms (their
 * squares leave fp32's range for ‖g‖ below ~1e-19 or above ~1.8e19):
 * <ul>
 *   <li>{@code hg=stages}: ξ = ‖k_1 − k_2‖ / (|a_21|·h·‖k_1‖) after the step, with k_i the
 *       kernel's stage values P_k ⊙ g_i, P_k = (δ' + v)^(−1/2), and the flow's P = s·P_k, s the
 *       bias scale of {@link Preconditioner#biasScale} (1 for AdaGrad and RMSProp, sqrt(1 − β2^t)
 *       for EMA): the stage point is θ − h·a_21·P g_1, so on a quadratic with Hessian H and frozen
 *       P this is ‖P H P g_1‖ / ‖P g_1‖ with the flow's P for every kind (no preconditioner:
 *       ‖H g_1‖ / ‖g_1‖). With {@code per_stage}, k_2 has its own P, so ξ also holds the change of
 *       P between the stages.</li>
 *   <li>{@code hg=fd}: ξ = min(‖∇L(θ + δ·g) − g‖, ‖g − ∇L(θ − δ·g)‖) / (δ·‖g‖) with
 *       g = ∇L(θ_n) unpreconditioned, so ‖H g‖ / ‖g‖ whatever the preconditioner; two extra
 *       gradients a step. The smaller of the forward and backward differences, because a probe
 *       that crosses a ReLU kink (a pre-activation changing sign) adds the gradient's jump there,
 *       of a size that does not shrink with δ, to its difference: divided by δ it overstates ξ
 *       by a factor of up to hundreds; the two probes cross kinks independently, and a crossing
 *       almost always lengthens the difference. See {@link #probeDisplacement()} for δ.</li>
 * </ul>
 */
final class RungeKuttaOptimizer implements Optimizer {

    private final Spec spec;
    private final ButcherTableau tableau;
    private final Objective objective;
    private final int n;
    private final int s;
    private final Device device;

    // Device buffers.
    private final FloatBuffer k;          // s × n stage values k_i
    private final FloatBuffer point;      // n: the current stage point; scratch after the last stage
    private final FloatBuffer losses;     // s: loss at each stage point
    private final FloatBuffer coef;       // coefficients, see the layout below
    private final FloatBuffer scalars;    // per-run scalars: preconditioner δ', β2, momentum β, h, atol, rtol
    private final FloatBuffer readback;   // results: non-finite flag, error norm, DAL norms
    private final FloatBuffer v;          // preconditioner accumulator or null
    private final FloatBuffer vStage;     // per-stage preconditioner scratch or null
    private final FloatBuffer m;          // momentum or null
    private final FloatBuffer gStar;      // RK-estimated gradient (momentum) or null
    private final FloatBuffer probe;      // DAL finite-difference gradient (forward, then backward) or null
    private final FloatBuffer thetaCopy;  // step-start copies of an embedded pair, or null
    private final FloatBuffer vCopy;
    private final FloatBuffer mCopy;
    private final FloatBuffer fsalCopy;   // the last stage and its loss at step start (FSAL pairs)

    private final FloatSlice theta;
    private final Plan stepPlan;
    private final Plan probePlan;
    private final Plan restorePlan;
    /** FSAL: the step that takes k_1 from the previous step's last stage, or null. */
    private final Plan fsalPlan;
    /** A retried attempt of an embedded pair: k_1 at θ_n is still in K, or null. */
    private final Plan retryPlan;

    // Coefficient layout: A (s × s), then the update weights (s), then the error weights (s), then
    // the DAL probe displacements δ and −δ (2).
    private final int coefUpdate;
    private final int coefError;
    private final int coefProbe;
    // Scalar layout.
    private static final int DELTA = 0;
    private static final int BETA2 = 1;
    private static final int MOMENTUM = 2; // [β, h], the momentum kernel's params
    private static final int TOL = 4;      // [atol, rtol]
    private static final int SCALARS = 6;
    // Readback layout.
    private static final int NON_FINITE = 0;
    private static final int ERROR = 1;
    private static final int NORM_G = 2;     // ‖k_1‖ (stages) or ‖g‖ (probe)
    private static final int NORM_DIFF = 3;  // ‖k_1 − k_2‖ (stages) or ‖∇L(θ + δg) − g‖ (probe)
    private static final int NORM_THETA = 4; // ‖θ‖ at the probe
    private static final int NORM_BACK = 5;  // ‖g − ∇L(θ − δg)‖ (probe)
    private static final int READBACK = 6;

    /**
     * The shortest probe relative to ‖θ‖: fp32 rounds each element of θ + δ·g to within half an
     * ulp, up to 2^-24·|θ_i|, so a probe of a few ulps of θ is mostly rounding (elements whose
     * step rounds away shorten it along g). On Fashion-MNIST MLPs (‖θ‖ ≈ 12 and 32) ξ measured
     * over 2^-21.6·‖θ‖ was within 1% of the exact value, over 2^-25·‖θ‖ 10 to 13% low, over
     * 2^-27·‖θ‖ about half.
     */
    private static final double MIN_RELATIVE_PROBE = 0x1p-22;

    /**
     * The shortest probe relative to ‖g‖/ξ, the cancellation limit: the gradient difference,
     * about ε·ξ, must stand 2^10 above fp32's rounding of the gradients, about 2^-24·‖g‖. On a
     * quadratic ½λ‖θ‖², ‖g‖/ξ = ‖θ‖ and this is what keeps the probe resolved at any scale of θ;
     * on an MLP ‖g‖/ξ is small (0.01 to 0.3 on Fashion-MNIST), and ε decides.
     */
    private static final double MIN_CANCELLATION_PROBE = 0x1p-14;

    private final float[] coefHost;
    private final float[] scalarHost = new float[SCALARS];
    private final float[] readHost = new float[READBACK];
    private final float[] lossHost;

    // Host state (part of OptimizerState).
    private long steps;
    private long gradientEvaluations;
    private long rejectedTotal;
    private double h;               // step size of the next attempt (embedded pairs), else last used
    private double curvature;       // DAL's ξ = ‖Hg‖/‖g‖ from the last measurement, 0 before any
    private double gradNorm;        // ‖g‖ of the last probe, for the next probe's displacement
    private double thetaNorm;       // ‖θ‖ at the last probe, for the same
    private double previousError = 1.0;
    private double lastLoss = Double.NaN;
    /** Whether K's last stage holds F(θ_n) for the next step (FSAL). */
    private boolean fsalValid;

    RungeKuttaOptimizer(Spec spec, Objective objective, FloatSlice theta) {
        this.spec = spec;
        this.tableau = spec.tableau();
        this.objective = objective;
        this.theta = theta;
        this.device = objective.device();
        this.n = objective.dimension();
        this.s = tableau.stages();
        if (theta.length() != n) {
            throw new IllegalArgumentException("theta has " + theta.length() + " elements but the objective has "
                    + n + " parameters");
        }
        if (theta.buffer().device() != device) {
            throw new IllegalArgumentException("theta lives on device " + theta.buffer().device().id()
                    + ", the objective on " + device.id());
        }
        if (spec.freshBatch() && objective.batchSlots() < s) {
            throw new IllegalArgumentException("fresh_batch needs " + s + " batch slots for " + tableau.name()
                    + "'s stages; the objective has " + objective.batchSlots());
        }
        boolean embedded = spec.control() != null;
        Preconditioner pre = spec.preconditioner();
        coefUpdate = s * s;
        coefError = coefUpdate + s;
        coefProbe = coefError + s;
        coefHost = new float[coefProbe + 2];
        lossHost = new float[s];
        k = device.allocFloat("K", s * n);
        point = device.allocFloat("stage point", n);
        losses = device.allocFloat("stage losses", s);
        coef = device.allocFloat("RK coefficients", coefHost.length);
        scalars = device.allocFloat("step scalars", SCALARS);
        readback = device.allocFloat("step results", READBACK);
        v = pre.enabled() ? device.allocFloat("preconditioner v", n) : null;
        vStage = pre.enabled() && pre.perStage() ? device.allocFloat("per-stage v", n) : null;
        m = spec.momentum().enabled() ? device.allocFloat("momentum", n) : null;
        gStar = m != null ? device.allocFloat("g*", n) : null;
        boolean fd = spec.dal() != null && spec.dal().hessian() == DalStepSize.HessianEstimate.FINITE_DIFFERENCE;
        probe = fd ? device.allocFloat("DAL probe gradient", n) : null;
        thetaCopy = embedded ? device.allocFloat("theta at step start", n) : null;
        vCopy = embedded && v != null ? device.allocFloat("v at step start", n) : null;
        mCopy = embedded && m != null ? device.allocFloat("m at step start", n) : null;
        fsalCopy = embedded && tableau.fsal() ? device.allocFloat("last stage at step start", n + 1) : null;

        probePlan = fd ? recordProbe() : null;
        stepPlan = recordStep(fd, false);
        restorePlan = embedded ? recordRestore() : null;
        // Reusing a stored k_1 is exact only while nothing rescales it between steps: no
        // preconditioner (k_1 = P·g with P changing every step), and the same batch in every stage.
        boolean reusable = !pre.enabled() && !fd && !spec.freshBatch();
        retryPlan = reusable && embedded ? recordStep(true, false) : null;
        // FSAL also needs θ_{n+1} to be the last stage point, which momentum breaks.
        fsalPlan = reusable && tableau.fsal() && objective.fixed() && m == null ? recordStep(true, true) : null;
        h = spec.schedule().h();
    }

    /**
     * Stage 1 at θ and the finite-difference probes at θ ± δ·g: ‖g‖, ‖∇L(θ + δg) − g‖,
     * ‖g − ∇L(θ − δg)‖ and ‖θ‖.
     */
    private Plan recordProbe() {
        Graph g = device.graph(tableau.name() + " DAL probe");
        FloatSlice k0 = k.slice(0, n);
        objective.record(g, 0, theta, k0, losses.at(0));
        g.combine(point.all(), theta, k.all(), n, 1, coef.at(coefProbe));
        objective.record(g, 0, point.all(), probe.all(), readback.at(ERROR)); // loss slot unused here
        g.axpby(probe.all(), constOne(), probe.all(), constMinusOne(), k0);
        g.norm(readback.at(NORM_DIFF), probe.all());
        g.combine(point.all(), theta, k.all(), n, 1, coef.at(coefProbe + 1));
        objective.record(g, 0, point.all(), probe.all(), readback.at(ERROR));
        g.axpby(probe.all(), constOne(), k0, constMinusOne(), probe.all());
        g.norm(readback.at(NORM_BACK), probe.all());
        g.norm(readback.at(NORM_G), k0);
        g.norm(readback.at(NORM_THETA), theta);
        g.hostWrites(coef).hostReads(readback, losses);
        return g.compile();
    }

    private FloatBuffer constants;

    private FloatSlice constOne() {
        ensureConstants();
        return constants.at(0);
    }

    private FloatSlice constMinusOne() {
        ensureConstants();
        return constants.at(1);
    }

    private void ensureConstants() {
        if (constants == null) {
            constants = device.allocFloat("constants", 2);
            constants.write(new float[] {1f, -1f});
        }
    }

    /**
     * The step plan. {@code firstStageDone}: k_1 is already in K (a probe plan computed it, or a
     * rejected attempt at the same θ did); {@code fromLast}: copy k_1 and its loss from the previous
     * step's last stage first (FSAL).
     */
    private Plan recordStep(boolean firstStageDone, boolean fromLast) {
        Graph g = device.graph(tableau.name() + (fromLast ? " FSAL step" : firstStageDone ? " step from k1" : " step"));
        Preconditioner pre = spec.preconditioner();
        if (fromLast) {
            g.copy(k.slice(0, n), k.slice((s - 1) * n, n));
            g.copy(losses.at(0), losses.at(s - 1));
        }
        if (thetaCopy != null) {
            g.copy(thetaCopy.all(), theta);
            if (vCopy != null) {
                g.copy(vCopy.all(), v.all());
            }
            if (mCopy != null) {
                g.copy(mCopy.all(), m.all());
            }
            if (fsalCopy != null) {
                g.copy(fsalCopy.slice(0, n), k.slice((s - 1) * n, n));
                g.copy(fsalCopy.at(n), losses.at(s - 1));
            }
        }
        for (int i = 0; i < s; i++) {
            FloatSlice ki = k.slice(i * n, n);
            FloatSlice at = StageRecording.stagePoint(g, tableau, i, i, theta, k, point, coef);
            if (i > 0 || !firstStageDone) {
                objective.record(g, spec.freshBatch() ? i : 0, at, ki, losses.at(i));
            }
            if (pre.enabled()) {
                if (i == 0) {
                    StageRecording.accumulate(g, pre, v.all(), ki, scalars.at(BETA2));
                }
                FloatSlice acc = v.all();
                if (pre.perStage() && i > 0) {
                    g.copy(vStage.all(), v.all());
                    StageRecording.accumulate(g, pre, vStage.all(), ki, scalars.at(BETA2));
                    acc = vStage.all();
                }
                g.precondition(ki, ki, acc, scalars.at(DELTA));
            }
        }
        if (spec.control() != null) {
            g.combine(point.all(), null, k.all(), n, s, coef.slice(coefError, s));
        }
        StageRecording.update(g, spec, theta, k, coef.slice(coefUpdate, s), m, gStar, scalars.slice(MOMENTUM, 2));
        if (spec.control() != null) {
            g.rmsErrorNorm(readback.at(ERROR), point.all(), thetaCopy.all(), theta, scalars.slice(TOL, 2));
        }
        if (spec.dal() != null && spec.dal().hessian() == DalStepSize.HessianEstimate.STAGES) {
            g.axpby(point.all(), constOne(), k.slice(0, n), constMinusOne(), k.slice(n, n));
            g.norm(readback.at(NORM_G), k.slice(0, n));
            g.norm(readback.at(NORM_DIFF), point.all());
        }
        g.nonFinite(readback.at(NON_FINITE), theta);
        g.hostWrites(coef, scalars).hostReads(readback, losses);
        return g.compile();
    }

    private Plan recordRestore() {
        Graph g = device.graph(tableau.name() + " restore");
        g.copy(theta, thetaCopy.all());
        if (vCopy != null) {
            g.copy(v.all(), vCopy.all());
        }
        if (mCopy != null) {
            g.copy(m.all(), mCopy.all());
        }
        if (fsalCopy != null) {
            g.copy(k.slice((s - 1) * n, n), fsalCopy.slice(0, n));
            g.copy(losses.at(s - 1), fsalCopy.at(n));
        }
        return g.compile();
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public StepReport step() {
        int evaluations = 0;
        int rejected = 0;
        boolean afterRejection = false;
        PiController control = spec.control();
        while (true) {
            double stepH = control != null ? h : scheduledH();
            if (probePlan != null) {
                coefHost[coefProbe] = probeDisplacement();
                coefHost[coefProbe + 1] = -coefHost[coefProbe];
                double displacement = coefHost[coefProbe]; // as the device sees it
                coef.write(coefHost);
                probePlan.execute();
                evaluations += 3;
                readback.read(0, readHost, 0, READBACK);
                gradNorm = readHost[NORM_G];
                thetaNorm = readHost[NORM_THETA];
                double diff = Math.min(readHost[NORM_DIFF], readHost[NORM_BACK]);
                curvature = gradNorm > 0 ? diff / (displacement * gradNorm) : 0;
                stepH = dalH();
            } else if (spec.dal() != null) {
                stepH = dalH();
            }
            writeCoefficients(stepH);
            Plan plan = afterRejection && retryPlan != null ? retryPlan
                    : fsalValid && fsalPlan != null ? fsalPlan : stepPlan;
            plan.execute();
            evaluations += plan == stepPlan && probePlan == null ? s : s - 1;
            readback.read(0, readHost, 0, READBACK);
            losses.read(0, lossHost, 0, s);
            if (control == null) {
                h = stepH;
                finishDal(stepH);
                if (readHost[NON_FINITE] != 0) {
                    count(evaluations, lossHost[0]);
                    fsalValid = false; // the last stage was evaluated on the way to a non-finite θ
                    throw new NonFiniteException(tableau.name() + " step " + steps + " (h = " + stepH
                            + ", loss at step start " + lossHost[0] + "): θ became NaN or infinite; lower the step"
                            + " size, or use an embedded pair with tol(...) that can reject such a step");
                }
                count(evaluations, lossHost[0]);
                fsalValid = fsalPlan != null;
                return new StepReport(lossHost[0], stepH, evaluations, 0, Double.NaN, 0);
            }
            double err = readHost[NON_FINITE] != 0 ? Double.NaN : readHost[ERROR];
            int order = Math.min(tableau.order(), tableau.embeddedOrder()) + 1;
            PiController.Decision d = control.decide(stepH, err, previousError, afterRejection, order);
            if (d.accept()) {
                previousError = Math.max(err, 1e-4);
                h = d.nextH();
                count(evaluations, lossHost[0]);
                fsalValid = fsalPlan != null;
                return new StepReport(lossHost[0], stepH, evaluations, rejected, err, 0);
            }
            restorePlan.execute();
            rejected++;
            rejectedTotal++;
            afterRejection = true;
            h = d.nextH();
            if (rejected > control.maxRejections() || h < control.hMin()) {
                gradientEvaluations += evaluations;
                throw new StepSizeException(tableau.name() + " step " + steps + ": " + rejected
                        + " attempts rejected in a row, last error " + err + ", next h " + h + " (h_min "
                        + control.hMin() + ", max_rejections " + control.maxRejections()
                        + "); θ is left at the start of the step. Loosen tol(rtol=..., atol=...) or check the loss");
            }
        }
    }

    private double scheduledH() {
        return spec.schedule().at(steps);
    }

    /**
     * δ of the finite-difference probes θ ± δ·g. Their length ‖δ·g‖ is the DAL option ε, raised
     * where fp32 could not measure the curvature over ε: to {@link #MIN_RELATIVE_PROBE}·‖θ‖ (with
     * ε = 1e-5, where ‖θ‖ &gt; 42) and to {@link #MIN_CANCELLATION_PROBE}·‖g‖/ξ. Measured with the
     * previous probe's ‖g‖, ‖θ‖ and ξ, as the new ones come from this probe's plan. The first
     * probe, with no ‖g‖ yet, uses δ = ε, a length of ε·‖g‖.
     */
    private float probeDisplacement() {
        double epsilon = spec.dal().epsilon();
        if (!(gradNorm > 0)) {
            return (float) epsilon;
        }
        double length = Math.max(epsilon, MIN_RELATIVE_PROBE * thetaNorm);
        if (curvature > 0) {
            length = Math.max(length, MIN_CANCELLATION_PROBE * gradNorm / curvature);
        }
        return (float) Math.min(length / gradNorm, Float.MAX_VALUE);
    }

    /** DAL's step size for the current curvature, shaped by any warm-up or cosine schedule. */
    private double dalH() {
        double shape = spec.schedule().at(steps) / spec.schedule().h();
        return spec.dal().stepSize(curvature) * shape;
    }

    /**
     * After a step with DAL from stages: ξ ≈ ‖k_1 − k_2‖ / (|a_21|·h·‖k_1‖), the flow's
     * ‖P H P g‖ / ‖P g‖ (k_i carry the kernel's P_k = P/scale and the stage point the flow's P, so the
     * scale cancels; dividing by it once more overstated an EMA's ξ by 1/scale).
     */
    private void finishDal(double stepH) {
        if (spec.dal() != null && spec.dal().hessian() == DalStepSize.HessianEstimate.STAGES) {
            double norm1 = readHost[NORM_G];
            double diff = readHost[NORM_DIFF];
            double denominator = Math.abs(tableau.a(1, 0)) * stepH * norm1;
            curvature = denominator > 0 ? diff / denominator : 0;
        }
    }

    /**
     * Writes −h·scale·a_ij, the update weights and the error weights, and the step's scalars;
     * returns the scale, which folds Adam-style bias correction of an EMA preconditioner into h:
     * g / sqrt(δ + v/(1−β2^t)) = sqrt(1−β2^t) · g / sqrt(δ·(1−β2^t) + v).
     */
    private double writeCoefficients(double stepH) {
        Preconditioner pre = spec.preconditioner();
        double scale = pre.biasScale(steps + 1);
        double delta = pre.kernelDelta(steps + 1);
        double hs = stepH * scale;
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
                coefHost[i * s + j] = (float) (-hs * tableau.a(i, j));
            }
            coefHost[coefUpdate + i] = (float) (m != null ? scale * tableau.b(i) : -hs * tableau.b(i));
            coefHost[coefError + i] = tableau.embedded() ? (float) (-hs * (tableau.b(i) - tableau.bHat()[i])) : 0f;
        }
        coef.write(coefHost);
        scalarHost[DELTA] = (float) delta;
        scalarHost[BETA2] = (float) pre.beta2();
        scalarHost[MOMENTUM] = (float) spec.momentum().beta();
        scalarHost[MOMENTUM + 1] = (float) stepH;
        if (spec.control() != null) {
            scalarHost[TOL] = (float) spec.control().atol();
            scalarHost[TOL + 1] = (float) spec.control().rtol();
        }
        scalars.write(scalarHost);
        return scale;
    }

    private void count(int evaluations, double loss) {
        steps++;
        gradientEvaluations += evaluations;
        lastLoss = loss;
    }

    private float[] readLastStage() {
        float[] last = new float[n];
        k.read((s - 1) * n, last, 0, n);
        return last;
    }

    @Override
    public Counters counters() {
        return new Counters(steps, gradientEvaluations, steps, rejectedTotal, h, lastLoss, 0);
    }

    @Override
    public OptimizerState state() {
        Map<String, float[]> arrays = OptimizerState.read(OptimizerState.buffers("v", v, "m", m));
        if (fsalValid) {
            arrays.put("fsal k", readLastStage());
            arrays.put("fsal loss", new float[] {losses.get(s - 1)});
        }
        Map<String, Double> sc = new LinkedHashMap<>();
        sc.put("steps", (double) steps);
        sc.put("gradientEvaluations", (double) gradientEvaluations);
        sc.put("rejected", (double) rejectedTotal);
        sc.put("h", h);
        sc.put("curvature", curvature);
        sc.put("gradNorm", gradNorm);
        sc.put("thetaNorm", thetaNorm);
        sc.put("previousError", previousError);
        sc.put("lastLoss", lastLoss);
        return new OptimizerState(spec.toString(), arrays, sc);
    }

    @Override
    public void restore(OptimizerState state) {
        state.restoreInto(spec, OptimizerState.buffers("v", v, "m", m));
        fsalValid = fsalPlan != null && state.arrays().containsKey("fsal k");
        if (fsalValid) {
            k.write((s - 1) * n, state.array("fsal k", n), 0, n);
            losses.set(s - 1, state.array("fsal loss", 1)[0]);
        }
        steps = (long) state.scalar("steps");
        gradientEvaluations = (long) state.scalar("gradientEvaluations");
        rejectedTotal = (long) state.scalar("rejected");
        h = state.scalar("h");
        curvature = state.scalar("curvature");
        gradNorm = state.scalar("gradNorm");
        thetaNorm = state.scalars().getOrDefault("thetaNorm", 0.0); // absent from states of earlier builds
        previousError = state.scalar("previousError");
        lastLoss = state.scalar("lastLoss");
    }

    @Override
    public void close() {
        for (Plan p : new Plan[] {stepPlan, probePlan, restorePlan, fsalPlan, retryPlan}) {
            if (p != null) {
                p.close();
            }
        }
    }
}
