"""The README's main job (``make run``): default constraint tables on the embedded engine.

Writes ``results/constraints_default.csv`` and prints a summary table.
"""

from __future__ import annotations

import pathlib
import sys

import pandas as pd

from varieties import constraints

ROOT = pathlib.Path(__file__).resolve().parent.parent
CASES = [
    ("3,l3", "symmetric", "equivariant"),
    ("3,q3", "symmetric", "equivariant"),
    ("3,q3,full", "symmetric", "equivariant"),
    ("4,l2", "hyperoctahedral", "folded"),
    ("2,q2,q1", "symmetric", "invariant"),
    ("3,q3,q1", "symmetric", "invariant"),
    ("4,q4", "cyclic", "equivariant"),
    ("4,q4", "dihedral", "equivariant"),
]


def main() -> int:
    rows = []
    for spec, group, kind in CASES:
        cs = constraints(spec, group=group, kind=kind, backend="sympy")
        rows.append({"spec": spec, "group": group, "kind": kind, "weights": len(cs.weights),
                     "constraints": len(cs), **cs.counts(),
                     "seconds": round(cs.seconds_expand + cs.seconds_constraints, 3)})
    df = pd.DataFrame(rows)
    out = ROOT / "results" / "constraints_default.csv"
    out.parent.mkdir(exist_ok=True)
    df.drop(columns="seconds").to_csv(out, index=False)
    print(df.to_string(index=False))
    print(f"\nwrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
