"""``varieties sweep CONFIG.toml``: run the sweeps of a config file, resumably, in parallel."""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser(
        "sweep",
        help="run a grid of configurations (constraint tables, variety dimensions) to CSV",
        description="Run every configuration of the sweeps in CONFIG (TOML; the format is "
        "documented in varieties.sweep.config) as a task with a time limit, on Dask or "
        "in-process, appending rows to the output CSVs as tasks finish. A rerun skips "
        "configurations already in the CSV.",
    )
    p.add_argument("config", metavar="CONFIG.toml", help="sweep config, e.g. configs/default.toml")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of an existing Dask scheduler (default: a LocalCluster)")
    p.add_argument("--workers", type=int, default=2, metavar="N",
                   help="parallel tasks: LocalCluster workers or threads (default 2)")
    p.add_argument("--out", default="results", metavar="DIR",
                   help="folder of the output CSVs and figures (default results)")
    p.add_argument("--in-process", action="store_true",
                   help="no Dask: run tasks from a thread pool in this process")
    p.add_argument("--only", action="append", metavar="NAME",
                   help="run only the sweep(s) of this name (repeatable)")
    p.add_argument("--timeout", type=float, metavar="S",
                   help="override every sweep's per-task time limit, in seconds")
    p.add_argument("--retry-failed", action="store_true",
                   help="also rerun configurations recorded as timeout or error")
    p.add_argument("--retry-unsettled", action="store_true",
                   help="also rerun rows whose dim or function_dim is not settled")
    p.add_argument("--limit", type=int, metavar="N",
                   help="run at most N new configurations per sweep")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-figures", action="store_true", help="do not draw the PNG figures")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..errors import VarietiesError
    from ..sweep import load_config, run_sweep
    from ..timelimit import check_timeout

    if args.workers < 1:
        raise VarietiesError(f"--workers {args.workers} is invalid; give at least 1")
    # `is not None`: --timeout 0 and --limit 0 are values to check, not "unset".
    timeout = None if args.timeout is None else check_timeout(args.timeout, "--timeout")
    if args.limit is not None and args.limit < 0:
        raise VarietiesError(f"--limit {args.limit} is invalid; give 0 or more new "
                             "configurations per sweep")
    sweeps = load_config(args.config)
    if args.only:
        unknown = set(args.only) - {s.name for s in sweeps}
        if unknown:
            raise VarietiesError(f"no sweep named {sorted(unknown)} in {args.config}; it has "
                                 + ", ".join(s.name for s in sweeps))
        sweeps = [s for s in sweeps if s.name in args.only]
    mode = "inprocess" if args.in_process else "auto"
    results = []
    for sweep in sweeps:
        if timeout is not None:
            sweep.timeout = timeout
        try:
            res = run_sweep(sweep, args.out, workers=args.workers, scheduler=args.scheduler,
                            mode=mode, progress=not args.no_progress,
                            retry_failed=args.retry_failed, limit=args.limit,
                            retry_unsettled=args.retry_unsettled)
        except KeyboardInterrupt:
            print(f"\ninterrupted: the finished rows of {sweep.name} are saved; run the same "
                  "command again to resume", file=sys.stderr)
            return 130
        results.append((res, {c["key"] for c in sweep.configs}))
        print(res.summary() + (f" ({sweep.skipped} undefined skipped)" if sweep.skipped else ""))
    print_summaries(results, figures=not args.no_figures)
    return 0


def run_config_script(config, argv, out) -> int:
    """``varieties sweep CONFIG *argv`` with ``--out`` defaulting to ``out``: a batch script's body.

    The scripts under ``scripts/`` run a config of the repository into its
    ``results/`` folder whatever the working directory is.
    """
    from ..cli import main

    # The default goes first: argparse keeps the last --out, so the user's
    # (--out DIR or --out=DIR) wins.
    return main(["sweep", str(config), "--out", str(out), *argv])


def print_summaries(results, figures: bool = True) -> None:
    """Print the summary table of each sweep's configurations and draw its CSV's figure."""
    from .. import results as report
    from .common import print_frame

    for res, keys in results:
        path = res.path
        df = report.load(path)
        mine = df[df["key"].isin(keys)]
        extra = f" (the file holds {len(df)})" if len(df) != len(mine) else ""
        print(f"\n{path}: {len(mine)} rows of this config{extra}")
        if not mine.empty:
            print_frame(report.summarize(mine))
        if figures and df.empty:  # e.g. --limit 0 on a fresh --out: nothing to draw yet
            print(f"no figure: {path} has no rows yet", file=sys.stderr)
        elif figures:
            try:
                for png in report.figures(path):
                    print(f"figure: {png}")
            except ImportError as exc:  # matplotlib is an optional extra
                print(f"no figure ({exc}); install 'varieties[plot]'", file=sys.stderr)
