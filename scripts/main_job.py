"""The README's main job (``make run``): compute the default sweep and check it.

Runs ``configs/default.toml`` -- constraint tables of one-layer networks
n = 2..6 and the variety dimensions of a few small two-layer networks -- with
2 workers (Dask when installed, else in-process) and a progress bar, into the
run folder ``runs/main/`` (not ``results/``, so that a fresh clone computes
every configuration instead of finding the committed rows), with figures
beside the CSVs. It then checks every settled value (constraint counts,
colors, free parameters, dimensions whose bounds met) against the committed
tables of the same names in ``results/`` and exits 1 on a disagreement.
It needs neither Singular nor torch. About 15 s on 2 cores (msolve installed); a rerun
resumes and is quick. ``--out DIR`` runs elsewhere; other options go to
``varieties sweep`` (``--workers``, ``--timeout``, ``--no-progress``, ...).

The committed ``results/`` are written by ``scripts/constraint_tables.py``
and ``scripts/dimension_sweep.py``, whose grids contain this one (same keys,
same time limits).
"""

from __future__ import annotations

import pathlib
import sys

from varieties import results as report
from varieties.commands.sweep import run_config_script
from varieties.sweep import load_config

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "default.toml"


def out_folder(argv) -> pathlib.Path:
    for i, arg in enumerate(argv):
        if arg == "--out" and i + 1 < len(argv):
            return pathlib.Path(argv[i + 1])
        if arg.startswith("--out="):
            return pathlib.Path(arg.partition("=")[2])
    return ROOT / "runs" / "main"


def check_against_results(out: pathlib.Path) -> int:
    """Compare the run's settled values with results/; the number of disagreements."""
    bad = 0
    for sweep in load_config(CONFIG):
        mine, ref = out / sweep.output, ROOT / "results" / sweep.output
        if not mine.exists() or not ref.exists() or mine.resolve() == ref.resolve():
            continue
        keys = {c["key"] for c in sweep.configs}
        new = report.load(mine)
        n, diff = report.compare(new[new["key"].isin(keys)], report.load(ref))
        print(f"check: {mine} against {ref}: {n} rows compared, {len(diff)} settled values "
              "differ" + (":" if len(diff) else ""))
        if len(diff):
            print(diff.to_string(index=False))
        bad += len(diff)
    return bad


def main(argv) -> int:
    out = out_folder(argv)
    code = run_config_script(CONFIG, argv, out)
    if code != 0:
        return code
    return 1 if check_against_results(out) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
