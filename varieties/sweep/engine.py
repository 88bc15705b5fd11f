"""Run a sweep: every configuration a task in a child process with a time limit.

Scheduling
----------
``mode="dask"`` submits one task per configuration to a ``dask.distributed``
cluster: a :class:`~distributed.LocalCluster` of ``workers`` single-threaded
workers by default, or an existing cluster at ``scheduler`` (an address such
as ``tcp://10.0.0.1:8786``; its workers need :mod:`varieties` installed).
``mode="inprocess"`` runs the same tasks from a thread pool of ``workers``
threads with no Dask at all; ``mode="auto"`` takes Dask when it is installed.
Either way each task runs in its own child process (see
:func:`run_isolated`), so a time limit really stops it, engines it started
(Singular, msolve) included.

Resumption
----------
Finished rows go to two places. Each is appended to a journal
(``OUTPUT.journal``, one JSON object a line, flushed and fsync'ed) the moment
its task finishes; the CSV itself is only ever replaced whole (written to a
temporary file, then :func:`os.replace`), every few seconds and at the end,
after which the journal is removed. A run that is interrupted, even by
``SIGKILL``, therefore loses at most the tasks in flight, and the CSV is never
half-written. A rerun reads the CSV and any journal left behind, merges them
(deduplicating on the ``key`` column) and skips those configurations.

Rows are written sorted in the order of the configurations in the config
file, so the CSV does not depend on which worker finished first; only the
timing column ``seconds`` differs between two runs.

The parts, one job each: :mod:`~varieties.sweep.isolation` (child processes
and their time limits), :mod:`~varieties.sweep.rows` (the journaled CSV) and
:mod:`~varieties.sweep.schedulers` (thread pool or Dask); this module ties
them into :func:`run_sweep`.
"""

from __future__ import annotations

import math
import pathlib
import sys
import time
from dataclasses import dataclass, field

from .._deprecate import deprecated_call
from .._result_methods import ResultMixin
from ..errors import VarietiesError
from ..timelimit import check_timeout
from .config import ConfigError, Sweep, check_output_path
# Re-exported: these lived here before the split, and callers import them from here.
from .isolation import PRELOAD, _execute, run_isolated  # noqa: F401
from .rows import TIMING_COLUMNS, RowStore, _cell, _normalise, atomic_write_csv  # noqa: F401
from .schedulers import _iter_dask, _iter_inprocess, dask_available, start_dask  # noqa: F401
from .tasks import config_columns, spec_columns, task_columns

ENGINE_COLUMNS = ("status", "message", "seconds")
STATUSES = ("ok", "timeout", "error")
MODES = ("auto", "dask", "inprocess")


@dataclass
class SweepResult(ResultMixin):
    """What a sweep did: counts by status, where it wrote, how long it took.

    ``to_dict``, ``to_frame`` and ``to_json`` as every result type has them
    (:mod:`varieties._result_methods`).
    """

    name: str
    path: pathlib.Path
    mode: str
    total: int = 0
    already_done: int = 0
    ran: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STATUSES})
    seconds: float = 0.0
    interrupted: bool = False

    def summary(self) -> str:
        c = ", ".join(f"{k} {v}" for k, v in self.counts.items())
        rate = self.ran / self.seconds * 60 if self.seconds > 0 else math.nan
        return (f"{self.name}: {self.total} configurations, {self.already_done} already done, "
                f"{self.ran} run ({c}) in {self.seconds:.1f} s [{self.mode}, "
                f"{rate:.0f} tasks/min] -> {self.path}")

def sweep_columns(sweep: Sweep) -> list[str]:
    """``key``, the task's columns, the other grid variables, then status/message/seconds."""
    cols = ["key"] + task_columns(sweep.task)
    cols += [v for v in sweep.variables if v not in cols]
    return cols + [c for c in ENGINE_COLUMNS if c not in cols]

@deprecated_call(positional=("workers", "scheduler", "mode", "progress", "retry_failed",
                             "processes", "checkpoint_s", "limit"))
