"""Schedulers: the same jobs on a thread pool or on a Dask cluster, rows as they finish.

Both yield ``(key, row)`` in the order the tasks finish, each task run by
:func:`~varieties.sweep.isolation.run_isolated`; stopping the iteration
cancels what has not started and kills what is running.

Examples
--------
>>> jobs = [("a", "probe_row", {"spec": "2,l1"}), ("b", "probe_row", {"spec": "3,l1"})]
>>> sorted((k, row["status"]) for k, row in _iter_inprocess(jobs, 30, 2))
[('a', 'ok'), ('b', 'ok')]
"""

from __future__ import annotations

import math
import time

from ..errors import VarietiesError
from ..timelimit import kill_active
from .isolation import run_isolated


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
