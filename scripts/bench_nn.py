"""Benchmarks of varieties.nn: module forward, a 256-wide layer, projected steps on the device.

Prints five tables (medians over ``--reps`` repetitions, every ratio against a
baseline measured in the same run):

1. construction time of ``SymmetricNetwork`` (S_n at n = 256, other groups
   at n = 32 and 256, and S_n and D_n at n = 256 given as custom groups by two
   generators: S_n is recognised without its order, see
   :meth:`varieties.groups.PermutationGroup.is_symmetric`);
2. ``64,q64,q1`` forward at batch 4096: the module (power sums) against the
   dense reference evaluator ``varieties.learn.forward`` at the same weights
   (target: >= 50x), and against the dense torch forward;
3. a 256-wide S_n-equivariant quadratic layer (``256,q256``), forward plus
   backward: the module against a dense ``nn.Linear``-style quadratic layer
   (features ``o_i o_j``, then a linear map), the dense one timed on
   ``--dense-rows`` and twice as many rows and extrapolated linearly to the
   batch (its memory grows as ``batch * n^2 / 2``);
4. projected steps of ``8,q8,q1`` (256 samples): the numpy path against the
   torch path on the CPU (and CUDA when present), steps per second, both the
   bare step (gradient, projection, retraction) and ``train``'s loop;
5. cyclic and dihedral ``n,qn,q1`` and ``n,qn,qn`` at n = 64, 128, 256:
   construction against the ``S_n`` module's of the same spec, and forward
   (orbit path, ``--orbit-batch`` rows) against the same module's parameters
   gathered into dense weights.

Threads: BLAS and torch are limited to ``--threads`` (default 1) before numpy
is imported, so that numbers do not swing with the machine's load.
"""

from __future__ import annotations

import argparse
import os


