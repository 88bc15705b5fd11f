#!/usr/bin/env python
"""Benchmark ``varieties.algebra.analyze``: the old default engine against the new one.

On the hard cases of the issue on settling dimensions (``3,a3,q1``,
``3,q2,q1``, ``3,q3,q1``, ``4,q2,q1``, ``4,a4,q1``, ``4,q4,q1`` invariant,
``3,q3,q1`` with ``constant-output`` excluded, ``2,q2,q2`` equivariant), run
``analyze`` with the old default engine (``sympy``) and the new one
(``auto``: the fastest installed, msolve then Singular then sympy), and print
the dimension or bounds, the function-space dimension or its bounds, the
engines used, the median seconds over ``--repeat`` runs, the status, and the
ratio of each time to the new default's on the same case (the baseline,
measured in the same run). ``--strategies`` adds rows for single strategies
(``--engines`` takes any of ``sympy,singular,msolve,auto``).

Target: every case settled (dim lower = upper) in under 60 s with the default.

Usage: ``python scripts/bench_variety.py [--timeout 60] [--repeat 1]
[--engines sympy,auto] [--cases "3,q3,q1;3,q3,q1|constant-output"]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

sys.path.insert(0, __file__.rsplit("/scripts/", 1)[0])

from varieties.algebra import analyze  # noqa: E402

# spec|exclusion|kind
CASES = ["3,a3,q1", "3,q2,q1", "3,q3,q1", "4,q2,q1", "4,a4,q1", "4,q4,q1",
         "3,q3,q1|constant-output", "2,q2,q2||equivariant"]


def _case(text: str):
    spec, _, rest = text.partition("|")
    excl, _, kind = rest.partition("|")
    return spec, tuple(e for e in excl.split(",") if e), kind or "invariant"


def _bounds(value, lo, hi) -> str:
    return str(value) if value is not None else f"{lo}..{hi}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--engines", default="sympy,auto")
    ap.add_argument("--cases", default=";".join(CASES))
    args = ap.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    # Warm-up: imports and caches are paid here, not by the first timed case.
    analyze("2,a1,q1", timeout=30, function_dim=False)
    header = (f"{'case':28} {'engine':8} {'used':16} {'dim':9} {'function dim':12} "
              f"{'median s':>9} {'x auto':>7} {'status':8}")
    print(header)
    print("-" * len(header))
    settled = 0
    for text in args.cases.split(";"):
        spec, excl, kind = _case(text)
        results = {}
        for eng in sorted(engines, key=lambda e: e != "auto"):
            times, rep = [], None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                rep = analyze(spec, "symmetric", kind, engine=eng, exclude=excl,
                              timeout=args.timeout, census_points=0)
                times.append(time.perf_counter() - t0)
            results[eng] = (rep, statistics.median(times))
        base = results.get("auto", (None, None))[1]
        for eng in engines:
            rep, med = results[eng]
            ratio = f"{med / base:7.2f}" if base else f"{'-':>7}"
            label = f"{spec} {kind}" + (f" -{','.join(excl)}" if excl else "")
            fdim = _bounds(rep.function_dim, rep.function_dim_lower, rep.function_dim_upper)
            print(f"{label:28} {eng:8} {rep.engine:16} "
                  f"{_bounds(rep.dim, rep.dim_lower, rep.dim_upper):9} {fdim:12} "
                  f"{med:9.2f} {ratio} {rep.status:8}", flush=True)
            if eng == "auto" and rep.dim is not None:
                settled += 1
    n = len(args.cases.split(";"))
    print(f"\nsettled by the default (auto) within {args.timeout:g} s: {settled} of {n}")
    return 0


if __name__ == "__main__":
    import _benchdoc  # --write-docs: this table into docs/benchmarks.md

    sys.exit(_benchdoc.run(main, "bench_variety"))
