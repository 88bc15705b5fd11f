"""Demonstration: learning S_n-invariant quartics free, tied, and projected onto the variety.

For n = 4..8 the target is a random S_n-invariant polynomial that the 2-layer
quadratic network ``n,q{n},q1`` represents exactly (the network at random
tied weights, normalised to unit variance; :func:`varieties.learn.synthetic_data`),
sampled on ``[-1, 1]^n`` with Gaussian noise 0.05. Each method is trained by
Adam for ``--steps`` steps on ``n_train`` samples from ``--restarts`` random
starts (the loss is not convex: the run with the lowest *training* loss is
kept) and scored on 1000 clean held-out samples:

* ``free``: all ``n (n(n+1)/2 + n + 1) + (n+1)(n+2)/2`` weights, no symmetry;
* ``tied``: the 11 parameters of the layer-wise tying;
* ``projected``: all weights, kept on the variety of invariant networks.

Writes ``results/training.csv`` (one row per run), ``results/training_curves.csv``
(loss curves of the largest n) and ``results/training.png`` (test error versus
number of samples, one panel per n, and loss curves), and prints a table of
the median test MSE over the seeds; ``--plot-only`` redraws the PNG from the
CSV files. The projected method is the slow one (a Jacobian and a QR of size
constraints x weights per step); ``--projected-max-n N`` runs it at the largest
sample size only for n above N, for a quicker look. The full run trains for
about 7 minutes on 2 cores, nearly all of it projected (n = 8: 14 s per run).

BLAS threads are limited to 1 (set before numpy is imported): the matrices
are small, and on a loaded machine multithreaded OpenBLAS made a 85 x 75 SVD
100x slower.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import pathlib  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from varieties.learn import synthetic_data, train  # noqa: E402

METHODS = ("free", "tied", "projected")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ns", default="4,5,6,7,8", help="numbers of inputs (default 4..8)")
    p.add_argument("--sizes", default="16,32,64,128,256", help="training set sizes")
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--lr", type=float, default=0.03)
    p.add_argument("--noise", type=float, default=0.05)
    p.add_argument("--seeds", type=int, default=1, help="repetitions (target and data seeds)")
    p.add_argument("--restarts", type=int, default=3,
                   help="random starts per run; the one with the lowest training loss is kept")
    p.add_argument("--projected-max-n", type=int, default=None,
                   help="above this n, run projected at the largest size only (default: "
                   "at every size for every n)")
    p.add_argument("--out", default="results", help="output folder")
    p.add_argument("--plot-only", action="store_true",
                   help="redraw the PNG from training.csv and training_curves.csv")
    return p.parse_args(argv)


def run(args) -> tuple[pd.DataFrame, dict]:
    ns = [int(v) for v in args.ns.split(",")]
    sizes = [int(v) for v in args.sizes.split(",")]
    rows, curves = [], {}
    for n in ns:
        spec = f"{n},q{n},q1"
        for seed in range(args.seeds):
            for size in sizes:
                data = synthetic_data(spec, "symmetric", "invariant", n_train=size, n_test=1000,
                                      noise=args.noise, seed=seed)
                for method in METHODS:
                    if (method == "projected" and args.projected_max_n is not None
                            and n > args.projected_max_n and size != max(sizes)):
                        continue
                    runs = [train(spec, "symmetric", "invariant", data.X, data.y, method=method,
                                  steps=args.steps, lr=args.lr, seed=100 * seed + r,
                                  X_test=data.X_test, y_test=data.y_test)
                            for r in range(args.restarts)]
                    # Selection by training loss only: the test set is never looked at.
                    ok = [r for r in runs if r.status == "ok"] or runs
                    res = min(ok, key=lambda r: r.train_loss[-1] if r.train_loss else np.inf)
                    hist = [v for r in runs for v in r.invariance_history]
                    rows.append({
                        "n": n, "spec": spec, "method": method, "n_train": size, "seed": seed,
                        "n_params": res.n_params,
                        "train_loss": res.train_loss[-1] if res.train_loss else np.nan,
                        "test_loss": res.test_loss,
                        "invariance_error": res.invariance_error,
                        "max_invariance_error_per_step": max(hist) if hist else np.nan,
                        "seconds": sum(r.seconds for r in runs) / len(runs),
                        "steps_per_second": float(np.median([r.steps_per_second for r in runs])),
                        "status": res.status,
                    })
                    curves[(n, size, seed, method)] = res.train_loss
                    print(f"n={n} size={size:4d} {method:9s} test {res.test_loss:.3e} "
                          f"inv {res.invariance_error:.1e} {rows[-1]['seconds']:6.2f} s/run",
                          flush=True)
    return pd.DataFrame(rows), curves


def curves_frame(curves: dict, n: int) -> pd.DataFrame:
    """Loss curves of the largest ``n`` in long form (the PNG's last panel)."""
    rows = [{"n": nn, "n_train": size, "seed": seed, "method": method, "step": i, "train_loss": v}
            for (nn, size, seed, method), loss in curves.items() if nn == n
            for i, v in enumerate(loss)]
    return pd.DataFrame(rows)


def plot(df: pd.DataFrame, curves_df: pd.DataFrame, path: pathlib.Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    ns = sorted(df.n.unique())
    sizes = sorted(df.n_train.unique())
    fig, axes = plt.subplots(1, len(ns) + 1, figsize=(3.2 * (len(ns) + 1), 3.4))
    style = {"free": dict(color="tab:red", marker="o"),
             "tied": dict(color="tab:blue", marker="s"),
             "projected": dict(color="tab:green", marker="^", ls="--", mfc="none", ms=9)}
    for ax, n in zip(axes, ns):
        sub = df[df.n == n].groupby(["method", "n_train"]).test_loss.median().reset_index()
        for method in METHODS:
            m = sub[sub.method == method]
            if len(m):
                ax.loglog(m.n_train, m.test_loss, label=method, **style[method])
        ax.set_title(f"{n},q{n},q1 (S_{n}-invariant)")
        ax.set_xlabel("training samples")
        ax.set_xticks(sizes)
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
    axes[0].set_ylabel("test MSE (clean targets)")
    axes[0].legend()
    ax = axes[-1]
    size = int(curves_df.n_train.max()) if len(curves_df) else 0
    for method in METHODS:
        c = curves_df[(curves_df.n_train == size) & (curves_df.seed == 0)
                      & (curves_df.method == method)]
        if len(c):
            ax.semilogy(c.step, c.train_loss, label=method, color=style[method]["color"],
                        ls=style[method].get("ls", "-"))
    ax.set_title(f"train loss, n = {ns[-1]}, {size} samples")
    ax.set_xlabel("step")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def median_table(df: pd.DataFrame) -> pd.DataFrame:
    """Median test MSE over the seeds, one row per ``(n, n_train)``, one column per method."""
    return df.pivot_table(index=["n", "n_train"], columns="method", values="test_loss",
                          aggfunc="median")


def main(argv=None) -> int:
    args = parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.plot_only:
        df = pd.read_csv(out / "training.csv")
        cdf = pd.read_csv(out / "training_curves.csv")
    else:
        df, curves = run(args)
        cdf = curves_frame(curves, int(df.n.max()))
        df.to_csv(out / "training.csv", index=False)
        cdf.to_csv(out / "training_curves.csv", index=False)
    plot(df, cdf, out / "training.png")
    print("\nmedian test MSE (clean targets):")
    print(median_table(df).to_string(float_format=lambda v: f"{v:.2e}"))
    summary = df.groupby("method").agg(
        max_invariance_error=("invariance_error", "max"),
        max_invariance_error_per_step=("max_invariance_error_per_step", "max"),
        median_seconds=("seconds", "median"),
        median_steps_per_second=("steps_per_second", "median"))
    print("\n" + summary.to_string(float_format=lambda v: f"{v:.3g}"))
    print(f"\nwrote {out / 'training.csv'}, {out / 'training_curves.csv'} and "
          f"{out / 'training.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
