"""Hard time limits: run a function in a child process and kill it, with its children, on time.

Exact algebra has no useful progress bound: a Groebner basis finishes in a
second or not in a day. Every long computation of the package therefore runs
under a wall-clock limit that cannot be ignored: :func:`call_in_child` runs
``fn(*args)`` in a forked child that leads a process session of its own, and
kills the whole session (the child and every Singular, msolve or sympy
process it started) when the time is up. The child also watches the clock
and its caller itself: past the limit plus :data:`GRACE`, or once the caller
is gone (a sweep killed with SIGKILL, a Dask worker torn down), it kills its
own session. Children still running when the interpreter exits are killed
too, so nothing outlives its limit or an interrupted run.

Examples
--------
>>> call_in_child(pow, (2, 10), timeout=30).value
1024
>>> import time
>>> call_in_child(time.sleep, (10,), timeout=0.5).status
'timeout'
"""

from __future__ import annotations

import atexit
import math
import multiprocessing
import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

# Seconds past its limit after which a child kills itself, should the parent not have
# done so (stopped, or busy); the parent normally kills it at the limit itself.
GRACE = 2.0
WATCH_INTERVAL = 0.2

# The longest wait the platform's poll() takes is 2**31 - 1 ms (about 24 days).
MAX_TIMEOUT = 1_000_000.0

# Process-group ids of the children now running, for the exit handler.
_ACTIVE: set[int] = set()
_ACTIVE_LOCK = threading.Lock()


class TimeLimit(Exception):
    """A computation passed its deadline.

    Raised by the steps that take a ``deadline`` (a ``time.perf_counter()``
    value): the expansion, the constraints, and the phases of
    :func:`varieties.algebra.analyze`, which catches it and reports status
    ``timeout`` with what was done; never shown to users of the command line.
    """


def check_deadline(deadline: float | None) -> None:
    """Raise :class:`TimeLimit` when ``time.perf_counter()`` is past ``deadline`` (if any).

    Examples
    --------
    >>> check_deadline(None)
    >>> check_deadline(time.perf_counter() - 1)
    Traceback (most recent call last):
    ...
    varieties.timelimit.TimeLimit
    """
    if deadline is not None and time.perf_counter() > deadline:
        raise TimeLimit


def check_timeout(value, what: str = "timeout", error=None) -> float:
    """``value`` as a time limit in seconds, or ``error`` saying why it is not one.

    ``error`` is the exception class to raise (default
    :class:`~varieties.errors.VarietiesError`): callers name their own, such
    as a config or method error.

    Examples
    --------
    >>> check_timeout(60)
    60.0
    >>> check_timeout(float("nan"), "--timeout")
    Traceback (most recent call last):
    ...
    varieties.errors.VarietiesError: --timeout nan is invalid; give a number of seconds greater than 0 and at most 1000000
    """
    # bool is an int, but `timeout = true` is a mistake, not one second.
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        try:
            ok = math.isfinite(float(value)) and 0 < value <= MAX_TIMEOUT
        except OverflowError:  # an int beyond the floats
            ok = False
    if not ok:
        if error is None:
            from .errors import VarietiesError as error
        raise error(f"{what} {value!r} is invalid; give a number of seconds greater "
                    f"than 0 and at most {MAX_TIMEOUT:.0f}")
    return float(value)


def deadline_after(timeout, what: str = "timeout", error=None) -> float | None:
    """The ``time.perf_counter()`` value ``timeout`` seconds from now (None: no limit).

    Public functions take a ``timeout`` in seconds; inside, the limit travels
    as this absolute deadline, so that nested calls share one budget. ``0``
    is allowed and means the time is already up (a caller passing on what is
    left of its own budget).

    Examples
    --------
    >>> deadline_after(None) is None
    True
    >>> deadline_after(10) > time.perf_counter()
    True
    """
    if timeout is None:
        return None
    if not (isinstance(timeout, (int, float)) and timeout == 0) or isinstance(timeout, bool):
        timeout = check_timeout(timeout, what, error)
    return time.perf_counter() + float(timeout)


def time_left(deadline: float | None) -> float | None:
    """Seconds until ``deadline`` (0 once past it; None for no deadline): the inverse."""
    if deadline is None:
        return None
    return max(0.0, deadline - time.perf_counter())


