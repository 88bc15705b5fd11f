"""Demonstration: SymmetricNetwork against an unconstrained quadratic network, in a plain torch loop.

The target is an S_n-invariant polynomial that the network ``n,q{n},q1``
represents exactly: the network at random tied weights
(:func:`varieties.learn.synthetic_data`, normalised to unit variance), inputs
uniform on ``[-1, 1]^n``, Gaussian noise of sd ``--noise`` on the training
targets. Both models are ``torch.nn.Module`` s trained the ordinary way -- a
``DataLoader`` of mini-batches, ``torch.optim.Adam`` with a cosine learning-rate
schedule, ``loss.backward()`` --
for the same number of steps at each sample size:

* ``SymmetricNetwork(spec)``: the tying's 11 free parameters, ``S_n``
  invariant by construction;
* ``SymmetricNetwork(spec, kind="none")``: every weight a parameter (the
  unconstrained network of quadratic neurons, 405 weights at n = 8).

Each run keeps the best of ``--starts`` random starts by *training* loss and
reports its test MSE on ``--n-test`` clean samples and its invariance error.
Writes ``results/nn_training.csv`` and ``results/nn_training.png`` (with
``--out``, elsewhere). Floating point (float64); about two minutes on 2 cores
with the defaults.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from varieties.learn import synthetic_data
from varieties.nn import SymmetricNetwork


def fit(model, X, y, steps: int, lr: float, batch: int, seed: int) -> float:
    """Adam (cosine learning rate) on DataLoader mini-batches; returns the final training MSE."""
    gen = torch.Generator().manual_seed(seed)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y),
                                         batch_size=min(batch, len(X)), shuffle=True,
                                         generator=gen)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    # Cosine decay: a constant rate leaves the last iterate in mini-batch noise.
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    done = 0
    while done < steps:
        for xb, yb in loader:
            opt.zero_grad()
            loss = ((model(xb) - yb) ** 2).mean()
            loss.backward()
            opt.step()
            sched.step()
            done += 1
            if done == steps:
                break
    with torch.no_grad():
        return float(((model(X) - y) ** 2).mean())


def run(n: int, sizes, starts: int, steps: int, lr: float, batch: int, noise: float,
        n_test: int, seed: int) -> pd.DataFrame:
    spec = f"{n},q{n},q1"
    data = synthetic_data(spec, "symmetric", "invariant", n_train=max(sizes), n_test=n_test,
                          noise=noise, seed=seed)
    X_all, y_all = torch.as_tensor(data.X), torch.as_tensor(data.y)
    X_test, y_test = torch.as_tensor(data.X_test), torch.as_tensor(data.y_test)
    rows = []
    for size in sizes:
        X, y = X_all[:size], y_all[:size]
        for model_name, kind in (("symmetric", None), ("unconstrained", "none")):
            best = None
            t0 = time.perf_counter()
            for start in range(starts):
                torch.manual_seed(1000 * seed + 10 * start + size)
                model = SymmetricNetwork(spec, kind=kind, init_scale=0.5)
                train_mse = fit(model, X, y, steps, lr, batch, seed=start)
                if best is None or train_mse < best[0]:
                    best = (train_mse, model)
            train_mse, model = best
            with torch.no_grad():
                test_mse = float(((model(X_test) - y_test) ** 2).mean())
            # Invariance measured for both models (the unconstrained one as if it were invariant).
            model.kind = "invariant"
            rows.append({"n": n, "spec": spec, "model": model_name, "samples": size,
                         "params": model.n_params, "train_mse": train_mse,
                         "test_mse": test_mse,
                         "invariance_error": model.check_equivariance(X_test[:256]),
                         "seconds": time.perf_counter() - t0})
            print(f"n={n} samples={size:4d} {model_name:13s} params={model.n_params:4d} "
                  f"train {train_mse:.3g} test {test_mse:.3g} "
                  f"invariance {rows[-1]['invariance_error']:.2g}", flush=True)
    return pd.DataFrame(rows)


def plot(df: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    ns = sorted(df.n.unique())
    fig, axes = plt.subplots(1, len(ns), figsize=(4.5 * len(ns), 3.6), squeeze=False)
    for ax, n in zip(axes[0], ns):
        for model, style in (("symmetric", "o-"), ("unconstrained", "s--")):
            d = df[(df.n == n) & (df.model == model)].sort_values("samples")
            ax.loglog(d.samples, d.test_mse, style,
                      label=f"{model} ({int(d.params.iloc[0])} params)")
        sizes = sorted(df.samples.unique())
        ax.set_xticks(sizes, [str(v) for v in sizes], minor=False)
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.set_xlabel("training samples")
        ax.set_ylabel("test MSE")
        ax.set_title(f"{n},q{n},q1, S_{n}-invariant target")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, nargs="+", default=[4, 8], help="input widths")
    p.add_argument("--sizes", type=int, nargs="+", default=[16, 32, 64, 128, 256, 512])
    p.add_argument("--starts", type=int, default=2)
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--lr", type=float, default=0.02)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--noise", type=float, default=0.05)
    p.add_argument("--n-test", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    p.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "results"))
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    df = pd.concat([run(n, args.sizes, args.starts, args.steps, args.lr, args.batch,
                        args.noise, args.n_test, args.seed) for n in args.n], ignore_index=True)
    df.to_csv(out / "nn_training.csv", index=False)
    plot(df, out / "nn_training.png")
    table = df.pivot_table(index=["n", "samples"], columns="model", values="test_mse")
    print(table.to_string(float_format=lambda v: f"{v:.3g}"))
    print(f"wrote {out / 'nn_training.csv'} and {out / 'nn_training.png'} in "
          f"{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    raise SystemExit(main())
