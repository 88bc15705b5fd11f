"""Benchmark: orbit engine vs constraint-based tying of the S_n-equivariant layer ``n,qn``.

Prints one row per n: weights, colors, the median time of

* ``engine``: :func:`varieties.orbits.orbit_labels` alone (numpy + scipy),
* ``orbits``: the whole ``tying(spec, method="orbits")`` (spec already built),
* ``constraints``: ``tying(spec, method="constraints")`` (exact expansion, equality
  graph, row reduction, exact function rank), run in a child process and
  dropped for larger n once one run takes more than the time limit,

the ratio constraints / orbits, and the time to build the spec itself (which
creates one Python object per weight). Medians over ``--repeat`` runs (fewer
for slow rows). Usage::

    python scripts/bench_tying.py [--ns 3,5,10,20,50,100] [--limit 60] [--repeat 5]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time


def _median_time(fn, repeat: int, budget: float = 10.0) -> float:
    times = []
    start = time.perf_counter()
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        if time.perf_counter() - start > budget:
            break
    return statistics.median(times)


def _constraint_child(n: int, q) -> None:
    import importlib

    # ``varieties.tying`` the attribute is the re-exported function; the module is in sys.modules.
    ty_mod = importlib.import_module("varieties.tying")

    ty_mod.CONSTRAINT_MAX_WEIGHTS = 10**9  # measure it, however long (the parent times out)
    try:
        ty_mod.tying("2,q2", method="constraints")  # warm up lazy imports
        t = time.perf_counter()
        ty = ty_mod.tying(f"{n},q{n}", "symmetric", "equivariant", method="constraints")
        q.put((time.perf_counter() - t, ty.n_colors, ty.n_free, ty.function_dim))
    except Exception as exc:  # report instead of leaving the parent waiting
        q.put(("error", repr(exc), None, None))


def constraint_time(n: int, limit: float):
    """Seconds for the constraint method in a child process, or None past ``limit``."""
    ctx = mp.get_context("spawn")  # fork after numpy/scipy threads can hang
    q = ctx.Queue()
    p = ctx.Process(target=_constraint_child, args=(n, q))
    p.start()
    try:
        res = q.get(timeout=limit + 15)  # + interpreter start-up and imports
    except Exception:
        res = None
    if p.is_alive():
        p.terminate()
    p.join()
    if res is not None and res[0] == "error":
        raise RuntimeError(f"constraint method failed at n={n}: {res[1]}")
    if res is not None and res[0] > limit:
        return None
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ns", default="3,5,10,20,50,100")
    ap.add_argument("--limit", type=float, default=60.0, help="seconds per constraint-based run")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from varieties.network import parse_spec
    from varieties.orbits import layer_symmetries, orbit_labels
    from varieties.tying import tying

    print(f"{'n':>4} {'weights':>9} {'colors':>6} {'spec s':>8} {'engine s':>9} {'orbits s':>9} "
          f"{'constraints s':>14} {'ratio':>8}")
    constraints_on = True
    for n in [int(v) for v in args.ns.split(",")]:
        t = time.perf_counter()
        spec = parse_spec(f"{n},q{n}")
        t_spec = time.perf_counter() - t
        sym = layer_symmetries(spec, "symmetric", "equivariant")[0]
        t_engine = _median_time(lambda: orbit_labels(sym), args.repeat)
        t_orbits = _median_time(lambda: tying(spec, "symmetric", "equivariant", method="orbits"),
                                args.repeat)
        ty = tying(spec, "symmetric", "equivariant", method="orbits")
        c_txt, r_txt = "skipped", "-"
        if constraints_on:
            res = constraint_time(n, args.limit)
            if res is None:
                c_txt = f"> {args.limit:.0f}"
                constraints_on = False
            else:
                secs, colors, free, fdim = res
                assert (colors, free, fdim) == (ty.n_colors, ty.n_free, ty.function_dim)
                c_txt, r_txt = f"{secs:.3f}", f"{secs / t_orbits:.0f}x"
        print(f"{n:>4} {ty.n_weights:>9} {ty.n_colors:>6} {t_spec:>8.3f} {t_engine:>9.4f} "
              f"{t_orbits:>9.4f} {c_txt:>14} {r_txt:>8}", flush=True)


if __name__ == "__main__":
    import _benchdoc  # --write-docs: this table into docs/benchmarks.md

    _benchdoc.run(main, "bench_tying")
