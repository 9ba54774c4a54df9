package io.rkflow.solvers.optim;

import io.rkflow.kernels.Device;
import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.FloatSlice;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
import io.rkflow.solvers.field.Objective;
import io.rkflow.solvers.tableau.ButcherTableau;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An implicit Runge–Kutta step on the preconditioned gradient flow: the s stage values solve
 * K = F(θ − h (A ⊗ I) K) with F = P ⊙ ∇L, by fixed-point iteration or Newton–Krylov (see
 * {@link StageSolver}); then θ ← θ − h Σ b_i k_i (or the momentum update on g* = Σ b_i k_i).
 *
 * <p>Every evaluation of F at all s stage points is one device plan; so are the vector operations
 * of GMRES on the s·n stage vectors (dot products, updates, the basis), driven by the host, which
 * keeps only the small Hessenberg matrix. P is frozen for the step from F(θ); the accumulator, θ
 * and momentum change only once the stages have converged, so a step that fails to converge
 * leaves everything as it was.
 *
 * <p>The stopping tests are relative (‖ΔK‖/‖K‖, ‖G(K)‖/‖K‖), so they hold at any scale of θ, and
 * read norms, never squared norms, from the device: a squared norm of fp32 stage values is 0 below
 * ‖K‖ ≈ 2.6e-23 and ∞ above ≈ 1.8e19, where 0/0 or ∞/∞ would decide convergence. The Arnoldi dot
 * products are between unit basis vectors and J·v_j, so they are O(1) whatever the scale.
 */
final class ImplicitRungeKuttaOptimizer implements Optimizer {

    private final Spec spec;
    private final ButcherTableau tableau;
    private final StageSolver solver;
    private final Objective objective;
    private final Device device;
    private final FloatSlice theta;
    private final int n;
    private final int s;
    private final int sn;

    private final FloatBuffer k;         // stage values K (s·n)
    private final FloatBuffer x;         // evaluation input X (s·n)
    private final FloatBuffer fx;        // F at X (s·n)
    private final FloatBuffer point;     // one stage point (n)
    private final FloatBuffer losses;    // s
    private final FloatBuffer coef;      // −h·a_ij (s·s), update weights (s)
    private final FloatBuffer scalars;   // δ, β2, momentum β, h
    private final FloatBuffer norms;     // two norms and the non-finite flag
    private final FloatBuffer constants; // 1, −1
    private final FloatBuffer v;
    private final FloatBuffer vNext;
    private final FloatBuffer m;
    private final FloatBuffer gStar;

    private final Plan initPlan;
    private final Plan fixedPointPlan;   // fx = F(k); ‖fx − k‖, ‖fx‖; k ← fx
    private final Plan updatePlan;
    private final Krylov krylov;

    private final float[] coefHost;
    private final float[] scalarHost = new float[4];
    private final float[] normHost = new float[3];

    private long steps;
    private long gradientEvaluations;
    private long stageIterations;
    private double lastH = Double.NaN;
    private double lastLoss = Double.NaN;

