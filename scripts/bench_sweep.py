"""Benchmark: sweep throughput, in-process vs Dask with 2 workers.

Runs each workload into a fresh temporary folder ``--repeat`` times per mode
(alternating the modes) and prints tasks per minute of the median run, its wall time
(cluster start-up included for Dask) and the ratio of Dask's rate to the
in-process rate measured in the same run. Workloads:

``probe``
    100 empty tasks (the engine's own overhead: child process, journal, CSV);
``constraint_tables``
    the default grid of ``configs/default.toml`` (one-layer constraint tables);
``variety_dimensions``
    the default dimension grid (dominated by the algebra; run once per mode
    unless ``--repeat-dimensions`` says otherwise).

Usage: ``python scripts/bench_sweep.py [--repeat 3] [--workers 2] [--skip-dimensions]``
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import tempfile
import time

import pandas as pd

from varieties.sweep import load_config, parse_config, run_sweep
from varieties.sweep.engine import start_dask

ROOT = pathlib.Path(__file__).resolve().parent.parent


def probe_sweep(n: int = 100):
    [sweep] = parse_config({"sweep": {"name": "probe", "task": "probe_row", "output": "probe.csv",
                                      "timeout": 30,
                                      "grid": {"spec": "2,l1", "value": list(range(n))}}})
    return sweep


def bench(sweep, modes, workers: int, repeat: int) -> list[dict]:
    """Run ``sweep`` ``repeat`` times per mode, alternating modes so that load affects both."""
    walls = {m: [] for m in modes}
    results = {m: [] for m in modes}
    for _ in range(repeat):
        for mode in modes:
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                res = run_sweep(sweep, out, workers=workers, mode=mode, progress=False)
                walls[mode].append(time.perf_counter() - start)
                results[mode].append(res)
    rows = []
    for mode in modes:
        wall = statistics.median(walls[mode])
        res = results[mode][0]
        rows.append({"workload": sweep.name, "mode": mode, "workers": workers,
                     "tasks": res.ran, "ok": res.counts["ok"],
                     "timeout": res.counts["timeout"], "error": res.counts["error"],
                     "runs": repeat, "median s": round(wall, 2),
                     "tasks/min": round(res.ran / wall * 60, 1)})
    base = rows[0]["tasks/min"]
    for r in rows:
        r["ratio"] = round(r["tasks/min"] / base, 2) if base else None
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--repeat-dimensions", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-dimensions", action="store_true")
    args = ap.parse_args()

    default = {s.name: s for s in load_config(ROOT / "configs" / "default.toml")}
    workloads = [(probe_sweep(), args.repeat), (default["constraint_tables"], args.repeat)]
    if not args.skip_dimensions:
        workloads.append((default["variety_dimensions"], args.repeat_dimensions))
    rows = []
    for sweep, repeat in workloads:
        pair = bench(sweep, ["inprocess", "dask"], args.workers, repeat)
        rows += pair
        print(pd.DataFrame(pair).to_string(index=False), flush=True)
    print("\nratio: tasks/min of the mode / tasks/min in-process, same workload, same run")
    starts = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        client, cluster = start_dask(args.workers)
        client.close()
        cluster.close()
        starts.append(time.perf_counter() - t)
    print(f"Dask LocalCluster start + close with {args.workers} workers: "
          f"median {statistics.median(starts):.2f} s over {args.repeat} (included in the Dask runs)")
    print("\n" + pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    import _benchdoc  # --write-docs: this table into docs/benchmarks.md

    _benchdoc.run(main, "bench_sweep")
