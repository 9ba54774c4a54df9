#!/usr/bin/python3
"""The PyTorch CPU peer of ./bench.sh: the same GEMM shapes and MLP training work, timed the same way.

Run with Debian's interpreter and packages (python3-torch, and libopenblas0-pthread so that
PyTorch's BLAS is OpenBLAS, not the reference BLAS):

    /usr/bin/python3 bench/peer/pytorch_peer.py [--threads N] [--quick]

Prints GEMM GFLOP/s (2mnk / median time) for the shapes of bench/GemmBenchmark, the gradient
evaluation of an MLP (forward, softmax cross-entropy, backward) and an RK4 step (four evaluations,
the stage points and the update on flat parameters, as rkflow records it), each the median of
repeated timed runs after a warm-up.
"""
import argparse
import ctypes
import glob
import os
import platform
import statistics
import time

import torch

GEMM_SHAPES = [  # form, m, n, k as in rkflow's GemmBenchmark (row major, C is m x n)
    ("NN", 512, 512, 512),
    ("NN", 128, 1024, 784), ("NN", 128, 1024, 1024), ("NN", 128, 10, 1024),
    ("NT", 128, 1024, 1024), ("NT", 128, 784, 1024), ("NT", 128, 1024, 10),
    ("TN", 784, 1024, 128), ("TN", 1024, 1024, 128), ("TN", 1024, 10, 128),
]


