#!/usr/bin/env python
"""Rewrite the table of ``docs/results.md`` from ``results/variety_dimensions.csv``.

The section after the marker ``<!-- results:variety_dimensions -->`` (up to the
first blank line) becomes one row per configuration: spec, group, kind,
exclusion, weights, dimension or ``[lower, upper]``, function dimension or
bounds, engine, status; the line ``settled: ...`` after it counts the settled
dimensions and function dimensions. Run it after ``scripts/dimension_sweep.py``::

    python scripts/results_docs.py [--csv results/variety_dimensions.csv] [--docs docs/results.md]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from varieties import results  # noqa: E402

MARKER = "<!-- results:variety_dimensions -->"


def _excluded(text) -> str:
    try:
        return ", ".join(json.loads(text)) if isinstance(text, str) else ", ".join(text)
    except (TypeError, ValueError):
        return str(text)


def table(df: pd.DataFrame) -> list[str]:
    """The markdown rows and the count line."""
    lines = ["| spec | group | kind | excluded | weights | dim | function dim | engine | status |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in df.itertuples():
        dim = results.bounds_text(r.dim, r.dim_lower, r.dim_upper)
        fdim = results.bounds_text(r.function_dim, r.function_dim_lower, r.function_dim_upper)
        engine = r.engine if isinstance(r.engine, str) else "-"
        lines.append(f"| `{r.spec}` | {r.group} | {r.kind} | {_excluded(r.exclude)} | "
                     f"{int(r.weights)} | {dim} | {fdim} | {engine} | {r.status} |")
    n = len(df)
    d, f = int(df.dim.notna().sum()), int(df.function_dim.notna().sum())
    lines.append("")
    lines.append(f"settled: {d} of {n} dimensions ({100 * d / n:.0f} %), {f} of {n} function "
                 f"dimensions ({100 * f / n:.0f} %).")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--csv", default=str(ROOT / "results" / "variety_dimensions.csv"))
    ap.add_argument("--docs", default=str(ROOT / "docs" / "results.md"))
    args = ap.parse_args(argv)
    df = results.load(args.csv)
    doc = pathlib.Path(args.docs)
    lines = doc.read_text().split("\n")
    if MARKER not in lines:
        print(f"{doc}: no line {MARKER!r} to write after", file=sys.stderr)
        return 2
    start = lines.index(MARKER) + 1
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    # A count line left by an earlier run follows the table's blank line.
    if end + 1 < len(lines) and lines[end + 1].startswith("settled: "):
        end += 2
    new = lines[:start] + table(df) + lines[end:]
    doc.write_text("\n".join(new))
    print(f"{doc}: {len(df)} rows; " + table(df)[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