    ImplicitRungeKuttaOptimizer(Spec spec, Objective objective, FloatSlice theta) {
        this.spec = spec;
        this.tableau = spec.tableau();
        this.solver = spec.stageSolver();
        this.objective = objective;
        this.device = objective.device();
        this.theta = theta;
        this.n = objective.dimension();
        this.s = tableau.stages();
        this.sn = s * n;
        if (theta.length() != n || theta.buffer().device() != device) {
            throw new IllegalArgumentException("theta must have the objective's " + n + " parameters on device "
                    + device.id() + "; it has " + theta.length() + " on " + theta.buffer().device().id());
        }
        if (spec.freshBatch() && objective.batchSlots() < s) {
            throw new IllegalArgumentException("fresh_batch needs " + s + " batch slots for " + tableau.name()
                    + "'s stages; the objective has " + objective.batchSlots());
        }
        coefHost = new float[s * s + s];
        k = device.allocFloat("K", sn);
        x = device.allocFloat("stage iterate", sn);
        fx = device.allocFloat("F(stage iterate)", sn);
        point = device.allocFloat("stage point", n);
        losses = device.allocFloat("stage losses", s);
        coef = device.allocFloat("RK coefficients", coefHost.length);
        scalars = device.allocFloat("step scalars", 4);
        norms = device.allocFloat("norms", 3);
        constants = device.allocFloat("constants", 2);
        constants.write(new float[] {1f, -1f});
        Preconditioner pre = spec.preconditioner();
        v = pre.enabled() ? device.allocFloat("preconditioner v", n) : null;
        vNext = pre.enabled() ? device.allocFloat("preconditioner v this step", n) : null;
        m = spec.momentum().enabled() ? device.allocFloat("momentum", n) : null;
        gStar = m != null ? device.allocFloat("g*", n) : null;

        initPlan = recordInit();
        fixedPointPlan = solver.kind() == StageSolver.Kind.FIXED_POINT ? recordFixedPoint() : null;
        updatePlan = recordUpdate();
        krylov = solver.kind() == StageSolver.Kind.NEWTON_KRYLOV ? new Krylov() : null;
    }

    /** F(θ) into every stage: the starting iterate, and the frozen preconditioner for the step. */
    private Plan recordInit() {
        Graph g = device.graph(tableau.name() + " init");
        FloatSlice k0 = k.slice(0, n);
        objective.record(g, 0, theta, k0, losses.at(0));
        if (v != null) {
            g.copy(vNext.all(), v.all());
            StageRecording.accumulate(g, spec.preconditioner(), vNext.all(), k0, scalars.at(1));
            g.precondition(k0, k0, vNext.all(), scalars.at(0));
        }
        for (int i = 1; i < s; i++) {
            g.copy(k.slice(i * n, n), k0);
        }
        return g.hostWrites(scalars).hostReads(losses).compile();
    }

    /** Records out_i = P ⊙ ∇L(θ − h Σ_j a_ij in_j) for every stage i. */
    private void recordEvalInto(Graph g, FloatBuffer in, FloatBuffer out) {
        for (int i = 0; i < s; i++) {
            FloatSlice at = StageRecording.stagePoint(g, tableau, i, s, theta, in, point, coef);
            FloatSlice outI = out.slice(i * n, n);
            objective.record(g, spec.freshBatch() ? i : 0, at, outI, losses.at(i));
            if (v != null) {
                g.precondition(outI, outI, vNext.all(), scalars.at(0));
            }
        }
    }

    private Plan recordFixedPoint() {
        Graph g = device.graph(tableau.name() + " fixed-point sweep");
        recordEvalInto(g, k, fx);
        g.axpby(x.all(), constants.at(0), fx.all(), constants.at(1), k.all());
        g.norm(norms.at(0), x.all());
        g.norm(norms.at(1), fx.all());
        g.copy(k.all(), fx.all());
        return g.hostWrites(coef, scalars).hostReads(norms).compile();
    }

    private Plan recordUpdate() {
        Graph g = device.graph(tableau.name() + " update");
        StageRecording.update(g, spec, theta, k, coef.slice(s * s, s), m, gStar, scalars.slice(2, 2));
        if (v != null) {
            g.copy(v.all(), vNext.all());
        }
        g.nonFinite(norms.at(2), theta);
        return g.hostWrites(coef, scalars).hostReads(norms).compile();
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public StepReport step() {
        double h = spec.schedule().at(steps);
        Preconditioner pre = spec.preconditioner();
        double scale = pre.biasScale(steps + 1);
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
                coefHost[i * s + j] = (float) (-h * scale * tableau.a(i, j));
            }
            coefHost[s * s + i] = (float) (m != null ? scale * tableau.b(i) : -h * scale * tableau.b(i));
        }
        coef.write(coefHost);
        scalarHost[0] = (float) pre.kernelDelta(steps + 1);
        scalarHost[1] = (float) pre.beta2();
        scalarHost[2] = (float) spec.momentum().beta();
        scalarHost[3] = (float) h;
        scalars.write(scalarHost);

