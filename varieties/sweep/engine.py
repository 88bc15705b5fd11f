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
"""

from __future__ import annotations

import csv
import json
import math
import multiprocessing
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time
import types
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterable

from ..errors import VarietiesError
from ..timelimit import call_in_child, check_timeout, kill_active, kill_group, track
from .config import ConfigError, Sweep, check_output_path
from .tasks import config_columns, spec_columns, task_columns

ENGINE_COLUMNS = ("status", "message", "seconds")
TIMING_COLUMNS = ("seconds",)
STATUSES = ("ok", "timeout", "error")
MODES = ("auto", "dask", "inprocess")

# Imported once in the forkserver, so that each child starts warm.
PRELOAD = ("varieties.sweep.warm",)

@dataclass
class SweepResult:
    """What a sweep did: counts by status, where it wrote, how long it took."""

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


# --------------------------------------------------------------------------- child processes

def _normalise(value: Any) -> Any:
    """A CSV-friendly plain value: JSON text for containers, str for exotic numbers."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else str(value)
    if isinstance(value, (list, tuple, dict, set)):
        if isinstance(value, set):
            value = sorted(value, key=str)
        return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    try:  # numpy scalars
        import numpy as np

        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return float(value)
        if isinstance(value, np.bool_):
            return bool(value)
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def _execute(task: str, config: dict) -> dict:
    """Run the task here and now; never raises. Returns the row with status/message/seconds."""
    from .tasks import resolve_task

    start = time.perf_counter()
    try:
        row = dict(resolve_task(task)(config))
        row.setdefault("status", "ok")
        row.setdefault("message", "")
    except Exception as exc:  # recorded, not raised: a failed task is a row
        row = {"status": "error", "message": f"{type(exc).__name__}: {exc}"}
    row.setdefault("seconds", time.perf_counter() - start)
    return {k: _normalise(v) for k, v in row.items()}


def _context():
    """The multiprocessing context for children: a forkserver with the tasks preloaded.

    Forking from a clean server (rather than from a multi-threaded Dask worker)
    is safe, and with sympy already imported a child starts in milliseconds.
    """
    global _CTX
    if _CTX is None:
        ctx = multiprocessing.get_context("forkserver")
        # Missing modules are skipped by the forkserver (ImportError is ignored).
        ctx.set_forkserver_preload(list(PRELOAD) + _main_imports())
        _CTX = ctx
    return _CTX


_CTX = None


def _main_imports() -> list[str]:
    """Modules the calling script imported, for the forkserver to import once.

    Each child re-executes a script's top level (as ``__mp_main__``); with its
    imports (pandas, matplotlib ...) already loaded in the forkserver that
    takes microseconds instead of a second. (``"__main__"`` in the preload
    list would say the same, but Python 3.11's forkserver never receives the
    script's path.) Nothing is needed for ``python -m`` runs, whose children do
    not re-import the main module.
    """
    main = sys.modules.get("__main__")
    if main is None or getattr(getattr(main, "__spec__", None), "name", None) is not None:
        return []
    if not getattr(main, "__file__", None):
        return []
    names = set()
    for value in list(vars(main).values()):
        if isinstance(value, types.ModuleType):
            mod = value.__name__
        else:
            mod = getattr(value, "__module__", None)
        if isinstance(mod, str) and mod and not mod.startswith("__"):
            names.add(mod.partition(".")[0])
    # `import matplotlib.pyplot` binds only `matplotlib`: take every loaded
    # submodule of the packages the script uses.
    return sorted(m for m in list(sys.modules) if m.partition(".")[0] in names)


def _can_fork_children() -> bool:
    """Daemonic processes (default Dask workers) may not start multiprocessing children."""
    return not multiprocessing.current_process().daemon