def run_sweep(
    sweep: Sweep,
    out_dir: str | pathlib.Path = "results",
    *,
    workers: int = 2,
    scheduler: str | None = None,
    mode: str = "auto",
    progress: bool = True,
    retry_failed: bool = False,
    processes: bool = True,
    checkpoint_s: float = 5.0,
    limit: int | None = None,
    retry_unsettled: bool = False,
) -> SweepResult:
    """Run every configuration of ``sweep`` not yet in its CSV; return the counts.

    Parameters
    ----------
    sweep : Sweep
        From :func:`varieties.sweep.config.load_config`.
    out_dir : path
        Folder of the output CSV (``sweep.output`` inside it).
    workers : int
        Parallel tasks (Dask workers, or threads in in-process mode).
    scheduler : str, optional
        Address of an existing Dask scheduler; implies ``mode="dask"``.
    mode : {"auto", "dask", "inprocess"}
        ``auto`` uses Dask when installed.
    progress : bool
        Show a tqdm progress bar (counts by status and ETA) on stderr.
    retry_failed : bool
        Also rerun configurations recorded with status ``timeout``/``error``.
    processes : bool
        Dask LocalCluster with worker processes (default) or threads.
    checkpoint_s : float
        How often the CSV is rewritten while rows arrive (they are journaled
        at once either way).
    limit : int, optional
        Run at most this many of the remaining configurations.
    retry_unsettled : bool
        Also rerun the rows whose ``dim`` or ``function_dim`` column is empty
        (bounds that did not meet), e.g. after a new method.

    Examples
    --------
    >>> import tempfile
    >>> from varieties.sweep.config import parse_config
    >>> [sweep] = parse_config({"sweep": {"task": "probe_row", "output": "p.csv",
    ...     "grid": {"spec": "2,l1", "value": [1, 2]}}})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     first = run_sweep(sweep, d, mode="inprocess", progress=False)
    ...     again = run_sweep(sweep, d, mode="inprocess", progress=False)
    >>> first.counts["ok"], again.already_done, again.ran
    (2, 2, 0)
    """
    if mode not in MODES:
        raise VarietiesError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    check_timeout(sweep.timeout, f"sweep {sweep.name!r}: timeout", ConfigError)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise VarietiesError(f"limit {limit!r} is invalid; give a number of configurations >= 0 "
                             "(0 runs none)")
    if scheduler:
        mode = "dask"
    auto = mode == "auto"
    if auto:
        mode = "dask" if dask_available() else "inprocess"
    if mode == "dask" and not dask_available():
        raise VarietiesError("mode 'dask' needs dask.distributed: install it with "
                             "`pip install 'varieties[dask]'` or use the in-process mode")
    out = pathlib.Path(out_dir) / check_output_path(sweep.output, f"sweep {sweep.name!r}")
    # A link inside --out may still point elsewhere: what is written must resolve inside.
    if not out.resolve().is_relative_to(pathlib.Path(out_dir).resolve()):
        raise ConfigError(f"sweep {sweep.name!r}: output {sweep.output!r} resolves to "
                          f"{out.resolve()}, outside the --out folder {out_dir}; remove the "
                          "link or give another output")
    order = [c["key"] for c in sweep.configs]
    store = RowStore(out, sweep_columns(sweep), order, checkpoint_s=checkpoint_s)
    result = SweepResult(sweep.name, out, mode, total=len(sweep.configs))
    retry = ("timeout", "error") if retry_failed else ()
    todo = []
    for cfg in sweep.configs:
        st = store.status(cfg["key"])
        if st is None or st in retry or (retry_unsettled and _unsettled(store.rows[cfg["key"]])):
            todo.append(cfg)
        else:
            result.already_done += 1
    if limit is not None:
        todo = todo[:limit]
    by_key = {c["key"]: c for c in todo}
    jobs = [(c["key"], sweep.task, _task_config(c, sweep.timeout)) for c in todo]
    bar = _progress(len(todo), sweep.name, progress)
    start = time.perf_counter()
    rows = None
    try:
        if not jobs:
            pass
        elif mode == "dask":
            client, cluster = _start_or_fall_back(workers, scheduler, processes, auto, result)
            if client is None:
                rows = _iter_inprocess(jobs, sweep.timeout, workers)
            else:
                rows = _iter_dask(jobs, sweep.timeout, client, cluster)
            _consume(rows, sweep.task, by_key, store, result, bar)
        else:
            rows = _iter_inprocess(jobs, sweep.timeout, workers)
            _consume(rows, sweep.task, by_key, store, result, bar)
    except KeyboardInterrupt:
        result.interrupted = True
        raise
    finally:
        # An interrupt while a row is being stored leaves the generator paused at
        # its yield: close it now, so that its cleanup kills the running tasks
        # instead of leaving their threads (and the process) alive until they end.
        if rows is not None:
            rows.close()
        result.seconds = time.perf_counter() - start
        bar.close()
        store.close()
    return result

def _unsettled(row: dict) -> bool:
    """Whether a stored row has a dimension column without a value."""
    return any(c in row and row[c] in ("", None) for c in ("dim", "function_dim"))

def _start_or_fall_back(workers, scheduler, processes, auto, result):
    """Start Dask; in ``auto`` mode a LocalCluster that fails to start means in-process."""
    try:
        return start_dask(workers, scheduler, processes)
    except Exception as exc:
        if not auto or scheduler:
            raise
        print(f"varieties: the Dask LocalCluster did not start ({type(exc).__name__}: {exc}); "
              "running in-process instead", file=sys.stderr)
        result.mode = "inprocess"
        return None, None

def _task_config(cfg: dict, timeout: float) -> dict:
    """The configuration a task sees: the analysis' own limit set a little under the kill."""
    task_cfg = {k: v for k, v in cfg.items() if k != "key"}
    # Leave the analysis room to stop at its own limit and report the bounds
    # it has, before the hard kill (which leaves only "timeout").
    task_cfg.setdefault("timeout", max(1.0, min(0.8 * timeout - 0.5, timeout - 10.0)))
    return task_cfg

def _consume(rows, task: str, by_key, store: RowStore, result: SweepResult, bar) -> None:
    for key, row in rows:
        cfg = by_key[key]
        full = {"key": key, **{k: _normalise(v) for k, v in cfg.items() if k != "key"}}
        full.update({k: v for k, v in row.items() if v is not None or k not in full})
        status = full.get("status") if full.get("status") in STATUSES else "error"
        full["status"] = status
        # What a finished row says about its configuration, the task's defaults
        # included (a grid may leave group/kind out, and a timed-out task or a
        # custom one says nothing); the network's size only where the task
        # did not report it.
        filled = spec_columns(cfg, task) if status != "ok" else config_columns(cfg, task)
        for k, v in filled.items():
            if full.get(k) is None:
                full[k] = _normalise(v)
        store.add(full)
        result.ran += 1
        result.counts[status] += 1
        bar.set_postfix(result.counts, refresh=False)
        bar.update(1)

def _progress(total: int, name: str, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=name, unit="task", disable=not enabled or total == 0,
                dynamic_ncols=True, file=sys.stderr)
