"""Sweep configurations: a TOML file expanded into a list of tasks.

Format
------
A config file holds one or more sweeps, each a ``[[sweep]]`` table (a single
``[sweep]`` table is accepted too)::

    [[sweep]]
    name = "constraint_tables"        # label in the progress bar and summary
    task = "constraint_row"           # a task of varieties.sweep.tasks, or "module:function"
    output = "constraint_tables.csv"  # CSV file, relative to the --out folder
    timeout = 60                      # seconds per configuration (default 60)

    [[sweep.grid]]                    # one or more grids; the sweep is their union
    n = [2, 3, 4]                     # a list is varied over ...
    layer = ["q", "l"]
    group = ["symmetric", "cyclic"]
    kind = ["invariant", "equivariant"]
    full = false                      # ... a scalar is fixed
    spec = "{n},{layer}{out}"         # template filled from the variables
    where = "n >= 3 or layer == 'q'"  # optional filter(s): a string or a list of strings

Each grid is the cartesian product of its list-valued entries (in the order
written). ``spec`` may be a plain SPEC or a template in :meth:`str.format`
syntax over the grid's variables and these derived ones:

``out``
    the output width that ``kind`` needs: 1 for ``invariant`` and ``none``,
    ``n`` for ``equivariant``, ``n // 2`` for ``folded``.
``half``
    ``n // 2``.

``where`` expressions use the variables, numbers, strings, comparisons,
``and``/``or``/``not``, ``+ - * // %`` and ``in``; nothing else is evaluated.
A value that is itself a list (such as ``exclude``) is varied over too, so a
fixed list is written ``exclude = [["a", "b"]]``.

Configurations whose symmetry is not defined (an odd ``n`` for the
hyperoctahedral group, ``folded`` outside it, an output width that does not
fit ``kind``) are dropped when the sweep sets ``skip_undefined = true`` (the
default) and counted in :attr:`Sweep.skipped`; otherwise they run and are
recorded with status ``error``.

Every configuration gets a stable ``key`` (see :func:`config_key`): the
task's arguments that differ from their defaults, in a fixed order. A rerun
skips configurations whose key is already in the output CSV.
"""

from __future__ import annotations

import ast
import itertools
import json
import pathlib
from dataclasses import dataclass, field
from typing import Any

from ..errors import VarietiesError

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

RESERVED = ("where",)
SWEEP_KEYS = ("name", "task", "output", "timeout", "grid", "skip_undefined", "retries")


class ConfigError(VarietiesError):
    """A sweep configuration file is malformed."""


@dataclass
class Sweep:
    """One sweep: a task run on every configuration of a grid.

    Attributes
    ----------
    name, task, output : str
        Label, task name (see :func:`varieties.sweep.tasks.resolve_task`) and
        output CSV file name.
    timeout : float
        Time limit of one configuration, in seconds.
    configs : list of dict
        The configurations, in grid order, each with its ``key``.
    variables : list of str
        Grid variables in the order first written (columns of the CSV).
    skipped : int
        Configurations dropped because their symmetry is not defined.
    """

    name: str
    task: str
    output: str
    timeout: float = 60.0
    configs: list[dict] = field(default_factory=list)
    variables: list[str] = field(default_factory=list)
    skipped: int = 0


def load_config(path: str | pathlib.Path) -> list[Sweep]:
    """Read a TOML sweep config and expand its grids.

    Examples
    --------
    >>> import tempfile, os
    >>> text = '''
    ... [[sweep]]
    ... task = "constraint_row"
    ... output = "t.csv"
    ... [[sweep.grid]]
    ... n = [2, 3]
    ... kind = ["invariant", "equivariant"]
    ... group = "cyclic"
    ... spec = "{n},l{out}"
    ... '''
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "c.toml")
    ...     _ = open(p, "w").write(text)
    ...     [c["spec"] for c in load_config(p)[0].configs]
    ['2,l1', '2,l2', '3,l1', '3,l3']
    """
    path = pathlib.Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"config file {str(path)!r} does not exist; give the path of a "
                          "TOML file such as configs/default.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {str(path)!r} is not valid TOML: {exc}") from None
    return parse_config(data, source=str(path))


def parse_config(data: dict, source: str = "<config>") -> list[Sweep]:
    """Expand an already-parsed config (a dict as :mod:`tomllib` returns it)."""
    raw = data.get("sweep")
    if raw is None:
        raise ConfigError(f"{source}: no [[sweep]] table; see varieties.sweep.config for the format")
    tables = [raw] if isinstance(raw, dict) else list(raw)
    sweeps = []
    names = set()
    for i, table in enumerate(tables):
        sweep = _parse_sweep(table, f"{source} sweep #{i + 1}")
        if sweep.name in names:
            raise ConfigError(f"{source}: two sweeps are named {sweep.name!r}; names must differ")
        names.add(sweep.name)
        sweeps.append(sweep)
    return sweeps


