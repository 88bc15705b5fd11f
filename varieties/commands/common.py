"""Arguments and output helpers shared by the subcommands."""

from __future__ import annotations

import json
import sys

from ..actions import KINDS
from ..groups import GROUP_NAMES

# The library's default group (the one of constraints, tying, analyze, train ...).
DEFAULT_GROUP = GROUP_NAMES[0]


def add_symmetry_args(p) -> None:
    """``SPEC --group --kind --full``: the network and its symmetry.

    ``--kind`` defaults to None, the library's rule
    (:func:`varieties.actions.default_kind`), so that every command and
    function infers it the same way.
    """
    p.add_argument("spec", metavar="SPEC", help="network, e.g. 3,q3,q1 (n inputs, then layers)")
    p.add_argument(
        "--group",
        default=DEFAULT_GROUP,
        help=f"{GROUP_NAMES[0]} (default), {', '.join(GROUP_NAMES[1:])}, "
        "or gens:'(0 1);(0 1 2)' for custom generators",
    )
    p.add_argument(
        "--kind",
        default=None,
        choices=KINDS,
        help="action on the outputs (default: invariant for one output, equivariant for n)",
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
