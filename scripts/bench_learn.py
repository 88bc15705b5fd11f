"""Benchmarks of varieties.learn: training steps/s, power-sum vs dense layers, torch vs numpy.

Prints three tables (medians over ``--reps`` repetitions, all measured in this run):

1. steps per second of ``free``, ``tied`` and ``projected`` training on
   ``4,q4,q1`` and ``8,q8,q1`` (256 samples, S_n-invariant), numpy backend
   and torch on the CPU (and on CUDA when available);
2. one tied S_n-equivariant quadratic layer at n = 256, batch 4096: the
   power-sum kernel versus the dense ``einsum('bi,kij,bj->bk')`` over the
   ``n x n x n`` weight tensor (target ratio >= 50x), numpy and torch;
3. forward + backward of ``8,q8,q1`` at batch 4096, torch versus numpy.

BLAS threads are limited to ``--threads`` (default 1) before numpy is
imported, so that the numbers do not depend on the machine's load; the dense
baseline would gain up to the core count from more threads.
"""

from __future__ import annotations

import argparse
import os
import sys


def _threads(argv):
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "1"


if __name__ == "__main__":
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, _threads(sys.argv[1:]))

import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from varieties.learn import numpy_backend as nb  # noqa: E402
from varieties.learn import power_sum as ps  # noqa: E402
from varieties.learn import synthetic_data, train  # noqa: E402


