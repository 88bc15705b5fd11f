"""Sweeps: run a task over a grid of configurations, resumably, in parallel.

* :mod:`~varieties.sweep.config` reads the TOML config format and expands grids;
* :mod:`~varieties.sweep.tasks` holds the task functions (one row each);
* :mod:`~varieties.sweep.engine` runs them on Dask or in-process
  (:mod:`~varieties.sweep.schedulers`), each in a child process with a time
  limit (:mod:`~varieties.sweep.isolation`), and writes the CSV resumably
  (:mod:`~varieties.sweep.rows`).

Examples
--------
>>> from varieties.sweep import parse_config
>>> [s] = parse_config({"sweep": {"task": "constraint_row", "grid": {
...     "n": [2, 3], "group": "symmetric", "kind": "equivariant", "spec": "{n},q{out}"}}})
>>> [c["key"] for c in s.configs]
['spec=2,q2;group=symmetric;kind=equivariant', 'spec=3,q3;group=symmetric;kind=equivariant']
"""

from .config import ConfigError, Sweep, config_key, expand_grid, load_config, parse_config
from .engine import (
    TIMING_COLUMNS,
    RowStore,
    SweepResult,
    atomic_write_csv,
    run_isolated,
    run_sweep,
    sweep_columns,
)
from .tasks import TASKS, constraint_row, dimension_row, probe_row

__all__ = [
    "ConfigError", "RowStore", "Sweep", "SweepResult", "TASKS", "TIMING_COLUMNS",
    "atomic_write_csv", "config_key", "constraint_row", "dimension_row", "expand_grid",
    "load_config", "parse_config", "probe_row", "run_isolated", "run_sweep", "sweep_columns",
]
