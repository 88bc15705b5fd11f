"""Constraint tables for one-layer networks -> ``results/constraint_tables.csv`` (+ ``.png``).

n = 2..8, layer kinds q, s, l, a, groups symmetric, cyclic, dihedral,
hyperoctahedral (even n), kinds invariant / equivariant / folded where the
action exists; one row per case with the constraints by class, the tying's
colors and free parameters, the function dimension and an independent count
of it (partition closed form for S_n, Burnside's lemma otherwise). The grid is
``configs/constraint_tables.toml``; this script is ``varieties sweep`` on it::

    python scripts/constraint_tables.py [--workers N] [--scheduler ADDRESS] [--in-process]

Resumable: rerunning skips the rows already in the CSV.
"""

from __future__ import annotations

import pathlib
import sys

from varieties.commands.sweep import run_config_script

ROOT = pathlib.Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    sys.exit(run_config_script(ROOT / "configs" / "constraint_tables.toml", sys.argv[1:], ROOT / "results"))
