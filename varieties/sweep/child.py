"""``python -m varieties.sweep.child``: run one task, JSON in on stdin, JSON row out on stdout.

The engine's fallback isolation where multiprocessing children are not
allowed (inside daemonic Dask workers of an existing cluster).
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    from .engine import _execute

    job = json.loads(sys.stdin.read())
    row = _execute(job["task"], job["config"])
    sys.stdout.write("\n" + json.dumps(row, default=str) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