def run_isolated(task: str, config: dict, timeout: float, isolation: str = "auto") -> dict:
    """Run ``task(config)`` in a child process, killed after ``timeout`` seconds.

    Parameters
    ----------
    task : str
        Task name (see :mod:`varieties.sweep.tasks`).
    config : dict
        The configuration.
    timeout : float
        Time limit in seconds (wall clock, the child's start included).
    isolation : {"auto", "fork", "subprocess"}
        ``fork``: a child forked from a multiprocessing forkserver (fast);
        ``subprocess``: a fresh interpreter (works inside daemonic Dask
        workers); ``auto`` picks ``fork`` where allowed.

    Returns
    -------
    dict
        The task's row plus ``status`` (``ok``, ``timeout`` or ``error``),
        ``message`` and ``seconds``; it never raises for a failing task.

    Examples
    --------
    >>> run_isolated("probe_row", {"spec": "2,l1", "sleep": 5}, timeout=0.5)["status"]
    'timeout'
    """
    if isolation == "auto":
        isolation = "fork" if _can_fork_children() else "subprocess"
    start = time.perf_counter()
    if isolation == "fork":
        row = _run_forked(task, config, timeout)
    elif isolation == "subprocess":
        row = _run_subprocess(task, config, timeout)
    else:
        raise VarietiesError(f"unknown isolation {isolation!r}; choose auto, fork or subprocess")
    if row is None:
        row = {"status": "timeout",
               "message": f"killed after the time limit of {timeout:g} s",
               "seconds": time.perf_counter() - start}
    return row


def _run_forked(task: str, config: dict, timeout: float) -> dict | None:
    res = call_in_child(_execute, (task, config), timeout, context=_context())
    if res.status == "ok":
        return res.value
    if res.status == "timeout":
        return None
    what = (f"exit code {res.exitcode}" if res.status == "died"
            else f"{type(res.value).__name__}: {res.value}")
    return {"status": "error", "message": f"the task's process died ({what})",
            "seconds": math.nan}