def _parse_sweep(table: dict, where: str) -> Sweep:
    from .tasks import resolve_task

    unknown = set(table) - set(SWEEP_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}; valid keys are "
                          f"{', '.join(SWEEP_KEYS)}")
    task = table.get("task")
    if not isinstance(task, str):
        raise ConfigError(f"{where}: 'task' must name a task, e.g. task = \"constraint_row\"")
    resolve_task(task)  # fails early on a misspelt task
    output = table.get("output") or f"{table.get('name', task)}.csv"
    timeout = table.get("timeout", 60.0)
    if not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ConfigError(f"{where}: timeout {timeout!r} must be a positive number of seconds")
    grids = table.get("grid")
    if grids is None:
        raise ConfigError(f"{where}: no [[sweep.grid]] table; add one with at least 'spec'")
    grids = [grids] if isinstance(grids, dict) else list(grids)
    sweep = Sweep(name=table.get("name", task), task=task, output=output, timeout=float(timeout))
    skip_undefined = bool(table.get("skip_undefined", True))
    seen: set[str] = set()
    for j, grid in enumerate(grids):
        for config in expand_grid(grid, f"{where} grid #{j + 1}"):
            for var in config:
                if var not in sweep.variables:
                    sweep.variables.append(var)
            if skip_undefined and not is_defined(config):
                sweep.skipped += 1
                continue
            config["key"] = config_key(task, config)
            if config["key"] in seen:  # overlapping grids: run once
                continue
            seen.add(config["key"])
            sweep.configs.append(config)
    return sweep


def expand_grid(grid: dict, where: str = "grid") -> list[dict]:
    """The configurations of one grid table, in order, filtered by ``where``.

    Examples
    --------
    >>> expand_grid({"n": [2, 3, 4], "w": [1, 2, 3], "spec": "{n},q{w},q1",
    ...              "where": "w <= n - 1"})  # doctest: +NORMALIZE_WHITESPACE
    [{'n': 2, 'w': 1, 'spec': '2,q1,q1'}, {'n': 3, 'w': 1, 'spec': '3,q1,q1'},
     {'n': 3, 'w': 2, 'spec': '3,q2,q1'}, {'n': 4, 'w': 1, 'spec': '4,q1,q1'},
     {'n': 4, 'w': 2, 'spec': '4,q2,q1'}, {'n': 4, 'w': 3, 'spec': '4,q3,q1'}]
    """
    if not isinstance(grid, dict):
        raise ConfigError(f"{where}: a grid is a table of variables, not {grid!r}")
    filters = grid.get("where", [])
    filters = [filters] if isinstance(filters, str) else list(filters)
    compiled = [_compile_filter(f, where) for f in filters]
    names = [k for k in grid if k not in RESERVED]
    if "spec" not in names:
        raise ConfigError(f"{where}: every grid needs 'spec' (a SPEC or a template like "
                          "\"{n},q{out}\")")
    axes = [grid[k] if isinstance(grid[k], list) else [grid[k]] for k in names]
    for k, axis in zip(names, axes):
        if not axis:
            raise ConfigError(f"{where}: variable {k!r} is an empty list; give at least one value")
    out = []
    for values in itertools.product(*axes):
        env = dict(zip(names, values))
        template = env.pop("spec")
        if not isinstance(template, str):
            raise ConfigError(f"{where}: spec {template!r} must be a string")
        derived = {**env, **_derived(env)}
        try:
            spec = template.format(**derived)
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigError(f"{where}: cannot fill spec template {template!r}: unknown or "
                              f"malformed field {exc}; variables are {sorted(derived)}") from None
        config = {k: spec if k == "spec" else env[k] for k in names}
        derived["spec"] = spec
        if all(_eval_filter(c, derived, where) for c in compiled):
            out.append(config)
    return out


def _derived(env: dict) -> dict:
    n, kind = env.get("n"), env.get("kind", "invariant")
    d: dict[str, Any] = {}
    if isinstance(n, int):
        d["half"] = n // 2
        d["out"] = {"equivariant": n, "folded": n // 2}.get(kind, 1)
    return d


def is_defined(config: dict) -> bool:
    """Whether the spec parses and its group and output action exist."""
    from ..actions import make_action
    from ..groups import get_group
    from ..network import parse_spec

    try:
        spec = parse_spec(config["spec"], full=bool(config.get("full", False)))
        group = get_group(config.get("group", "symmetric"), spec.n_inputs)
        make_action(group, config.get("kind", "invariant"), spec.n_outputs)
    except VarietiesError:
        return False
    return True


def config_key(task: str, config: dict) -> str:
    """A stable text key of a configuration: the task's arguments that matter.

    Arguments equal to the task's defaults are left out, so writing a default
    explicitly does not change the key; template-only grid variables (such as
    ``n`` or ``layer``, already inside ``spec``) are not part of it.

    Examples
    --------
    >>> config_key("constraint_row", {"spec": "4,q2", "group": "hyperoctahedral",
    ...            "kind": "folded", "full": False, "n": 4})
    'spec=4,q2;group=hyperoctahedral;kind=folded'
    """
    from .tasks import task_arguments

    parts = []
    for name, default in task_arguments(task).items():
        value = config.get(name, default)
        if name in ("spec", "group", "kind") or value != default:
            parts.append(f"{name}={_key_value(value)}")
    return ";".join(parts)


def _key_value(value) -> str:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod,
    ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple,
)


def _compile_filter(text: str, where: str):
    if not isinstance(text, str):
        raise ConfigError(f"{where}: a 'where' filter is a string, not {text!r}")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ConfigError(f"{where}: filter {text!r} is not an expression: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ConfigError(f"{where}: filter {text!r} uses {type(node).__name__}; only "
                              "comparisons, and/or/not, + - * // % and 'in' are allowed")
    return text, compile(tree, "<where>", "eval")


def _eval_filter(compiled, env: dict, where: str) -> bool:
    text, code = compiled
    try:
        return bool(eval(code, {"__builtins__": {}}, dict(env)))  # noqa: S307 - AST whitelisted
    except NameError as exc:
        raise ConfigError(f"{where}: filter {text!r}: {exc}; variables are {sorted(env)}") from None
