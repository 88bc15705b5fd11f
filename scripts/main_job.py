"""The README's main job (``make run``): a small default sweep on the embedded sympy engine.

Runs ``configs/default.toml`` -- constraint tables for one-layer networks
n = 2..6 and the variety dimensions of a few small two-layer networks -- with
2 workers (Dask when installed, else in-process), writes
``results/constraint_tables.csv`` and ``results/variety_dimensions.csv`` with
their figures (``.png`` beside them), and prints a short summary table.
Takes about half a minute on 2 cores on a fresh results/; a rerun skips what is already there.
The default grid is a subset of the full grids of ``scripts/constraint_tables.py``
and ``scripts/dimension_sweep.py`` (same keys, same time limits), which extend
the same files.
"""

from __future__ import annotations

import pathlib
import sys

from varieties.commands.sweep import run_config_script

ROOT = pathlib.Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    sys.exit(run_config_script(ROOT / "configs" / "default.toml", sys.argv[1:], ROOT / "results"))
