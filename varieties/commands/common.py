"""Arguments and output helpers shared by the subcommands."""

from __future__ import annotations

import json
import sys


def add_symmetry_args(p, kind_default: str = "invariant") -> None:
    """``SPEC --group --kind --full``: the network and its symmetry."""
    p.add_argument("spec", metavar="SPEC", help="network, e.g. 3,q3,q1 (n inputs, then layers)")
    p.add_argument(
        "--group",
        default="symmetric",
        help="symmetric (default), cyclic, dihedral, hyperoctahedral, trivial, "
        "or gens:'(0 1);(0 1 2)' for custom generators",
    )
    p.add_argument(
        "--kind",
        default=kind_default,
        choices=["invariant", "equivariant", "folded", "none"],
        help=f"action on the outputs (default {kind_default})",
    )
    p.add_argument("--full", action="store_true", help="the notes' full indexing A_kij, all i, j")


def print_json(obj) -> None:
    json.dump(obj, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


def print_frame(df) -> None:
    import pandas as pd

    with pd.option_context("display.max_rows", None, "display.max_colwidth", 80,
                           "display.width", 200):
        print(df.to_string(index=False))