def timed(fn, repeats, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def blas_name():
    for lib in glob.glob("/usr/lib/x86_64-linux-gnu/libblas.so.3"):
        try:
            cdll = ctypes.CDLL(lib)
            if hasattr(cdll, "openblas_get_config"):
                cdll.openblas_get_config.restype = ctypes.c_char_p
                return "" + cdll.openblas_get_config().decode()
        except OSError:
            pass
    return "not OpenBLAS (install libopenblas0-pthread)"


def gemm_table(repeats):
    print("GEMM, fp32 (GFLOP/s = 2mnk / time; median and best of %d)" % repeats)
    print("%-6s %6s %6s %6s %12s %10s %10s" % ("form", "m", "n", "k", "median us", "GFLOP/s", "best"))
    for form, m, n, k in GEMM_SHAPES:
        a = torch.randn(k, m) if form == "TN" else torch.randn(m, k)
        b = torch.randn(n, k) if form == "NT" else torch.randn(k, n)
        c = torch.empty(m, n)
        if form == "NN":
            fn = lambda: torch.mm(a, b, out=c)
        elif form == "NT":
            fn = lambda: torch.mm(a, b.t(), out=c)
        else:
            fn = lambda: torch.mm(a.t(), b, out=c)
        med, best = timed(fn, repeats, 10)
        flops = 2.0 * m * n * k
        print("%-6s %6d %6d %6d %12.2f %10.1f %10.1f" % (form, m, n, k, med * 1e6, flops / med / 1e9,
                                                        flops / best / 1e9))


class Mlp:
    """An MLP on one flat parameter vector, weights (in x out) row major then biases, as rkflow lays them out."""

    def __init__(self, widths, batch):
        self.widths = widths
        sizes = [(widths[i], widths[i + 1]) for i in range(len(widths) - 1)]
        self.n = sum(i * o + o for i, o in sizes)
        self.theta = torch.empty(self.n)
        off = 0
        self.layers = []
        g = torch.Generator().manual_seed(1)
        for i, o in sizes:
            limit = (6.0 / i) ** 0.5
            self.theta[off:off + i * o] = (torch.rand(i * o, generator=g) * 2 - 1) * limit
            self.theta[off + i * o:off + i * o + o] = 0
            self.layers.append((off, i, o))
            off += i * o + o
        self.x = torch.randn(batch, widths[0], generator=g)
        self.y = torch.randint(0, widths[-1], (batch,), generator=g)
        self.flops = sum(6.0 * batch * i * o for i, o in sizes)  # rkflow's count (MlpSpec.gradientFlops)

    def gradient(self, point):
        """The mean loss and its gradient at point, by autograd (forward + backward)."""
        p = point.detach().requires_grad_(True)
        a = self.x
        for l, (off, i, o) in enumerate(self.layers):
            w = p[off:off + i * o].view(i, o)
            b = p[off + i * o:off + i * o + o]
            a = torch.addmm(b, a, w)
            if l < len(self.layers) - 1:
                a = torch.relu(a)
        loss = torch.nn.functional.cross_entropy(a, self.y)
        loss.backward()
        return loss.detach(), p.grad


def training(model, batch, repeats):
    widths = [int(w) for w in model.split("-")]
    mlp = Mlp(widths, batch)
    h = 0.05
    k = torch.empty(4, mlp.n)
    point = torch.empty(mlp.n)

    def rk4_step():
        theta = mlp.theta
        _, k[0] = mlp.gradient(theta)
        torch.add(theta, k[0], alpha=-h / 2, out=point)
        _, k[1] = mlp.gradient(point)
        torch.add(theta, k[1], alpha=-h / 2, out=point)
        _, k[2] = mlp.gradient(point)
        torch.add(theta, k[2], alpha=-h, out=point)
        _, k[3] = mlp.gradient(point)
        # theta -= h (k1 + 2 k2 + 2 k3 + k4) / 6, and the non-finite check rkflow's step also does
        theta.add_(k[0] + 2 * k[1] + 2 * k[2] + k[3], alpha=-h / 6)
        return bool(torch.isfinite(theta).all())

    grad_med, grad_best = timed(lambda: mlp.gradient(mlp.theta), repeats, 10)
    step_med, step_best = timed(rk4_step, max(5, repeats // 4), 3)
    print("Training: MLP %s at batch %d (%.3f GFLOP per gradient evaluation)" % (model, batch, mlp.flops / 1e9))
    print("  gradient evaluation  %8.2f ms median (%.2f best)  %6.1f GFLOP/s" % (grad_med * 1e3, grad_best * 1e3,
                                                                              mlp.flops / grad_med / 1e9))
    print("  rk4+h(0.05) step     %8.2f ms median (%.2f best)" % (step_med * 1e3, step_best * 1e3))


def cnn(batch, repeats):
    """rkflow's README CNN (bench CnnBenchmark.MODEL) as nn.Sequential: forward + backward of the mean loss."""
    nn = torch.nn
    g = torch.Generator().manual_seed(1)
    model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(7 * 7 * 64, 128), nn.ReLU(), nn.Dropout(0.25), nn.Linear(128, 10))
    model.train()
    x = torch.randn(batch, 1, 28, 28, generator=g)
    y = torch.randint(0, 10, (batch,), generator=g)
    macs = 28 * 28 * 9 * 32 + 14 * 14 * 288 * 64 + 3136 * 128 + 128 * 10
    flops = 6.0 * batch * macs  # rkflow's count (ModelSpec.gradientFlops)

    def gradient():
        model.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()

    med, best = timed(gradient, max(10, repeats // 4), 5)
    print("CNN: %s at batch %d (%.3f GFLOP per gradient evaluation)" % (
        "conv(32,3,pad=1)-relu-maxpool(2)-conv(64,3,pad=1)-relu-maxpool(2)-flatten-dense(128)-relu-dropout(0.25)"
        "-dense(10)", batch, flops / 1e9))
    print("  gradient evaluation  %8.2f ms median (%.2f best)  %6.1f GFLOP/s  %8.0f images/s" % (
        med * 1e3, best * 1e3, flops / med / 1e9, batch / med))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="intra-op threads (default: all cores)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    threads = args.threads or os.cpu_count()
    torch.set_num_threads(threads)
    repeats = 20 if args.quick else 100
    capability = [line.split(":")[1].strip() for line in torch.__config__.show().splitlines()
                  if "CPU capability usage" in line]
    print("PyTorch %s CPU peer, %d threads, %s, CPU capability %s, %s" % (
        torch.__version__, torch.get_num_threads(), blas_name(), capability[0] if capability else "?",
        platform.machine()))
    gemm_table(repeats)
    print()
    for model, batch in (("784-128-10", 64), ("784-1024-1024-10", 128)):
        training(model, batch, repeats)
    print()
    cnn(128, repeats)


if __name__ == "__main__":
    main()
