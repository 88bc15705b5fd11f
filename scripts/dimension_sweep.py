"""Variety dimensions of small multi-layer networks -> ``results/variety_dimensions.csv`` (+ ``.png``).

2- and 3-layer networks, n = 2..5, hidden widths 1..n (quadratic or affine
hidden layers), invariant under S_n, C_n and D_n with and without the
``constant-output`` exclusion, equivariant ones, and plain neurovarieties (kind none): weights, constraints, dimension or bounds with
method and certificate, census, function dimension, engine, seconds, status.
Each configuration has a time limit (``configs/variety_dimensions.toml``);
those that run out are recorded with status ``timeout``. This script is
``varieties sweep`` on that config::

    python scripts/dimension_sweep.py [--workers N] [--scheduler ADDRESS] [--in-process]

Resumable: rerunning skips the rows already in the CSV (``--retry-failed``
reruns timeouts, e.g. with a larger ``--timeout``).
"""

from __future__ import annotations

import pathlib
import sys

from varieties.commands.sweep import run_config_script

ROOT = pathlib.Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    sys.exit(run_config_script(ROOT / "configs" / "variety_dimensions.toml", sys.argv[1:], ROOT / "results"))
