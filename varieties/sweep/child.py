"""``python -m varieties.sweep.child``: run one task, JSON in on stdin, JSON row out on stdout.

The engine's fallback isolation where multiprocessing children are not
allowed (inside daemonic Dask workers of an existing cluster).
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    from ..timelimit import parent_gone, start_watchdog
    from .isolation import _execute

    job = json.loads(sys.stdin.read())
    # Started in a session of its own: enforce the limit even if the engine that
    # started us dies or hangs (a torn-down Dask worker).
    start_watchdog(float(job.get("timeout", 3600.0)), parent_gone(), own_session=True)
    row = _execute(job["task"], job["config"])
    sys.stdout.write("\n" + json.dumps(row, default=str) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