@dataclass
class ChildResult:
    """What became of a call in a child process.

    ``status`` is ``ok`` (``value`` holds the return value), ``raised``
    (``value`` holds the exception, re-created in this process), ``timeout``
    (killed at the limit) or ``died`` (the child ended without an answer,
    e.g. killed for lack of memory; ``exitcode`` says how).
    """

    status: str
    value: Any = None
    seconds: float = 0.0
    exitcode: int | None = None


def start_watchdog(limit: float, gone: Callable[[], bool], own_session: bool) -> None:
    """Kill this process (and its session, if it leads one) past ``limit + GRACE`` or once ``gone()``.

    ``gone`` says whether the caller that set the limit is gone; it is called in
    a loop and should itself wait about :data:`WATCH_INTERVAL` seconds.
    """
    def watch():
        end = time.monotonic() + limit + GRACE
        while time.monotonic() < end and not gone():
            pass
        # Past the limit, or orphaned: take down what this process started, then itself.
        if own_session:
            os.killpg(0, signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, daemon=True).start()


def parent_gone() -> Callable[[], bool]:
    """A ``gone`` for :func:`start_watchdog`: whether this process' parent has changed."""
    parent = os.getppid()

    def gone() -> bool:
        time.sleep(WATCH_INTERVAL)
        return os.getppid() != parent

    return gone


def _child_main(conn, alive, alive_w, fn: Callable, args: tuple, new_session: bool,
                limit: float) -> None:
    # A forked child inherits the caller's end of the pipe; holding it would hide the EOF.
    alive_w.close()
    if new_session:
        # Its own session: killing the group also kills the engines it starts.
        os.setsid()
    # ``alive`` reads EOF once the caller has closed its end or died, whichever
    # process forked us (the caller itself, or a forkserver that outlives it).
    start_watchdog(limit, lambda: alive.poll(WATCH_INTERVAL), new_session)
    try:
        conn.send(("ok", fn(*args)))
    except BaseException as exc:  # hand every failure to the parent
        try:
            conn.send(("raised", exc))
        except Exception:  # an exception that does not pickle
            conn.send(("raised", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def kill_group(pid: int) -> None:
    """SIGKILL the process group led by ``pid`` (or just ``pid`` if it leads none)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def call_in_child(fn: Callable, args: tuple = (), timeout: float = 60.0, context=None,
                  new_session: bool = True) -> ChildResult:
    """Run ``fn(*args)`` in a child process, killed after ``timeout`` seconds (wall clock).

    Parameters
    ----------
    fn, args
        The call; its result and exceptions must pickle.
    timeout : float
        Seconds from the start of the child.
    context : multiprocessing context, optional
        ``fork`` by default (cheap, and the child sees what is already
        imported); the sweep engine passes a forkserver context, which is safe
        from multi-threaded Dask workers.
    new_session : bool
        Start the child in a session of its own, so that the kill reaches
        the processes it starts (default).

    Returns
    -------
    ChildResult
    """
    ctx = context or multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    alive, alive_w = ctx.Pipe(duplex=False)
    start = time.perf_counter()
    proc = ctx.Process(target=_child_main,
                       args=(child, alive, alive_w, fn, args, new_session, timeout), daemon=False)
    proc.start()
    child.close()
    alive.close()
    with _ACTIVE_LOCK:
        _ACTIVE.add(proc.pid)
    status, value = "timeout", None
    try:
        if parent.poll(timeout):
            try:
                status, value = parent.recv()
            except EOFError:
                status = "died"
    finally:
        seconds = time.perf_counter() - start
        if new_session:
            # Before the child is reaped, so that its pid, the group's id, cannot have been
            # reused; even after an answer, so that processes it left running go too.
            kill_group(proc.pid)
        elif status != "ok":
            proc.kill()
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()
        with _ACTIVE_LOCK:
            _ACTIVE.discard(proc.pid)
        parent.close()
        alive_w.close()
    return ChildResult(status, value, seconds, proc.exitcode)


def track(pid: int, active: bool = True) -> None:
    """Register (or forget) a child started elsewhere, to be killed at exit like ours."""
    with _ACTIVE_LOCK:
        (_ACTIVE.add if active else _ACTIVE.discard)(pid)


@atexit.register
def kill_active() -> None:
    """Kill every child (and its session) still running; also run at interpreter exit."""
    with _ACTIVE_LOCK:
        pids = list(_ACTIVE)
    for pid in pids:
        kill_group(pid)
