"""The row store: one output CSV, journaled row by row and replaced whole.

Each finished row is appended to ``OUTPUT.journal`` (one JSON object a line,
flushed and fsync'ed) the moment it arrives; the CSV is only ever replaced
whole (:func:`atomic_write_csv`: a temporary file renamed over it). A rerun
merges the CSV with any journal left behind. Cells are text: floats in full
(``repr``), timings to 4 decimals (:func:`_cell`).

Examples
--------
>>> import pathlib, tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     p = pathlib.Path(d) / "t.csv"
...     atomic_write_csv(p, ["key", "seconds"], [{"key": "a", "seconds": _cell(0.123456, "seconds")}])
...     p.read_text().splitlines()
['key,seconds', 'a,0.1235']
"""

from __future__ import annotations

import csv
import json
import math
import os
import pathlib
import tempfile
import threading
import time
from fractions import Fraction
from typing import Any, Iterable

from ..errors import VarietiesError

TIMING_COLUMNS = ("seconds",)


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
