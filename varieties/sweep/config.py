"""Sweep configurations: a TOML file expanded into a list of tasks.

Format
------
A config file holds one or more sweeps, each a ``[[sweep]]`` table (a single
``[sweep]`` table is accepted too)::

    [[sweep]]
    name = "constraint_tables"        # label in the progress bar and summary
    task = "constraint_row"           # a task of varieties.sweep.tasks, or "module:function"
    output = "constraint_tables.csv"  # CSV file inside the --out folder (never outside)
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

Safety: ``output`` must stay inside the ``--out`` folder (an absolute path,
``..`` or a link out of it is refused before anything is written), but a
``task = "package.module:function"`` runs that function, that is, code named
by the config: read a config you did not write before you run it.

Configurations whose symmetry is not defined (an odd ``n`` for the
hyperoctahedral group; ``folded`` for a group whose generators do not map
each pair ``{i, i + n/2}`` onto a pair, such as ``S_n`` for ``n >= 4``; an
output width that does not fit ``kind``) are dropped when the sweep sets
``skip_undefined = true`` (the default) and counted in
:attr:`Sweep.skipped`; otherwise they run and are recorded with status
``error``. The cyclic and dihedral groups do preserve the pairs, so their
folded configurations run.

Every configuration gets a stable ``key`` (see :func:`config_key`): the
task's arguments that differ from their defaults, in a fixed order; for a
``"module:function"`` task that declares no ``arguments``, every grid
variable not written into ``spec``. A rerun skips configurations whose key is
already in the output CSV. Two configurations with one key but different
values of a variable that does not enter the key (a misspelt argument such as
``grop``) are refused with a :class:`ConfigError` rather than one of them
being dropped, and so are two sweeps of one file writing the same ``output``.
"""

from __future__ import annotations

import ast
import itertools
import json
import math
import os
import pathlib
import string
from dataclasses import dataclass, field
from typing import Any

from ..errors import VarietiesError
from ..timelimit import check_timeout

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

RESERVED = ("where",)
SWEEP_KEYS = ("name", "task", "output", "timeout", "grid", "skip_undefined")


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


def check_output_path(output: str, where: str = "config") -> str:
    """Refuse an ``output`` that is absolute or leaves the ``--out`` folder.

    A config read from someone else must not write anywhere but where its
    user said: ``output`` is a path *inside* ``--out``, such as
    ``"tables/c.csv"``, never ``"/etc/x.csv"`` or ``"../x.csv"``.

    Examples
    --------
    >>> check_output_path("tables/c.csv")
    'tables/c.csv'
    >>> check_output_path("../../etc/x.csv")
    Traceback (most recent call last):
    ...
    varieties.sweep.config.ConfigError: config: output '../../etc/x.csv' leaves the --out folder; give a file name inside it, e.g. output = "x.csv"
    """
    pure = pathlib.PurePath(output)
    name = pure.name or "table.csv"
    if pure.is_absolute() or output.startswith(("~", "\\")) or pathlib.PureWindowsPath(output).drive:
        raise ConfigError(f"{where}: output {output!r} is an absolute path; give a file name "
                          f"inside the --out folder, e.g. output = \"{name}\"")
    if ".." in pure.parts or os.path.normpath(output) in (".", ""):
        raise ConfigError(f"{where}: output {output!r} leaves the --out folder; give a file "
                          f"name inside it, e.g. output = \"{name}\"")
    return output


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
    if isinstance(raw, dict):
        tables = [raw]
    elif isinstance(raw, list):
        tables = raw
    else:
        raise ConfigError(f"{source}: 'sweep' is {raw!r}; write it as a [[sweep]] table")
    sweeps = []
    names = set()
    outputs: dict[str, str] = {}
    for i, table in enumerate(tables):
        if not isinstance(table, dict):
            raise ConfigError(f"{source} sweep #{i + 1}: a sweep is a [[sweep]] table, not "
                              f"{table!r}")
        sweep = _parse_sweep(table, f"{source} sweep #{i + 1}")
        if sweep.name in names:
            raise ConfigError(f"{source}: two sweeps are named {sweep.name!r}; names must differ")
        names.add(sweep.name)
        # Keys do not name the task, so the rows of one sweep would count as
        # done for the other (and both sweeps write the file whole).
        target = os.path.normpath(sweep.output)
        if target in outputs:
            raise ConfigError(f"{source}: sweeps {outputs[target]!r} and {sweep.name!r} both "
                              f"write output {sweep.output!r}; give each sweep its own output")
        outputs[target] = sweep.name
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
    name = table.get("name", task)
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}: name {name!r} must be a non-empty string, e.g. "
                          "name = \"constraint_tables\"")
    output = table.get("output", f"{name}.csv")
    if not isinstance(output, str) or not output.strip():
        raise ConfigError(f"{where}: output {output!r} must be a CSV file name, e.g. "
                          "output = \"constraint_tables.csv\"")
    check_output_path(output, where)
    try:
        timeout = check_timeout(table.get("timeout", 60.0), "timeout", ConfigError)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    skip_undefined = table.get("skip_undefined", True)
    if not isinstance(skip_undefined, bool):
        raise ConfigError(f"{where}: skip_undefined {skip_undefined!r} must be true or false")
    grids = table.get("grid")
    if grids is None:
        raise ConfigError(f"{where}: no [[sweep.grid]] table; add one with at least 'spec'")
    if isinstance(grids, dict):
        grids = [grids]
    elif not isinstance(grids, list):
        raise ConfigError(f"{where}: 'grid' is {grids!r}; write it as a [[sweep.grid]] table")
    sweep = Sweep(name=name, task=task, output=output, timeout=timeout)
    seen: dict[str, tuple[dict, frozenset, str]] = {}
    for j, grid in enumerate(grids):
        grid_where = f"{where} grid #{j + 1}"
        for config, template in _expand(grid, grid_where):
            for var in config:
                if var not in sweep.variables:
                    sweep.variables.append(var)
            if skip_undefined and not is_defined(config):
                sweep.skipped += 1
                continue
            key = config_key(task, config, template)
            if key in seen:  # overlapping grids: run once, unless they are not the same
                _check_same(task, key, seen[key], (config, template, grid_where))
                continue
            seen[key] = (config, template, grid_where)
            config["key"] = key
            sweep.configs.append(config)
    return sweep