def _run_subprocess(task: str, config: dict, timeout: float) -> dict | None:
    cmd = [sys.executable, "-m", "varieties.sweep.child"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    track(proc.pid)
    try:
        job = {"task": task, "config": config, "timeout": timeout}
        out, err = proc.communicate(json.dumps(job), timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc.pid)
        proc.communicate()
        return None
    finally:
        track(proc.pid, active=False)
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        tail = (err or "").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        return {"status": "error", "message": f"the task's process died: {tail[0]}",
                "seconds": math.nan}


# --------------------------------------------------------------------------- the row store

def _cell(value: Any, column: str = "") -> str:
    """The CSV text of a value: ``repr`` for floats (exact), 4 decimals for timings.

    Timings are noise below a tenth of a millisecond, and fewer digits keep
    the CSV readable; any other float a task returns is written in full
    (``1e-05`` stays ``1e-05``), so that reading it back gives the same number.
    """
    if value is None:
        return ""
    if column in TIMING_COLUMNS and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = float(value)  # a task's integer seconds are still a float column
        return "" if math.isnan(value) else repr(round(value, 4))
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return str(value)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def atomic_write_csv(path: pathlib.Path, columns: list[str], rows: Iterable[dict]) -> None:
    """Write a CSV to a temporary file beside ``path`` and rename it over ``path``."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp's 0600 would make results private
        with os.fdopen(fd, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore",
                                    lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({c: row.get(c, "") for c in columns})
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class RowStore:
    """The rows of one output CSV: loaded, added to (journaled), written atomically.

    Rows are dicts of CSV cells (strings) keyed by their ``key`` column.
    """

    def __init__(self, path: str | pathlib.Path, columns: list[str], order: list[str],
                 checkpoint_s: float = 5.0):
        self.path = pathlib.Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lockfile = self._lock_output()
        self.journal = self.path.with_name(self.path.name + ".journal")
        self.order = {k: i for i, k in enumerate(order)}
        self.checkpoint_s = checkpoint_s
        self.rows: dict[str, dict] = {}
        self.columns = list(columns)
        self._lock = threading.Lock()
        self._fh = None
        self._last_write = time.monotonic()
        self._file_pos: dict[str, int] = {}
        self._dirty = False
        self._load()

    def _load(self) -> None:
        if self.path.exists():
            with open(self.path, newline="") as fh:
                reader = csv.DictReader(fh)
                for name in reader.fieldnames or []:
                    if name not in self.columns:
                        self.columns.insert(len(self.columns) - len(ENGINE_COLUMNS), name)
                for row in reader:
                    if row.get("key"):
                        self.rows[row["key"]] = row
                        self._file_pos.setdefault(row["key"], len(self._file_pos))
        recovered = 0
        if self.journal.exists():
            with open(self.journal) as fh:
                for line in fh:
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # the line being written when the run was killed
                    if isinstance(row, dict) and row.get("key"):
                        self.rows[row["key"]] = row
                        recovered += 1
        self.recovered = recovered
        if recovered:
            self.write()
        if self.journal.exists():
            self.journal.unlink()

    def _lock_output(self):
        """Hold an exclusive lock on ``OUTPUT.lock``: two sweeps writing one CSV would lose rows.

        A finishing sweep removes the lock file (while still holding it). A
        sweep that opened the file before that and locks it after holds a lock
        on a file no longer at the path, which a third sweep does not see; so
        the lock only counts once the locked file is still the one at the path.
        """
        import fcntl

        path = self.path.with_name(self.path.name + ".lock")
        for _ in range(100):
            fh = open(path, "a")
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                fh.close()
                raise VarietiesError(
                    f"another sweep is writing {self.path}; wait for it to finish (or write "
                    "to another --out folder)"
                ) from None
            mine = os.fstat(fh.fileno())
            try:
                now = os.stat(path)
            except FileNotFoundError:
                now = None
            if now is not None and (now.st_ino, now.st_dev) == (mine.st_ino, mine.st_dev):
                return fh
            fh.close()  # removed (or replaced) by a sweep that just finished: lock anew
        raise VarietiesError(f"cannot lock {path}: it keeps being replaced; check that no other "
                             "program deletes files in the --out folder")

    def status(self, key: str) -> str | None:
        row = self.rows.get(key)
        return None if row is None else row.get("status", "")

    def add(self, row: dict) -> None:
        """Record a finished row: journal it now, rewrite the CSV every few seconds."""
        cells = {c: _cell(v, c) for c, v in row.items()}
        with self._lock:
            # In memory first: a Ctrl-C between the two steps then still reaches the CSV
            # that close() writes; the other order lost a journaled row (close() drops
            # the journal once the CSV is written).
            self.rows[cells["key"]] = cells
            self._dirty = True
            if self._fh is None:
                self._fh = open(self.journal, "a")
            self._fh.write(json.dumps(cells, sort_keys=True) + "\n")
            self._fh.flush()
            os.fsync(self._fh.fileno())
            if time.monotonic() - self._last_write > self.checkpoint_s:
                self._write_locked()

    def sorted_rows(self) -> list[dict]:
        """This sweep's rows in config order, then other rows in their earlier file order."""
        def rank(row):
            key = row["key"]
            if key in self.order:
                return (0, self.order[key], "")
            return (1, self._file_pos.get(key, len(self._file_pos)), key)

        return sorted(self.rows.values(), key=rank)

    def write(self) -> None:
        with self._lock:
            self._write_locked()

    def _write_locked(self) -> None:
        atomic_write_csv(self.path, self.columns, self.sorted_rows())
        self._last_write = time.monotonic()

    def close(self) -> None:
        """Write the CSV (if rows arrived), then drop the journal, whose rows it now holds."""
        with self._lock:
            if self._dirty or not self.path.exists():
                self._write_locked()
            if self._fh is not None:
                self._fh.close()
                self._fh = None
            if self.journal.exists():
                self.journal.unlink()
            if self._lockfile is not None:
                # Unlink before unlocking: a sweep waiting on this file then
                # finds it gone from the path and locks a fresh one (see
                # _lock_output), instead of two sweeps each holding a lock.
                pathlib.Path(self._lockfile.name).unlink(missing_ok=True)
                self._lockfile.close()
                self._lockfile = None


# --------------------------------------------------------------------------- schedulers

def dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def _iter_inprocess(jobs, timeout, workers):
    from concurrent.futures import ThreadPoolExecutor, as_completed, wait

    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    futures = {}
    try:
        futures = {pool.submit(run_isolated, task, cfg, timeout): key for key, task, cfg in jobs}
        for fut in as_completed(futures):
            yield futures[fut], fut.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        # A worker thread may have taken its next job just before the cancel and
        # start that child after a single kill: kill until every running job is done.
        pending = [f for f in futures if not f.done()]
        while pending:
            kill_active()
            pending = list(wait(pending, timeout=0.1).not_done)
        pool.shutdown(wait=True)


def start_dask(workers: int, scheduler: str | None = None, processes: bool = True):
    """A Dask client: connected to ``scheduler``, or to a new LocalCluster of ``workers``.

    Returns ``(client, cluster)``; ``cluster`` is ``None`` for an existing scheduler.
    """
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError, ValueError) as exc:  # ValueError: a malformed address
            raise VarietiesError(
                f"cannot connect to the Dask scheduler at {scheduler!r} ({exc}); check the "
                "address (e.g. tcp://host:8786) or leave --scheduler out for a local cluster"
            ) from None
    # Non-daemonic workers may fork the tasks' child processes themselves.
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1,
                               processes=processes, dashboard_address=None,
                               memory_limit=0, silence_logs=40)
    try:
        return Client(cluster), cluster
    except BaseException:
        cluster.close()
        raise


