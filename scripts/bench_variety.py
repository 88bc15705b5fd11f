#!/usr/bin/env python
"""Benchmark ``varieties.algebra.analyze`` on the issue's networks, per engine.

For ``2,q2,q1``, ``3,a3,q1``, ``3,q2,q1``, ``3,q3,q1`` (invariant under S_n),
with and without the ``constant-output`` exclusion, run ``analyze`` with each
available engine and print the dimension (or bounds), the method used, the
median seconds over ``--repeat`` runs, the status, and the ratio of the time to
the msolve time for the same case (the baseline, measured in the same run).

Targets (issue 4): the default engine (sympy) settles ``2,q2,q1`` in < 5 s;
with Singular ``3,q3,q1`` is settled in < 60 s and its non-degenerate part
(``constant-output`` excluded) has bounds at most 2 apart.

Usage: ``python scripts/bench_variety.py [--timeout 60] [--repeat 1]
[--engines sympy,singular,msolve] [--specs 2,q2,q1;3,q3,q1]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

sys.path.insert(0, __file__.rsplit("/scripts/", 1)[0])

from varieties.algebra import analyze, available_engines  # noqa: E402

SPECS = ["2,q2,q1", "3,a3,q1", "3,q2,q1", "3,q3,q1"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--engines", default=",".join(available_engines()))
    ap.add_argument("--specs", default=";".join(SPECS))
    args = ap.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    rows = []
    # Warm-up: imports and caches are paid here, not by the first timed case.
    analyze("2,a1,q1", engine=engines[0], timeout=30, function_dim=False)
    header = (f"{'spec':9} {'exclude':15} {'engine':9} {'dim / bounds':13} {'method':15} "
              f"{'median s':>9} {'x msolve':>9} {'status':8} slices")
    print(header)
    print("-" * len(header))
    for spec in args.specs.split(";"):
        for excl in ((), ("constant-output",)):
            base = None
            results = {}
            for eng in sorted(engines, key=lambda e: e != "msolve"):
                times, rep = [], None
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    rep = analyze(spec, "symmetric", "invariant", engine=eng, exclude=excl,
                                  timeout=args.timeout, census_points=0, function_dim=False)
                    times.append(time.perf_counter() - t0)
                med = statistics.median(times)
                if eng == "msolve":
                    base = med
                results[eng] = (rep, med)
            for eng in engines:
                rep, med = results[eng]
                dim = (str(rep.dim) if rep.dim is not None
                       else f"{rep.dim_lower}..{rep.dim_upper}")
                ratio = f"{med / base:9.2f}" if base else f"{'-':>9}"
                slices = " ".join(f"{s['codim']}:{'E' if s.get('empty') else ('N' if s.get('empty') is False else 'T')}"
                                  for s in rep.steps if s["what"] == "slice")
                line = (f"{spec:9} {','.join(excl) or '-':15} {eng:9} {dim:13} {rep.method:15} "
                        f"{med:9.2f} {ratio} {rep.status:8} {slices}")
                print(line, flush=True)
                rows.append(line)
    print("\nslices: codim:E empty (dim < codim), N nonempty (dim >= codim), T timed out; "
          "every slice over GF(32003).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
