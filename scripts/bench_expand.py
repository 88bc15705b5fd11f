"""Benchmark: exact expansion and constraint generation.

For each network it prints weights, terms of the expanded polynomial,
constraints, and median seconds (over ``--repeat`` runs) for expansion with
sympy's sparse rings and with python-flint, for constraints from generators
and from all transpositions, and the sympy ``Expr.expand`` baseline (run in a
child process, abandoned after ``--baseline-timeout`` seconds) with the ratio
baseline / flint expansion.

Usage: ``python scripts/bench_expand.py [--repeat 3] [--baseline-timeout 60]``
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time

import pandas as pd

from varieties import constraints, expand, parse_spec
from varieties.expand import flint_available
from varieties.network import iter_layers, quadratic_pairs

SPECS = ["2,q2,q1", "3,q3,q1", "4,q4,q1", "3,q3,q3,q1"]


def expr_expand_baseline(text: str) -> float:
    """Expand with plain sympy expressions (``Expr.expand``), the naive method."""
    import sympy

    spec = parse_spec(text)
    start = time.perf_counter()
    o = list(sympy.symbols(f"x0:{spec.n_inputs}"))
    for l, layer, p in iter_layers(spec):
        new = []
        for k in range(layer.width):
            t = 0
            if layer.has_quadratic:
                t += sum(sympy.Symbol(f"A{l}_{k}_{i}_{j}") * o[i] * o[j]
                         for i, j in quadratic_pairs(p, spec.full))
            if layer.has_linear:
                t += sum(sympy.Symbol(f"B{l}_{k}_{i}") * o[i] for i in range(p))
            if layer.has_constant:
                t += sympy.Symbol(f"C{l}_{k}")
            new.append(sympy.expand(t**layer.power))
        o = new
    return time.perf_counter() - start


def _child(text, q):
    q.put(expr_expand_baseline(text))


def baseline(text: str, timeout: float) -> float | None:
    q = mp.Queue()
    proc = mp.Process(target=_child, args=(text, q))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None
    return q.get()


def median_time(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline-timeout", type=float, default=60.0)
    ap.add_argument("--specs", nargs="*", default=SPECS)
    args = ap.parse_args()
    backends = ["sympy"] + (["flint"] if flint_available() else [])
    rows = []
    for text in args.specs:
        row = {"spec": text, "weights": len(parse_spec(text).weights)}
        for b in backends:
            reps = 1 if (b == "sympy" and text == "3,q3,q3,q1") else args.repeat
            t, e = median_time(lambda: expand(text, backend=b), reps)
            row[f"expand_{b}_s"] = t
            row["terms"] = e.n_terms
            for mode in ("generators", "transpositions"):
                t, cs = median_time(lambda: constraints(text, mode=mode, expansion=e), reps)
                row[f"constr_{mode[:4]}_{b}_s"] = t
                row["constraints"] = len(cs)
        best = "flint" if "flint" in backends else "sympy"
        row["expand+gens_s"] = row[f"expand_{best}_s"] + row[f"constr_gene_{best}_s"]
        base = baseline(text, args.baseline_timeout)
        row["Expr.expand_s"] = base if base is not None else f">{args.baseline_timeout:g}"
        row["ratio"] = round(base / max(row[f"expand_{best}_s"], 1e-9), 1) if base is not None else None
        rows.append(row)
        print(f"done {text}", flush=True)
    df = pd.DataFrame(rows)
    cols = ["spec", "weights", "terms", "constraints"] + [c for c in df.columns if c.endswith("_s")] + ["ratio"]
    print(df[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print("\nmedians over --repeat runs; ratio = Expr.expand / fastest expansion backend")


if __name__ == "__main__":
    import _benchdoc  # --write-docs: this table into docs/benchmarks.md

    _benchdoc.run(main, "bench_expand")