_MISSING = object()


def _check_same(task: str, key: str, first: tuple, second: tuple) -> None:
    """Refuse two configurations that share ``key`` but differ in a variable outside it.

    A variable written into the spec template is implied by ``spec`` (which
    is part of every key), so a grid that writes ``"{n},q1"`` and one that
    writes ``"2,q1"`` describe the same configuration.
    """
    from .tasks import task_arguments

    (a, ta, where_a), (b, tb, where_b) = first, second
    args = task_arguments(task)
    differ = []
    for var in dict.fromkeys([*a, *b]):
        unset = args.get(var, _MISSING)  # an argument left out takes its default
        if var == "key" or a.get(var, unset) == b.get(var, unset):
            continue
        if (var not in a or var in ta) and (var not in b or var in tb):
            continue
        differ.append(var)
    if differ:
        def values(c):
            return ", ".join(f"{v}={c[v]!r}" if v in c else f"{v} unset" for v in differ)

        origin = "" if where_a == where_b else f" (the first from {where_a})"
        raise ConfigError(
            f"{where_b}: variable(s) {', '.join(map(repr, differ))} do not enter the key of "
            f"task {task!r} (its arguments: {', '.join(args)}), so the configurations with "
            f"{values(a)} and with {values(b)}{origin} share the key {key!r} and only one "
            "would run; fix the variable's name or write it into 'spec'"
        )


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
    return [config for config, _ in _expand(grid, where)]


def _expand(grid: dict, where: str) -> list[tuple[dict, frozenset]]:
    """:func:`expand_grid`, each configuration with the variables its spec template names."""
    if not isinstance(grid, dict):
        raise ConfigError(f"{where}: a grid is a table of variables, not {grid!r}")
    filters = grid.get("where", [])
    if isinstance(filters, str):
        filters = [filters]
    elif not isinstance(filters, list):
        raise ConfigError(f"{where}: 'where' is {filters!r}; give a filter string such as "
                          "\"w <= n\" or a list of them")
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
            fields = _template_fields(template)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError) as exc:
            raise ConfigError(f"{where}: cannot fill spec template {template!r}: unknown or "
                              f"malformed field {exc}; variables are {sorted(derived)}") from None
        config = {k: spec if k == "spec" else env[k] for k in names}
        derived["spec"] = spec
        if all(_eval_filter(c, derived, where) for c in compiled):
            out.append((config, fields))
    return out


def _template_fields(template: str) -> frozenset:
    """The variables a spec template names directly (``{n},q{w}`` -> n, w).

    Derived fields (``out``, ``half``) do not count for the variables behind
    them: ``{out}`` is 1 for every ``n`` of an invariant kind, so it does not
    pin ``n`` down.
    """
    names = set()
    for _, field_name, _, _ in string.Formatter().parse(template):
        if field_name:
            # "{n.real}" or "{v[0]}" still names n or v
            names.add(field_name.split(".")[0].split("[")[0])
    return frozenset(names)


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


def config_key(task: str, config: dict, template=()) -> str:
    """A stable text key of a configuration: the task's arguments that matter.

    Arguments equal to the task's defaults are left out, so writing a default
    explicitly does not change the key; grid variables that are not
    arguments of the task (such as ``n`` or ``layer``, already inside
    ``spec``) are not part of it.

    A ``"module:function"`` task without an ``arguments`` attribute may read
    any variable, so its key is ``spec``, ``group`` and ``kind`` followed by
    every other variable (sorted by name) except those named in
    ``template``, the variables the spec template was filled from.

    Examples
    --------
    >>> config_key("constraint_row", {"spec": "4,q2", "group": "hyperoctahedral",
    ...            "kind": "folded", "full": False, "n": 4})
    'spec=4,q2;group=hyperoctahedral;kind=folded'
    >>> config_key("varieties.sweep.tasks:spec_columns", {"spec": "2,q1", "n": 2, "alpha": 3},
    ...            template={"n"})
    'spec=2,q1;group=symmetric;kind=invariant;alpha=3'
    """
    from .tasks import declares_arguments, task_arguments

    args = task_arguments(task)
    parts = []
    for name, default in args.items():
        value = config.get(name, default)
        if name in ("spec", "group", "kind") or value != default:
            parts.append(f"{name}={_key_value(value)}")
    if not declares_arguments(task):
        for name in sorted(set(config) - set(args) - set(template) - {"key"}):
            parts.append(f"{name}={_key_value(config[name])}")
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
    except Exception as exc:  # 1 // 0, 'a' < 1 ...: the filter, not the program, is wrong
        shown = {k: v for k, v in env.items() if k != "spec"}
        raise ConfigError(f"{where}: filter {text!r} fails on {shown} ({type(exc).__name__}: "
                          f"{exc}); fix the expression") from None
