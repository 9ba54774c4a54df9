package io.rkflow.models.nn;

import io.rkflow.kernels.FloatBuffer;
import io.rkflow.kernels.Graph;
import io.rkflow.kernels.Plan;
import io.rkflow.kernels.jvm.JvmDevice;
import io.rkflow.models.data.Batches;
import io.rkflow.models.data.Dataset;
import io.rkflow.models.data.FashionMnist;
import io.rkflow.solvers.optim.Optimizer;
import io.rkflow.solvers.optim.Spec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Measures DAL's finite-difference curvature ‖∇L(θ + ε·u) − ∇L(θ)‖ / ε, u = g/‖g‖, on a
 * Fashion-MNIST ReLU MLP in fp32 on the JVM device, for a range of probe lengths ε. Not a test: a
 * program, run from the test classes (see bench/peer/dal_probe_peer.py for the command line).
 *
 * <pre>
 *   DalProbeMeasurement export OUT_DIR [MODEL [STEPS]]
 *   DalProbeMeasurement trajectory SPEC STEPS EVERY [MODEL]
 * </pre>
 * {@code export} writes OUT_DIR/init (the initial weights) and OUT_DIR/trained (after STEPS
 * steps of rk4+h(0.1), default 50), each with theta.f32, grad.f32 (the fp32 gradient), x.f32,
 * y.i32 (raw little-endian), meta.txt (with {@link HostMlp}'s exact ξ) and fd32.csv: per ε the
 * forward difference, the central one and the ξ of {@code euler+dal(hg=fd,eps=ε)} itself.
 * bench/peer/dal_probe_peer.py adds PyTorch's double-backward ξ and prints the comparison.
 *
 * <p>{@code trajectory} trains with SPEC and, every EVERY steps on that step's batch, prints the
 * ratios to {@link HostMlp}'s exact ξ of several fp32 estimates over each ε (forward, central,
 * min(forward, backward), ...) and of the optimizer's default probe; then their distribution.
 * Defaults: 784-64-10:relu, batch 1024 ({@code -Dbatch=N}), data from
 * /usr/share/datasets/fashion-mnist ({@code -Ddata=DIR}), {@code -Dkinks=true} to count the
 * pre-activations whose sign the forward probe changes.
 */
public final class DalProbeMeasurement {