if __name__ == "__main__":
    # Before numpy is imported: BLAS reads its thread count once.
    _pre = argparse.ArgumentParser(add_help=False)
    _pre.add_argument("--threads", default="1")
    os.environ.update({var: os.environ.get(var, _pre.parse_known_args()[0].threads)
                       for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")})

import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from varieties.learn import numpy_backend as nb  # noqa: E402
from varieties.learn import synthetic_data, train  # noqa: E402
from varieties.learn.train import Adam, loss_grad_fn  # noqa: E402
from varieties.nn import SymmetricNetwork  # noqa: E402
from varieties.nn import projection as tpj  # noqa: E402


def devices():
    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def sync(dev):
    if dev == "cuda":
        torch.cuda.synchronize()


def median_time(fn, reps: int, dev: str = "cpu") -> float:
    fn()
    sync(dev)
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        sync(dev)
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def _custom(n: int, which: str):
    """``S_n`` or ``D_n`` given as a custom group by generators (recognised, or not, as S_n)."""
    from varieties.groups import from_generators

    cyc = [(i + 1) % n for i in range(n)]
    other = [1, 0] + list(range(2, n)) if which == "S" else [(-i) % n for i in range(n)]
    return from_generators(n, [other, cyc])


def bench_construction(reps: int) -> pd.DataFrame:
    """Construction, the group's own too for the custom ones (given by two generators)."""
    rows = []
    for spec, group in (("256,q256,q1", "symmetric"), ("256,q256", "symmetric"),
                        ("32,q32,q1", "cyclic"), ("32,q32,q32", "dihedral"),
                        ("256,q256", "cyclic"), ("256,q256", "dihedral"),
                        ("256,q256", "hyperoctahedral"), ("256,q256", "custom S_n"),
                        ("256,q256,q1", "custom S_n"), ("256,q256", "custom D_n")):
        make = ((lambda: SymmetricNetwork(spec, _custom(256, group[7])))
                if group.startswith("custom") else (lambda: SymmetricNetwork(spec, group)))
        t = median_time(make, reps)
        m = make()
        rows.append({"spec": spec, "group": group, "params": m.n_params,
                     "weights": m.spec.n_weights, "construction_ms": 1e3 * t})
    return pd.DataFrame(rows)


def bench_orbit_groups(batch: int, reps: int) -> pd.DataFrame:
    """Cyclic/dihedral ``n,qn,q1`` and ``n,qn,qn``: construction against ``S_n``'s, forward
    (orbit path) against the gathered dense path of the same module."""
    from varieties.nn import layers as ly

    rows = []
    for n in (64, 128, 256):
        for template, kind in (("{n},q{n},q1", "invariant"), ("{n},q{n},q{n}", "equivariant")):
            spec = template.format(n=n)
            if kind == "equivariant" and n == 256:
                continue  # 17 million weights: over NetworkSpec's limit
            t_sn = median_time(lambda: SymmetricNetwork(spec, "symmetric", kind), reps)
            X = torch.as_tensor(np.random.default_rng(0).uniform(-1, 1, (batch, n)))
            for group in ("cyclic", "dihedral"):
                t_c = median_time(lambda: SymmetricNetwork(spec, group, kind), reps)
                torch.manual_seed(0)
                m = SymmetricNetwork(spec, group, kind)
                limit = ly.ORBIT_DENSE_MAX_WEIGHTS
                ly.ORBIT_DENSE_MAX_WEIGHTS = 10 ** 12   # the same parameters, gathered densely
                try:
                    md = SymmetricNetwork(spec, group, kind)
                finally:
                    ly.ORBIT_DENSE_MAX_WEIGHTS = limit
                md.load_state_dict(m.state_dict())
                with torch.no_grad():
                    t_f = median_time(lambda: m(X), reps)
                    t_d = median_time(lambda: md(X), reps)
                    diff = float((m(X) - md(X)).abs().max() / md(X).abs().max())
                rows.append({"spec": spec, "group": group, "params": m.n_params,
                             "construction_ms": 1e3 * t_c, "S_n_construction_ms": 1e3 * t_sn,
                             "ratio_to_S_n": t_c / t_sn, "forward_ms": 1e3 * t_f,
                             "dense_forward_ms": 1e3 * t_d, "speedup_vs_dense": t_d / t_f,
                             "max_rel_diff": diff})
    return pd.DataFrame(rows)


def bench_forward(batch: int, reps: int) -> pd.DataFrame:
    spec = "64,q64,q1"
    torch.manual_seed(0)
    m = SymmetricNetwork(spec)
    X = np.random.default_rng(0).uniform(-1, 1, (batch, 64))
    w = m.weights().detach().numpy()
    ref = nb.forward(spec, w, X)
    t_dense = median_time(lambda: nb.forward(spec, w, X), max(1, reps // 2))
    rows = [{"forward": "dense reference learn.forward (numpy)", "device": "cpu",
             "seconds": t_dense, "speedup_vs_dense": 1.0, "max_rel_diff": 0.0}]
    from varieties.learn.torch_backend import TorchNet

    for dev in devices():
        md = SymmetricNetwork(spec).to(dev)
        md.load_weights_(w)
        Xt = torch.as_tensor(X, device=dev)
        net = TorchNet(spec, device=dev)
        wt = net.tensor(w)
        with torch.no_grad():
            got = md(Xt).cpu().numpy()
            t_mod = median_time(lambda: md(Xt), reps * 3, dev)
            t_tn = median_time(lambda: net.forward(wt, Xt), max(1, reps // 2), dev)
        scale = np.abs(ref).max()
        rows += [{"forward": "dense torch (TorchNet)", "device": dev, "seconds": t_tn,
                  "speedup_vs_dense": t_dense / t_tn, "max_rel_diff": np.nan},
                 {"forward": "SymmetricNetwork (power sums)", "device": dev, "seconds": t_mod,
                  "speedup_vs_dense": t_dense / t_mod,
                  "max_rel_diff": float(np.abs(got - ref).max() / scale)}]
    return pd.DataFrame(rows)


def bench_wide_layer(n: int, batch: int, dense_rows: int, reps: int) -> pd.DataFrame:
    rows = []
    for dev in devices():
        for dtype in (torch.float64, torch.float32):
            m = SymmetricNetwork(f"{n},q{n}", dtype=dtype).to(dev)
            X = torch.rand(batch, n, dtype=dtype, device=dev) * 2 - 1

            def fb(m=m, X=X):
                m.zero_grad()
                m(X).square().mean().backward()

            t_mod = median_time(fb, reps * 3, dev)
            # Dense quadratic layer: features o_i o_j (i <= j), then a Linear map.
            I, J = torch.triu_indices(n, n, device=dev)
            lin = torch.nn.Linear(len(I) + n, n, dtype=dtype, device=dev)

            def dense(rows, lin=lin, X=X, I=I, J=J):
                Xs = X[:rows]
                lin.zero_grad()
                feats = torch.cat([Xs[:, I] * Xs[:, J], Xs], 1)
                lin(feats).square().mean().backward()

            # The weight gradient costs the same at any batch: time two row counts and
            # extrapolate linearly to the batch, unless the whole batch is asked for.
            r1, r2 = min(dense_rows, batch), min(2 * dense_rows, batch)
            t1 = median_time(lambda: dense(r1), max(1, reps), dev)
            t2 = t1 if r2 == r1 else median_time(lambda: dense(r2), max(1, reps), dev)
            t_dense = t1 if r1 == batch else t1 + (t2 - t1) * (batch - r1) / (r2 - r1)
            note = ("whole batch" if r1 == batch else
                    f"linear from {r1} and {r2} rows ({1e3 * t1:.3g}, {1e3 * t2:.3g} ms)")
            name = str(dtype).removeprefix("torch.")
            rows += [{"layer": f"dense quadratic nn.Linear ({lin.weight.numel():,} weights)",
                      "device": dev, "dtype": name, "seconds": t_dense,
                      "speedup_vs_dense": 1.0,
                      "note": note},
                     {"layer": f"SymmetricNetwork {n},q{n} ({m.n_params} params)",
                      "device": dev, "dtype": name, "seconds": t_mod,
                      "speedup_vs_dense": t_dense / t_mod, "note": ""}]
    return pd.DataFrame(rows)


def bench_projected(reps: int, steps: int) -> pd.DataFrame:
    from varieties.learn import projected as npj

    spec, group, kind = "8,q8,q1", "symmetric", "invariant"
    d = synthetic_data(spec, group, kind, n_train=256, n_test=256, seed=0)
    cc = npj.compile_constraints(spec, group, kind)
    w0 = train(spec, group, kind, d.X, d.y, method="tied", steps=0).weights
    rows = []

    def bare(backend, dev):
        fn, _ = loss_grad_fn(nb.as_spec(spec), d.X, d.y, backend, dev, on_device=backend == "torch")
        if backend == "torch":
            c, ops, w = tpj.TorchConstraints(cc, dev), tpj, torch.as_tensor(w0, device=dev)
        else:
            c, ops, w = cc, None, w0.copy()
        opt = Adam(w, 0.01)
        state = {"w": w}

        def step():
            _, g = fn(state["w"])
            state["w"], _ = npj.projected_update(c, state["w"], g, opt.step, ops)

        return step

    cases = [("numpy", None, None)] + [("torch", dev, None) for dev in devices()]
    if "cuda" in devices():
        cases.append(("torch", "cuda", "gesvdj"))
    base_bare = base_train = None
    for backend, dev, driver in cases:
        tpj.SVD_DRIVER = driver
        step = bare(backend, dev)
        t = median_time(step, reps * 3, dev or "cpu")
        train(spec, group, kind, d.X, d.y, method="projected", steps=2, backend=backend,
              device=dev, X_test=d.X_test, y_test=d.y_test)
        sps = float(np.median([train(spec, group, kind, d.X, d.y, method="projected",
                                     steps=steps, backend=backend, device=dev,
                                     X_test=d.X_test, y_test=d.y_test).steps_per_second
                               for _ in range(reps)]))
        base_bare = base_bare or 1 / t
        base_train = base_train or sps
        rows.append({"path": backend + (f"/{dev}" if dev else " (host)")
                     + (f" svd {driver}" if driver else ""),
                     "step_per_s": 1 / t, "ratio": (1 / t) / base_bare,
                     "train_steps_per_s": sps, "train_ratio": sps / base_train})
    tpj.SVD_DRIVER = None
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--steps", type=int, default=20, help="train() steps per projected run")
    p.add_argument("--n", type=int, default=256, help="width of the equivariant layer")
    p.add_argument("--batch", type=int, default=4096)
    p.add_argument("--dense-rows", type=int, default=4096,
                   help="the dense quadratic layer is timed on this many rows and twice as "
                        "many, then extrapolated to the batch (>= batch: the whole batch)")
    p.add_argument("--threads", default="1", help="BLAS/torch CPU threads (default 1)")
    p.add_argument("--orbit-batch", type=int, default=256,
                   help="batch of the cyclic/dihedral forward (table 5)")
    p.add_argument("--skip", default="", help="comma-separated tables to skip (1,2,3,4,5)")
    args = p.parse_args(argv)
    torch.set_num_threads(int(args.threads))
    skip = set(args.skip.split(",")) - {""}
    fmt = lambda v: f"{v:.4g}"  # noqa: E731
    print(f"threads: {args.threads}; torch {torch.__version__}; devices: {', '.join(devices())}")
    if "1" not in skip:
        print("\n1. SymmetricNetwork construction (median of", args.reps, "runs)")
        print(bench_construction(args.reps).to_string(index=False, float_format=fmt))
    if "2" not in skip:
        print(f"\n2. 64,q64,q1 forward, batch {args.batch}")
        print(bench_forward(args.batch, args.reps).to_string(index=False, float_format=fmt))
    if "3" not in skip:
        print(f"\n3. {args.n},q{args.n} S_n-equivariant layer forward + backward, batch "
              f"{args.batch}")
        print(bench_wide_layer(args.n, args.batch, args.dense_rows, args.reps)
              .to_string(index=False, float_format=fmt))
    if "4" not in skip:
        print("\n4. projected steps of 8,q8,q1 (256 samples, Adam; ratios to the numpy path)")
        print(bench_projected(args.reps, args.steps).to_string(index=False, float_format=fmt))
    if "5" not in skip:
        print(f"\n5. cyclic/dihedral construction (ratio to S_n) and forward, batch "
              f"{args.orbit_batch} (orbit path; speedup against the gathered dense path)")
        print(bench_orbit_groups(args.orbit_batch, args.reps)
              .to_string(index=False, float_format=fmt))
    return 0


if __name__ == "__main__":
    import _benchdoc  # --write-docs: this table into docs/benchmarks.md

    raise SystemExit(_benchdoc.run(main, "bench_nn"))
