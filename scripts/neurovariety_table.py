"""Neurovarieties in the field's columns -> ``results/neurovarieties.csv`` (+ ``.png``).

The grid (``configs/neurovarieties.toml``): the shallow Alexander-Hirschowitz
cases ``n,l h^d,l1``, deep 2- and 3-input power networks up to 8 layers, and
quadratic-neuron networks up to depth 4. Each row has the columns the field
uses (``architecture, exponent, num_parameters, dimension_computed,
ambient_dimension, is_full_dimension, expected_dimension, defect``), then the
spec, its layer kinds, whether the two primes agree and the sample rows. This
script is ``varieties sweep`` on that config, then the figure (computed
against expected dimension, defective networks marked)::

    python scripts/neurovariety_table.py [--workers N] [--in-process] [--out DIR]

Resumable: rerunning skips the rows already in the CSV.
"""

from __future__ import annotations

import pathlib
import sys

from varieties.commands.sweep import run_config_script

ROOT = pathlib.Path(__file__).resolve().parent.parent


def figure(csv: pathlib.Path) -> pathlib.Path:
    """Computed against expected dimension per network family, defective ones marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    df = pd.read_csv(csv)
    df = df[df["status"] == "ok"]
    family = df["kinds"].map(lambda k: "quadratic (q)" if "q" in k else "power (l^r)")
    depth = df["kinds"].str.count("-") + 1
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    ax = axes[0]
    for (fam, shallow), sub in df.groupby([family, depth == 2]):
        label = f"{fam}, {'2 layers' if shallow else 'deeper'}"
        ax.scatter(sub["expected_dimension"], sub["dimension_computed"], s=12, alpha=0.7,
                   label=label)
    top = max(df["expected_dimension"].max(), 1)
    ax.plot([0, top], [0, top], color="gray", lw=0.8, ls="--")
    ax.set_xscale("symlog")
    ax.set_yscale("symlog")
    ax.set_xlabel("expected dimension")
    ax.set_ylabel("computed dimension (mod p)")
    ax.set_title("neurovariety dimension")
    ax.legend(fontsize=8)
    ax = axes[1]
    frac = df.groupby(depth).agg(networks=("defect", "size"),
                                 defective=("defect", lambda s: int((s > 0).sum())),
                                 filling=("is_full_dimension", "sum"))
    ax.bar(frac.index - 0.2, frac["defective"], width=0.4, label="defective (defect > 0)")
    ax.bar(frac.index + 0.2, frac["filling"], width=0.4, label="filling (dim = ambient)")
    ax.plot(frac.index, frac["networks"], "k.-", label="networks")
    ax.set_xlabel("layers")
    ax.set_ylabel("networks")
    ax.set_title("defective and filling networks by depth")
    ax.legend(fontsize=8)
    fig.tight_layout()
    png = csv.with_suffix(".png")
    fig.savefig(png, dpi=120)
    plt.close(fig)
    return png


def main(argv: list[str]) -> int:
    out = ROOT / "results"
    for i, a in enumerate(argv):
        if a == "--out" and i + 1 < len(argv):
            out = pathlib.Path(argv[i + 1])
        elif a.startswith("--out="):
            out = pathlib.Path(a.split("=", 1)[1])
    status = run_config_script(ROOT / "configs" / "neurovarieties.toml",
                               ["--no-figures", *argv], ROOT / "results")
    csv = out / "neurovarieties.csv"
    if csv.exists() and "--no-figures" not in argv:
        print(f"figure: {figure(csv)}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
