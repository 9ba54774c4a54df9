#!/usr/bin/python3
"""The exact curvature DAL's finite-difference probe estimates, by PyTorch autograd, beside rkflow's.

rkflow's dal(hg=fd) takes xi = ||grad L(theta + eps*u) - grad L(theta)|| / eps, u = g/||g||, as the
curvature ||Hg||/||g|| along the gradient. This script reads what
io.rkflow.models.nn.DalProbeMeasurement (models' test classes) wrote for one or more weight states,
each a folder with theta.f32, grad.f32, x.f32, y.i32 (raw little-endian), meta.txt and fd32.csv
(rkflow's fp32 estimates), and prints, for every probe length eps:

  fd32 fwd / ctr / opt  rkflow's fp32 forward and central differences, and the optimizer's own xi
  fd64 fwd / ctr        the same differences in double precision (no rounding: only the ReLU kinks)
  kinks                 hidden pre-activations (over the batch) whose sign differs at theta + eps*u
  ratio                 fd32 forward (and the optimizer's xi) over the exact value

The exact value is ||H g|| / ||g|| with H g from double backward (a Hessian-vector product) in
float64; ReLU'' = 0, so it is the Hessian of theta's linear region. From the repository root:

    ./mvnw -B -q -pl models -am test-compile
    J=~/.m2/repository/com/fasterxml/jackson/core
    CP=kernels/target/classes:solvers/target/classes:models/target/classes:models/target/test-classes
    CP=$CP:$J/jackson-databind/2.22.3/jackson-databind-2.22.3.jar:$J/jackson-core/2.22.3/jackson-core-2.22.3.jar
    CP=$CP:$J/jackson-annotations/2.22/jackson-annotations-2.22.jar
    java --add-modules jdk.incubator.vector -Xmx4g -cp $CP io.rkflow.models.nn.DalProbeMeasurement \
        export /tmp/dal 784-64-10:relu 50
    /usr/bin/python3 bench/peer/dal_probe_peer.py /tmp/dal/init /tmp/dal/trained

(Debian's interpreter with python3-torch.) The same program's "trajectory" mode follows a
training run instead, against rkflow's own double-precision reference (HostMlp), which agrees with
this script's autograd value to 8 digits.
"""
import csv
import os
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)


def load(folder):
    meta = dict(line.split("=", 1) for line in open(os.path.join(folder, "meta.txt")).read().split())
    model, _, activation = meta["model"].partition(":")
    if activation not in ("", "relu"):
        raise SystemExit("%s: model %s; this script knows relu MLPs only" % (folder, meta["model"]))
    widths = [int(w) for w in model.split("-")]
    batch = int(meta["batch"])

    def raw(name, dtype):
        return torch.from_numpy(np.fromfile(os.path.join(folder, name), dtype=dtype).astype(np.float64)
                                if dtype == "<f4" else np.fromfile(os.path.join(folder, name), dtype=dtype))

    theta = raw("theta.f32", "<f4")
    grad32 = raw("grad.f32", "<f4")
    x = raw("x.f32", "<f4").view(batch, widths[0])
    y = raw("y.i32", "<i4").long()
    rows = list(csv.DictReader(open(os.path.join(folder, "fd32.csv"))))
    return widths, theta, grad32, x, y, rows, float(meta.get("host_exact", "nan"))


class Mlp:
    """rkflow's layout: per layer a row-major (in x out) weight matrix, then its biases."""

    def __init__(self, widths, x, y):
        self.x, self.y = x, y
        self.layers = []
        off = 0
        for i, o in zip(widths[:-1], widths[1:]):
            self.layers.append((off, i, o))
            off += i * o + o
        self.n = off

    def forward(self, p, x=None):
        """The mean cross-entropy at p and the hidden pre-activations."""
        a = self.x if x is None else x
        pre = []
        for l, (off, i, o) in enumerate(self.layers):
            a = torch.addmm(p[off + i * o:off + i * o + o], a, p[off:off + i * o].view(i, o))
            if l < len(self.layers) - 1:
                pre.append(a)
                a = torch.relu(a)
        return torch.nn.functional.cross_entropy(a, self.y), pre

    def gradient(self, point, create_graph=False):
        p = point if create_graph else point.detach().requires_grad_(True)
        loss, _ = self.forward(p)
        return torch.autograd.grad(loss, p, create_graph=create_graph)[0]

    def hvp(self, point, v):
        """H v by double backward at point."""
        p = point.detach().requires_grad_(True)
        g = self.gradient(p, create_graph=True)
        return torch.autograd.grad(g @ v, p)[0]

    def kinks(self, a, b):
        """Hidden pre-activations with a different sign at a and at b."""
        with torch.no_grad():
            _, pa = self.forward(a)
            _, pb = self.forward(b)
            return sum(int(((za > 0) != (zb > 0)).sum()) for za, zb in zip(pa, pb))


def report(folder):
    widths, theta, grad32, x, y, rows, host_exact = load(folder)
    mlp = Mlp(widths, x, y)
    g = mlp.gradient(theta)
    hg = mlp.hvp(theta, g)
    exact = float(hg.norm() / g.norm())
    hg32 = Mlp(widths, x.float(), y).hvp(theta.float(), g.float())
    exact32 = float(hg32.norm().double() / g.norm())
    u = g / g.norm()
    print("%s: %s, batch %d, ||theta|| = %.4g, ||g|| = %.4g, hidden pre-activations %d" % (
        folder, "-".join(map(str, widths)), x.shape[0], float(theta.norm()), float(g.norm()),
        x.shape[0] * sum(widths[1:-1])))
    print("  exact ||Hg||/||g|| (autograd, float64) = %.8g; autograd in float32: %.6g; rkflow's HostMlp: %.8g"
          % (exact, exact32, host_exact))
    print("  rkflow's fp32 gradient vs float64: ||g32 - g64|| / ||g64|| = %.3g" % float(
        (grad32 - g).norm() / g.norm()))
    print("  %-8s %10s %10s %10s %10s %10s %7s %8s %8s" % ("eps", "fd32 fwd", "fd32 ctr", "fd32 opt", "fd64 fwd",
                                                         "fd64 ctr", "kinks", "fwd/ex", "opt/ex"))
    for r in rows:
        eps = float(r["eps"])
        gp = mlp.gradient(theta + eps * u)
        gm = mlp.gradient(theta - eps * u)
        fwd64 = float((gp - g).norm()) / eps
        ctr64 = float((gp - gm).norm()) / (2 * eps)
        f32, c32, o32 = float(r["forward"]), float(r["central"]), float(r["optimizer"])
        print("  %-8.0e %10.5g %10.5g %10.5g %10.5g %10.5g %7d %8.3f %8.3f" % (
            eps, f32, c32, o32, fwd64, ctr64, mlp.kinks(theta, theta + eps * u), f32 / exact, o32 / exact))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    for d in sys.argv[1:]:
        report(d)