def _iter_dask(jobs, timeout, client, cluster):
    from distributed import as_completed

    try:
        futures = {}
        for key, task, cfg in jobs:
            fut = client.submit(run_isolated, task, cfg, timeout, pure=False,
                                key=f"varieties-sweep-{key}-{time.time_ns()}")
            futures[fut] = key
        for fut in as_completed(futures):
            try:
                row = fut.result()
            except Exception as exc:  # the worker itself died
                row = {"status": "error", "message": f"dask: {type(exc).__name__}: {exc}",
                       "seconds": math.nan}
            yield futures[fut], row
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --------------------------------------------------------------------------- the sweep

def sweep_columns(sweep: Sweep) -> list[str]:
    """``key``, the task's columns, the other grid variables, then status/message/seconds."""
    cols = ["key"] + task_columns(sweep.task)
    cols += [v for v in sweep.variables if v not in cols]
    return cols + [c for c in ENGINE_COLUMNS if c not in cols]


def run_sweep(
    sweep: Sweep,
    out_dir: str | pathlib.Path = "results",
    workers: int = 2,
    scheduler: str | None = None,
    mode: str = "auto",
    progress: bool = True,
    retry_failed: bool = False,
    processes: bool = True,
    checkpoint_s: float = 5.0,
    limit: int | None = None,
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
        if st is None or st in retry:
            todo.append(cfg)
        else:
            result.already_done += 1
    if limit is not None:
        todo = todo[:limit]
    by_key = {c["key"]: c for c in todo}
    jobs = [(c["key"], sweep.task, _task_config(c, sweep.timeout)) for c in todo]
    bar = _progress(len(todo), sweep.name, progress)
    start = time.perf_counter()
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
            _consume(_iter_inprocess(jobs, sweep.timeout, workers), sweep.task, by_key, store,
                     result, bar)
    except KeyboardInterrupt:
        result.interrupted = True
        raise
    finally:
        result.seconds = time.perf_counter() - start
        bar.close()
        store.close()
    return result


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