    static final double[] EPSILONS = {1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7};
    static final int BATCH = Integer.getInteger("batch", 1024);

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || !(args[0].equals("export") || args[0].equals("trajectory"))) {
            System.err.println("usage: DalProbeMeasurement export OUT_DIR [MODEL [STEPS]]\n"
                    + "       DalProbeMeasurement trajectory SPEC STEPS EVERY [MODEL]");
            System.exit(2);
        }
        boolean export = args[0].equals("export");
        ModelSpec spec = ModelSpec.parse(export ? (args.length > 2 ? args[2] : "784-64-10:relu")
                : (args.length > 4 ? args[4] : "784-64-10:relu"));
        String training = export ? "rk4+h(0.1)" : args[1];
        int steps = Integer.parseInt(export ? (args.length > 3 ? args[3] : "50") : args[2]);
        int every = export ? steps : Integer.parseInt(args[3]);
        Path data = Path.of(System.getProperty("data", FashionMnist.DEBIAN_FOLDER.toString()));
        Dataset[] sets = FashionMnist.load(data);
        Dataset train = sets[0].standardizedInPlace(sets[0].mean(), sets[0].std());
        Batches batches = new Batches(train.rows(), BATCH, 1);
        float[] x = new float[BATCH * spec.inputs()];
        int[] y = new int[BATCH];
        try (JvmDevice device = new JvmDevice(Math.max(1, Runtime.getRuntime().availableProcessors()))) {
            Network mlp = new Network(device, spec, BATCH, 1);
            float[] theta = mlp.initialParameters(1);
            batches.fill(train, 0, 0, x, y);
            Trajectory stats = new Trajectory();
            if (export) {
                measure(device, mlp, theta, x, y, Path.of(args[1]).resolve("init"), spec);
            }
            FloatBuffer t = device.allocFloat("theta", theta.length);
            t.write(theta);
            try (Optimizer o = Optimizer.create(Spec.parse(training), mlp, t.all())) {
                int perEpoch = batches.batchesPerEpoch();
                for (int step = 0; step <= steps; step++) {
                    float[] bx = new float[x.length];
                    int[] by = new int[BATCH];
                    batches.fill(train, step / perEpoch, step % perEpoch, bx, by);
                    if (!export && step % every == 0) {
                        stats.add(step, device, mlp, t.read(), bx, by, spec);
                        mlp.writeBatch(0, bx, by);
                    }
                    if (step == steps) {
                        break;
                    }
                    mlp.writeBatch(0, bx, by);
                    Optimizer.StepReport r = o.step();
                    if (step % 10 == 0 || step == steps - 1) {
                        System.err.printf(Locale.ROOT, "%s step %d loss %.4f h %.4g%n", training, step, r.loss(),
                                r.h());
                    }
                }
            }
            if (export) {
                measure(device, mlp, t.read(), x, y, Path.of(args[1]).resolve("trained"), spec);
            } else {
                stats.summary();
            }
        }
    }

    /** Probe lengths of a trajectory. */
    static final double[] TRAJECTORY_EPSILONS = {1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 1e-4, 1e-5, 3e-6, 1e-6};
    static final String[] ESTIMATORS = {"forward", "central", "min(fwd,bwd)", "min/along-u"};

    /**
     * Ratios of fp32 estimates to the exact ξ over the states of a training run: per ε the forward
     * difference ‖∇L(θ + εu) − g‖/ε, the central ‖∇L(θ + εu) − ∇L(θ − εu)‖/(2ε), the smaller of
     * the forward and backward ones, and that smaller one divided by the probe's length along u
     * as fp32 rounded it, (fl(θ ± εu) − θ)·u, instead of ε (a candidate that corrects fp32's
     * shortening of tiny probes); and the optimizer's own ξ with the default ε.
     */
    private static final class Trajectory {
        final List<double[][]> ratios = new ArrayList<>();
        final List<Double> defaults = new ArrayList<>();
        final boolean kinks = Boolean.getBoolean("kinks");

        void add(int step, JvmDevice device, Network mlp, float[] theta, float[] x, int[] y, ModelSpec spec) {
            HostMlp host = new HostMlp(spec.mlp(), x, y);
            double[] th = HostMlp.widen(theta);
            double exact = host.curvatureAlongGradient(th);
            mlp.writeBatch(0, x, y);
            int n = theta.length;
            FloatBuffer point = device.allocFloat("point", n);
            FloatBuffer grad = device.allocFloat("grad", n);
            FloatBuffer loss = device.allocFloat("loss", 1);
            Graph graph = device.graph("gradient");
            mlp.record(graph, 0, point.all(), grad.all(), loss.all());
            double[][] r = new double[ESTIMATORS.length][TRAJECTORY_EPSILONS.length];
            StringBuilder line;
            try (Plan plan = graph.hostReads(grad, loss).compile()) {
                float[] g = gradient(plan, point, grad, theta);
                double gNorm = norm(g);
                line = new StringBuilder(String.format(Locale.ROOT, "step %4d ||theta|| %.4g ||g|| %.4g exact %.5g |",
                        step, HostMlp.norm(th), gNorm, exact));
                for (int e = 0; e < TRAJECTORY_EPSILONS.length; e++) {
                    float delta = (float) (TRAJECTORY_EPSILONS[e] / gNorm);
                    float[] plus = new float[n];
                    float[] minus = new float[n];
                    double[] plusD = new double[n];
                    for (int i = 0; i < n; i++) {
                        plus[i] = theta[i] + delta * g[i];
                        minus[i] = theta[i] - delta * g[i];
                        plusD[i] = plus[i];
                    }
                    float[] gPlus = gradient(plan, point, grad, plus);
                    float[] gMinus = gradient(plan, point, grad, minus);
                    double fwd = 0, bwd = 0, ctr = 0, alongPlus = 0, alongMinus = 0;
                    for (int i = 0; i < n; i++) {
                        double f = (double) gPlus[i] - g[i];
                        double b = (double) g[i] - gMinus[i];
                        fwd += f * f;
                        bwd += b * b;
                        ctr += (f + b) * (f + b);
                        alongPlus += ((double) plus[i] - theta[i]) * g[i] / gNorm;
                        alongMinus += ((double) theta[i] - minus[i]) * g[i] / gNorm;
                    }
                    double scale = delta * gNorm * exact;
                    r[0][e] = Math.sqrt(fwd) / scale;
                    r[1][e] = Math.sqrt(ctr) / (2 * scale);
                    r[2][e] = Math.sqrt(Math.min(fwd, bwd)) / scale;
                    r[3][e] = Math.min(Math.sqrt(fwd) / alongPlus, Math.sqrt(bwd) / alongMinus) / exact;
                    line.append(String.format(Locale.ROOT, " %.3f", r[0][e]));
                    if (kinks && TRAJECTORY_EPSILONS[e] <= 1e-3) {
                        line.append('(').append(host.kinksBetween(th, plusD)).append(')');
                    }
                }
            }
            double opt = throughOptimizer(device, mlp, theta, Double.NaN) / exact;
            line.append(String.format(Locale.ROOT, " | default %.3f", opt));
            ratios.add(r);
            defaults.add(opt);
            System.out.println(line);
        }

        void summary() {
            System.out.printf(Locale.ROOT, "%-13s %-6s %7s %7s %7s %9s %9s%n", "estimator", "eps", "min", "median",
                    "max", "max|r-1|", "|r-1|>10%");
            for (int k = 0; k < ESTIMATORS.length; k++) {
                for (int e = 0; e < TRAJECTORY_EPSILONS.length; e++) {
                    double[] v = new double[ratios.size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = ratios.get(i)[k][e];
                    }
                    row(ESTIMATORS[k], String.format(Locale.ROOT, "%.0e", TRAJECTORY_EPSILONS[e]), v);
                }
            }
            row("optimizer", "dflt", defaults.stream().mapToDouble(Double::doubleValue).toArray());
        }

        private static void row(String estimator, String eps, double[] v) {
            Arrays.sort(v);
            double worst = 0;
            int bad = 0;
            for (double d : v) {
                worst = Math.max(worst, Math.abs(d - 1));
                bad += Math.abs(d - 1) > 0.1 ? 1 : 0;
            }
            System.out.printf(Locale.ROOT, "%-13s %-6s %7.3f %7.3f %7.3f %9.3f %6d/%d%n", estimator, eps, v[0],
                    v[v.length / 2], v[v.length - 1], worst, bad, v.length);
        }
    }

    private static void measure(JvmDevice device, Network mlp, float[] theta, float[] x, int[] y, Path dir, ModelSpec spec)
            throws IOException {
        Files.createDirectories(dir);
        mlp.writeBatch(0, x, y);
        int n = theta.length;
        FloatBuffer point = device.allocFloat("point", n);
        FloatBuffer grad = device.allocFloat("grad", n);
        FloatBuffer loss = device.allocFloat("loss", 1);
        Graph graph = device.graph("gradient");
        mlp.record(graph, 0, point.all(), grad.all(), loss.all());
        try (Plan plan = graph.hostReads(grad, loss).compile();
                PrintStream csv = new PrintStream(Files.newOutputStream(dir.resolve("fd32.csv")), true, "UTF-8")) {
            float[] g = gradient(plan, point, grad, theta);
            double gNorm = norm(g);
            csv.println("eps,forward,central,optimizer,displacement");
            for (double eps : EPSILONS) {
                float delta = (float) (eps / gNorm);
                float[] plus = new float[n];
                float[] minus = new float[n];
                double displacement = 0;
                for (int i = 0; i < n; i++) {
                    plus[i] = theta[i] + delta * g[i];
                    minus[i] = theta[i] - delta * g[i];
                    double d = (double) plus[i] - theta[i];
                    displacement += d * d;
                }
                float[] gPlus = gradient(plan, point, grad, plus);
                float[] gMinus = gradient(plan, point, grad, minus);
                double forward = 0, central = 0;
                for (int i = 0; i < n; i++) {
                    double f = (double) gPlus[i] - g[i];
                    double c = (double) gPlus[i] - gMinus[i];
                    forward += f * f;
                    central += c * c;
                }
                forward = Math.sqrt(forward) / (delta * gNorm);
                central = Math.sqrt(central) / (2 * delta * gNorm);
                double optimizer = throughOptimizer(device, mlp, theta, eps);
                csv.printf(Locale.ROOT, "%g,%.8g,%.8g,%.8g,%.8g%n", eps, forward, central, optimizer,
                        Math.sqrt(displacement));
                System.err.printf(Locale.ROOT, "%s eps %g: forward %.5g central %.5g optimizer %.5g%n",
                        dir.getFileName(), eps, forward, central, optimizer);
            }
            write(dir.resolve("theta.f32"), theta);
            write(dir.resolve("grad.f32"), g);
            write(dir.resolve("x.f32"), x);
            ByteBuffer b = ByteBuffer.allocate(4 * y.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : y) {
                b.putInt(v);
            }
            Files.write(dir.resolve("y.i32"), b.array());
            double host = new HostMlp(spec.mlp(), x, y).curvatureAlongGradient(HostMlp.widen(theta));
            Files.writeString(dir.resolve("meta.txt"), "model=" + spec + "\nbatch=" + y.length + "\nloss="
                    + loss.get(0) + "\nhost_exact=" + host + "\n");
        }
    }

    /**
     * ξ as {@code euler+dal(hg=fd,eps=ε)} (NaN: the default ε) measures it at θ: one step from θ teaches the optimizer
     * ‖g‖ and ‖θ‖, then θ is put back and the second step's probe is the one a run takes.
     */
    private static double throughOptimizer(JvmDevice device, Network mlp, float[] theta, double eps) {
        FloatBuffer t = device.allocFloat("theta copy", theta.length);
        t.write(theta);
        String dal = Double.isNaN(eps) ? "dal(hg=fd)" : "dal(hg=fd,eps=" + eps + ")";
        try (Optimizer o = Optimizer.create(Spec.parse("euler+" + dal), mlp, t.all())) {
            o.step();
            t.write(theta);
            o.step();
            return o.state().scalars().get("curvature");
        }
    }

    private static float[] gradient(Plan plan, FloatBuffer point, FloatBuffer grad, float[] at) {
        point.write(at);
        plan.execute();
        return grad.read();
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
    }

    private static void write(Path file, float[] v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        Files.write(file, b.array());
    }
}