def median_time(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def torch_devices():
    try:
        import torch
    except ImportError:
        return None, []
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    return torch, ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def bench_methods(reps: int, steps: int) -> pd.DataFrame:
    torch, devices = torch_devices()
    rows = []
    for spec in ("4,q4,q1", "8,q8,q1"):
        d = synthetic_data(spec, n_train=256, n_test=256, seed=0)
        backends = [("numpy", None)] + [("torch", dev) for dev in devices]
        for method in ("free", "tied", "projected"):
            for backend, dev in backends:
                # The first run pays one-off costs (constraint compilation, torch start-up).
                train(spec, "symmetric", "invariant", d.X, d.y, method=method, steps=2,
                      backend=backend, device=dev, X_test=d.X_test, y_test=d.y_test)
                sps = [train(spec, "symmetric", "invariant", d.X, d.y, method=method,
                             steps=steps, backend=backend, device=dev, X_test=d.X_test,
                             y_test=d.y_test).steps_per_second for _ in range(reps)]
                rows.append({"spec": spec, "method": method,
                             "backend": backend + (f"/{dev}" if dev else ""),
                             "steps_per_second": float(np.median(sps))})
    df = pd.DataFrame(rows)
    base = df[df.backend == "numpy"].set_index(["spec", "method"]).steps_per_second
    df["ratio_to_numpy"] = [r.steps_per_second / base[(r.spec, r.method)] for r in df.itertuples()]
    return df


def dense_equivariant_tensor(n: int, coef) -> np.ndarray:
    """The ``(n, n, n)`` upper-triangular weight tensor of the tied layer with ``coef``."""
    a, b, c, d = coef[:4]
    k, i, j = np.ix_(np.arange(n), np.arange(n), np.arange(n))
    upper = i <= j
    A = np.where(upper & (i == j) & (i == k), a, 0.0)
    A = A + np.where(upper & (i == j) & (i != k), b, 0.0)
    A = A + np.where(upper & (i < j) & ((i == k) | (j == k)), c, 0.0)
    A = A + np.where(upper & (i < j) & (i != k) & (j != k), d, 0.0)
    return A


def bench_layer(n: int, batch: int, reps: int, dense_rows: int) -> pd.DataFrame:
    """Power sums versus dense evaluation of one tied layer.

    The dense kernels cost ``O(batch n^3)`` and are linear in the batch, so
    they are timed on ``dense_rows`` rows and scaled to ``batch`` (stated in
    the table); the power-sum kernels run on the whole batch.
    """
    rng = np.random.default_rng(0)
    coef = rng.normal(size=7)
    X = rng.uniform(-1, 1, (batch, n))
    Xs = X[:dense_rows]
    A = dense_equivariant_tensor(n, coef)
    A2 = np.ascontiguousarray(A.transpose(1, 0, 2).reshape(n, n * n))
    lin = lambda Z: coef[4] * Z + coef[5] * (Z.sum(1, keepdims=True) - Z) + coef[6]
    dense = lambda: np.einsum("bi,kij,bj->bk", Xs, A, Xs, optimize=True) + lin(Xs)
    gemm = lambda: ((Xs @ A2).reshape(len(Xs), n, n) * Xs[:, None, :]).sum(-1) + lin(Xs)
    fast = lambda: ps.equivariant_layer(X, *coef)
    ref = fast()
    scale = batch / len(Xs)
    t_dense = median_time(dense, max(1, reps // 2)) * scale
    t_gemm = median_time(gemm, max(1, reps // 2)) * scale
    t_fast = median_time(fast, reps * 5)
    note = f"timed on {len(Xs)} rows x {scale:g}"
    rows = [{"kernel": "dense einsum (numpy)", "n": n, "batch": batch, "seconds": t_dense,
             "speedup_vs_dense": 1.0,
             "max_abs_diff": float(np.max(np.abs(dense() - ref[: len(Xs)]))), "note": note},
            {"kernel": "dense matmul (numpy BLAS)", "n": n, "batch": batch, "seconds": t_gemm,
             "speedup_vs_dense": t_dense / t_gemm,
             "max_abs_diff": float(np.max(np.abs(gemm() - ref[: len(Xs)]))), "note": note},
            {"kernel": "power sums (numpy)", "n": n, "batch": batch, "seconds": t_fast,
             "speedup_vs_dense": t_dense / t_fast, "max_abs_diff": 0.0, "note": ""}]
    torch, devices = torch_devices()
    for dev in devices:
        Xt = torch.as_tensor(X, device=dev)
        ct = [torch.as_tensor(v, device=dev) for v in coef]

        def run(Xt=Xt, ct=ct, dev=dev):
            out = ps.equivariant_layer(Xt, *ct)
            if dev == "cuda":
                torch.cuda.synchronize()
            return out

        got = run().cpu().numpy()
        t = median_time(run, reps * 5)
        rows.append({"kernel": f"power sums (torch/{dev})", "n": n, "batch": batch,
                     "seconds": t, "speedup_vs_dense": t_dense / t,
                     "max_abs_diff": float(np.max(np.abs(got - ref))), "note": ""})
    return pd.DataFrame(rows)


def bench_forward_backward(batch: int, reps: int) -> pd.DataFrame:
    spec = "8,q8,q1"
    d = synthetic_data(spec, n_train=batch, n_test=8, seed=0)
    w = np.random.default_rng(1).normal(size=len(nb.as_spec(spec).weights))
    t_np = median_time(lambda: nb.loss_and_grad(spec, w, d.X, d.y), reps * 3)
    rows = [{"backend": "numpy (hand-written backward)", "seconds": t_np, "speedup": 1.0}]
    torch, devices = torch_devices()
    if torch is not None:
        from varieties.learn.train import loss_grad_fn

        for dev in devices:
            for dtype in ("float64", "float32"):
                fn, _ = loss_grad_fn(nb.as_spec(spec), d.X, d.y, "torch", dev, dtype)
                fn(w)
                t = median_time(lambda: fn(w), reps * 3)
                rows.append({"backend": f"torch/{dev} {dtype} (autograd)", "seconds": t,
                             "speedup": t_np / t})
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--n", type=int, default=256)
    p.add_argument("--batch", type=int, default=4096)
    p.add_argument("--dense-rows", type=int, default=256,
                   help="rows on which the O(n^3) dense kernels are timed (then scaled)")
    p.add_argument("--threads", default="1", help="BLAS/torch threads (default 1)")
    args = p.parse_args(argv)
    fmt = lambda v: f"{v:.4g}"
    torch, devices = torch_devices()
    print(f"threads: {os.environ.get('OPENBLAS_NUM_THREADS')}; torch: "
          f"{'not installed' if torch is None else torch.__version__}; devices: "
          f"{', '.join(devices) or 'none'}")
    print("\n1. training steps per second (256 samples; median of", args.reps, "runs)")
    print(bench_methods(args.reps, args.steps).to_string(index=False, float_format=fmt))
    print(f"\n2. tied S_n-equivariant layer forward, n = {args.n}, batch {args.batch}")
    layer = bench_layer(args.n, args.batch, args.reps, args.dense_rows)
    print(layer.to_string(index=False, float_format=fmt))
    print(f"\n3. 8,q8,q1 loss + gradient, batch {args.batch}")
    print(bench_forward_backward(args.batch, args.reps).to_string(index=False, float_format=fmt))
    return 0


if __name__ == "__main__":
    import _benchdoc  # --write-docs: this table into docs/benchmarks.md

    raise SystemExit(_benchdoc.run(main, "bench_learn"))