        initPlan.execute();
        int evaluations = 1;
        float loss = losses.get(0);
        int iterations = 0;
        double residual = Double.NaN;
        boolean converged = false;
        while (!converged && iterations < solver.maxIterations()) {
            iterations++;
            if (fixedPointPlan != null) {
                fixedPointPlan.execute();
                evaluations += s;
                norms.read(0, normHost, 0, 2);
                residual = relative(normHost[0], normHost[1]);
            } else {
                Krylov.Result r = krylov.newtonIteration();
                evaluations += r.evaluations();
                residual = r.residual();
            }
            converged = residual <= solver.tol();
        }
        stageIterations += iterations;
        if (!converged) {
            gradientEvaluations += evaluations;
            throw new StageSolverException(tableau.name() + " step " + steps + " (h = " + h + "): the " + solver
                    + " stage solve did not converge in " + iterations + " iterations, relative residual "
                    + residual + " > tol " + solver.tol() + "; θ and the optimizer state are unchanged."
                    + (solver.kind() == StageSolver.Kind.FIXED_POINT
                            ? " Fixed-point iteration diverges when h is large for the curvature; try newton(...)"
                            : " Raise max_iter or krylov, or lower h"));
        }
        updatePlan.execute();
        norms.read(0, normHost, 0, 3);
        steps++;
        gradientEvaluations += evaluations;
        lastH = h;
        lastLoss = loss;
        if (normHost[2] != 0) {
            throw new NonFiniteException(tableau.name() + " step " + (steps - 1) + " (h = " + h
                    + "): θ became NaN or infinite");
        }
        return new StepReport(loss, h, evaluations, 0, Double.NaN, iterations);
    }

    /**
     * num/den for a relative residual or step: 0 when num is 0 (nothing left to do, K = 0 included),
     * ∞ when only den is 0, NaN when either is. No floor on den: the test must not depend on the
     * scale of θ.
     */
    static double relative(double num, double den) {
        return num == 0 ? 0 : num / den;
    }

    /**
     * One Newton iteration on G(K) = K − F(θ − h (A ⊗ I) K): the residual r = −G(K), then one cycle
     * of GMRES(m) for J·δ = r with J·v ≈ v − (F(K + εv) − F(K))/ε, then K ← K + δ. Each vector
     * operation is a small device plan; the host keeps the Hessenberg matrix and the Givens
     * rotations.
     */
    private final class Krylov {

        /** The relative residual ‖G(K)‖/‖K‖ when it met tol, else the relative Newton step ‖δ‖/‖K‖. */
        record Result(double residual, int evaluations) {}

        private final int mMax = solver.krylov();
        private final FloatBuffer fk = device.allocFloat("F(K)", sn);
        private final FloatBuffer w = device.allocFloat("Arnoldi vector", sn);
        private final FloatBuffer basis = device.allocFloat("Krylov basis", (mMax + 1) * sn);
        private final FloatBuffer scalar = device.allocFloat("Krylov scalars", 4);
        private final FloatBuffer dots = device.allocFloat("Krylov dot", 1);
        private final FloatBuffer yCoef = device.allocFloat("Krylov solution", mMax);
        private final Plan residualPlan;
        private final Plan jvpPlan;
        private final List<Plan> directionPlans = new ArrayList<>();
        private final List<Plan> dotPlans = new ArrayList<>();
        private final List<Plan> orthogonalizePlans = new ArrayList<>();
        private final List<Plan> normalizePlans = new ArrayList<>();
        private final Plan normPlan;
        private final Plan correctPlan;
        private final float[] yHost = new float[mMax];

        Krylov() {
            // r = F(K) − K = −G(K); fk = F(K); norms ‖r‖, ‖K‖; w = r.
            Graph g = device.graph(tableau.name() + " Newton residual");
            g.copy(x.all(), k.all());
            recordEvalInto(g, x, fk);
            g.axpby(w.all(), constants.at(0), fk.all(), constants.at(1), k.all());
            g.norm(norms.at(0), w.all());
            g.norm(norms.at(1), k.all());
            residualPlan = g.hostWrites(coef, scalars).hostReads(norms).compile();
            // w = J·x_dir with x holding K + ε·v_j: w = v_j − (F(x) − F(K))/ε, where scalar = [ε, −1/ε, 1/ε].
            for (int j = 0; j <= mMax; j++) {
                FloatSlice vj = basis.slice(j * sn, sn);
                normalizePlans.add(device.graph("Krylov normalize " + j)
                        .scale(vj, scalar.at(3), w.all()).hostWrites(scalar).compile());
                if (j == mMax) {
                    break;
                }
                directionPlans.add(device.graph("Krylov direction " + j)
                        .combine(x.all(), k.all(), vj, sn, 1, scalar.at(0)).hostWrites(scalar).compile());
                dotPlans.add(device.graph("Krylov dot " + j).dot(dots.all(), w.all(), vj).hostReads(dots).compile());
                orthogonalizePlans.add(device.graph("Krylov orthogonalize " + j)
                        .axpby(w.all(), constants.at(0), w.all(), scalar.at(3), vj).hostWrites(scalar).compile());
            }
            Graph jvp = device.graph(tableau.name() + " Jacobian-vector product");
            recordEvalInto(jvp, x, fx);
            jvp.axpby(w.all(), scalar.at(1), fx.all(), scalar.at(2), fk.all()); // (F(K) − F(x))/ε
            jvpPlan = jvp.hostWrites(scalar, coef, scalars).compile();
            normPlan = device.graph("Krylov norm").norm(dots.all(), w.all()).hostReads(dots).compile();
            // K ← K + Σ_j y_j v_j (unused y_j are 0).
            correctPlan = device.graph("Newton correction")
                    .combine(k.all(), k.all(), basis.all(), sn, mMax, yCoef.all()).hostWrites(yCoef).compile();
        }

        Result newtonIteration() {
            residualPlan.execute();
            int evaluations = s;
            norms.read(0, normHost, 0, 2);
            double beta = normHost[0];
            double kNorm = normHost[1];
            double relative = relative(beta, kNorm);
            if (relative <= solver.tol() || !invertible(beta)) {
                // Converged, or a residual so small (below ~3e-39) that fp32 cannot scale it to a
                // unit vector: there is nothing to correct, and the caller reports the residual.
                return new Result(relative, evaluations);
            }
            // v_0 = r/β
            setScalar(3, (float) (1.0 / beta));
            normalizePlans.get(0).execute();
            double[][] hess = new double[mMax + 1][mMax];
            double[] cs = new double[mMax];
            double[] sn2 = new double[mMax];
            double[] gvec = new double[mMax + 1];
            gvec[0] = beta;
            int used = 0;
            // A perturbation of relative size ε: v_j has unit norm, K has norm kNorm.
            double eps = solver.epsilon() * Math.max(kNorm, 1e-3);
            for (int j = 0; j < mMax; j++) {
                // w = J v_j = v_j − (F(K + ε v_j) − F(K))/ε
                setScalars((float) eps, (float) (-1.0 / eps), (float) (1.0 / eps));
                directionPlans.get(j).execute();
                jvpPlan.execute();
                evaluations += s;
                setScalar(3, 1f);
                orthogonalizePlans.get(j).execute(); // w = w + 1·v_j
                for (int i = 0; i <= j; i++) {
                    dotPlans.get(i).execute();
                    double hij = dots.get(0);
                    hess[i][j] = hij;
                    setScalar(3, (float) -hij);
                    orthogonalizePlans.get(i).execute();
                }
                normPlan.execute();
                double hNext = dots.get(0);
                hess[j + 1][j] = hNext;
                for (int i = 0; i < j; i++) {
                    double t = cs[i] * hess[i][j] + sn2[i] * hess[i + 1][j];
                    hess[i + 1][j] = -sn2[i] * hess[i][j] + cs[i] * hess[i + 1][j];
                    hess[i][j] = t;
                }
                double r = Math.hypot(hess[j][j], hess[j + 1][j]);
                cs[j] = r == 0 ? 1 : hess[j][j] / r;
                sn2[j] = r == 0 ? 0 : hess[j + 1][j] / r;
                hess[j][j] = r;
                hess[j + 1][j] = 0;
                gvec[j + 1] = -sn2[j] * gvec[j];
                gvec[j] = cs[j] * gvec[j];
                used = j + 1;
                if (Math.abs(gvec[j + 1]) <= 1e-2 * beta || !invertible(hNext) || j + 1 == mMax) { // breakdown
                    break;
                }
                setScalar(3, (float) (1.0 / hNext));
                normalizePlans.get(j + 1).execute();
            }
            // Back substitution for y, then K ← K + V y.
            double[] y = new double[used];
            for (int i = used - 1; i >= 0; i--) {
                double t = gvec[i];
                for (int c = i + 1; c < used; c++) {
                    t -= hess[i][c] * y[c];
                }
                y[i] = t / hess[i][i];
            }
            java.util.Arrays.fill(yHost, 0f);
            double update = 0;
            for (int i = 0; i < used; i++) {
                yHost[i] = (float) y[i];
                update += y[i] * y[i];
            }
            yCoef.write(yHost);
            correctPlan.execute();
            // The basis is orthonormal, so ‖δ‖ = ‖y‖: Newton's step size, the usual stopping test once
            // fp32 round-off keeps the residual itself from falling further.
            return new Result(relative(Math.sqrt(update), kNorm), evaluations);
        }

        /** Whether 1/norm is a finite float, the scale that makes a vector of this norm a unit vector. */
        private static boolean invertible(double norm) {
            return norm > 0 && Float.isFinite((float) (1.0 / norm));
        }

        private final float[] scalarHost4 = new float[4];

        private void setScalar(int index, float value) {
            scalarHost4[index] = value;
            scalar.write(scalarHost4);
        }

        private void setScalars(float eps, float minusInv, float inv) {
            scalarHost4[0] = eps;
            scalarHost4[1] = minusInv;
            scalarHost4[2] = inv;
            scalar.write(scalarHost4);
        }

        void close() {
            residualPlan.close();
            jvpPlan.close();
            normPlan.close();
            correctPlan.close();
            for (List<Plan> list : List.of(directionPlans, dotPlans, orthogonalizePlans, normalizePlans)) {
                list.forEach(Plan::close);
            }
        }
    }

    @Override
    public Counters counters() {
        return new Counters(steps, gradientEvaluations, steps, 0, lastH, lastLoss, stageIterations);
    }

    @Override
    public OptimizerState state() {
        Map<String, float[]> arrays = OptimizerState.read(OptimizerState.buffers("v", v, "m", m));
        Map<String, Double> sc = new LinkedHashMap<>();
        sc.put("steps", (double) steps);
        sc.put("gradientEvaluations", (double) gradientEvaluations);
        sc.put("stageIterations", (double) stageIterations);
        sc.put("h", lastH);
        sc.put("lastLoss", lastLoss);
        return new OptimizerState(spec.toString(), arrays, sc);
    }

    @Override
    public void restore(OptimizerState state) {
        state.restoreInto(spec, OptimizerState.buffers("v", v, "m", m));
        steps = (long) state.scalar("steps");
        gradientEvaluations = (long) state.scalar("gradientEvaluations");
        stageIterations = (long) state.scalar("stageIterations");
        lastH = state.scalar("h");
        lastLoss = state.scalar("lastLoss");
    }

    @Override
    public void close() {
        for (Plan p : new Plan[] {initPlan, fixedPointPlan, updatePlan}) {
            if (p != null) {
                p.close();
            }
        }
        if (krylov != null) {
            krylov.close();
        }
    }
}
