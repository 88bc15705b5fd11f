"""Each task in a child process with a time limit that really stops it.

:func:`run_isolated` runs a task in a child forked from a multiprocessing
forkserver (preloaded with the tasks' imports, so a child starts warm) or,
inside daemonic Dask workers, in a fresh interpreter
(:mod:`varieties.sweep.child`); past the limit the child's whole process
group is killed, engines it started (Singular, msolve) included. It never
raises for a failing task: the failure is the row.

Examples
--------
>>> row = run_isolated("probe_row", {"spec": "2,l1"}, timeout=30)
>>> row["status"], sorted(k for k in row if k in ("message", "seconds"))
('ok', ['message', 'seconds'])
"""

from __future__ import annotations

import json
import math
import multiprocessing
import subprocess
import sys
import time
import types

from ..errors import VarietiesError
from ..timelimit import call_in_child, kill_group, track
from .rows import _normalise

# Imported once in the forkserver, so that each child starts warm.
PRELOAD = ("varieties.sweep.warm",)


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
