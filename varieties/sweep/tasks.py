"""Task functions of the sweeps: one configuration in, one flat CSV row out.

A task takes a configuration dict (grid variables plus ``spec``, ``group``,
``kind`` ...) and returns a dict of plain values (str, int, float, bool or
``None``; lists and dicts are JSON-encoded by the engine). The engine runs it
in a child process under a time limit and adds ``key``, ``status``,
``message`` and ``seconds``.

============================  ================================================
task                          columns
============================  ================================================
:func:`constraint_row`        counts of symmetry constraints by class, tying
                              (colors, free parameters), function dimension,
                              closed form and whether it agrees
:func:`dimension_row`         variety dimension or bounds with certainty and
                              certificate, degree, census, function
                              dimension, engine, status
:func:`neurovariety_row`      the field's neurovariety columns (architecture,
                              exponent, parameters, computed, ambient and
                              expected dimension, filling, defect), spec,
                              layer kinds, whether the primes agree
:func:`probe_row`             a test double: sleeps, fails or hangs on demand
============================  ================================================

The modules behind :func:`constraint_row` and :func:`dimension_row`
(:mod:`varieties.tying`, :mod:`varieties.closed_forms`,
:mod:`varieties.algebra`) are imported lazily: a missing module leaves its
columns empty instead of failing the sweep.
"""

from __future__ import annotations

import importlib
import time
from typing import Any, Callable

from ..constraints import CLASSES
from ..errors import VarietiesError

CONSTRAINT_COLUMNS = [
    "spec", "group", "kind", "n", "layers", "weights", "constraints", *CLASSES,
    "colors", "zero_weights", "free", "function_dim", "closed_form", "closed_form_method",
    "agree",
]
BURNSIDE_MAX_ORDER = 5000
DIMENSION_COLUMNS = [
    "spec", "group", "kind", "exclude", "n", "layers", "weights", "constraints",
    "dim", "dim_lower", "dim_upper", "certainty", "prime", "degree", "method", "certificate",
    "census", "components", "function_dim", "function_dim_lower", "function_dim_upper",
    "function_dim_certainty", "top_families", "engine",
]
NEUROVARIETY_COLUMNS = [
    "architecture", "exponent", "num_parameters", "dimension_computed", "ambient_dimension",
    "is_full_dimension", "expected_dimension", "defect", "spec", "kinds", "agree", "samples",
]
PROBE_COLUMNS = ["spec", "group", "kind", "value"]
# Columns in which a task restates its configuration. Others named like an
# argument (dimension_row's "method", "engine") report what the run used.
CONFIG_COLUMNS = ("spec", "group", "kind", "exclude")


def _layers(spec) -> str:
    """Layer kinds of a spec, e.g. ``'q'`` or ``'q-q'`` (a plotting label)."""
    return "-".join(layer.kind for layer in spec.layers)


def constraint_row(config: dict) -> dict:
    """Constraint counts by class, tying and closed form of one network and symmetry.

    Configuration keys: ``spec``, ``group`` (default ``symmetric``), ``kind``
    (default ``invariant``), ``full`` (false), ``mode`` (``generators``).
    ``colors``/``free``/``function_dim`` come from :func:`varieties.tying.tying`;
    ``closed_form`` is an independent count of ``function_dim`` (see
    :func:`_closed_form`) and ``agree`` says whether the two are equal. They
    are empty (``None``) while those modules are not installed.

    Examples
    --------
    >>> row = constraint_row({"spec": "3,l3", "group": "symmetric", "kind": "equivariant"})
    >>> row["weights"], row["constraints"] == sum(row[c] for c in CLASSES), row["zero"]
    (9, True, 0)
    """
    from ..constraints import constraints
    from ..network import parse_spec

    args = _with_defaults("constraint_row", config)
    spec = parse_spec(args["spec"], full=args["full"])
    cs = constraints(spec, group=args["group"], kind=args["kind"], mode=args["mode"],
                     full=args["full"])
    counts = cs.counts()
    row: dict[str, Any] = {
        "spec": args["spec"], "group": args["group"], "kind": args["kind"],
        "n": spec.n_inputs, "layers": _layers(spec), "weights": len(cs.weights),
        "constraints": len(cs), **counts,
        "colors": None, "zero_weights": None, "free": None, "function_dim": None,
        "closed_form": None, "closed_form_method": None, "agree": None,
    }
    tying_mod = _optional("varieties.tying")
    if tying_mod is not None:
        t = tying_mod.tying(spec, group=args["group"], kind=args["kind"], full=args["full"])
        row.update(colors=t.n_colors, zero_weights=t.n_zero, free=t.n_free,
                   function_dim=t.function_dim)
    closed, how = _closed_form(spec, args)
    if closed is not None:
        row["closed_form"], row["closed_form_method"] = closed, how
        if row["function_dim"] is not None:
            row["agree"] = int(closed) == int(row["function_dim"])
    return row


def _closed_form(spec, args) -> tuple[int | None, str | None]:
    """An independent count of the function dimension of a one-layer network.

    ``S_n`` with kind invariant/equivariant: the partition closed form
    (:func:`varieties.closed_forms.layer_function_dim`); other groups and
    the folded kind: Burnside's lemma over all group elements
    (:func:`varieties.closed_forms.burnside_count`), when the group has at most
    ``BURNSIDE_MAX_ORDER`` elements. ``(None, None)`` otherwise, or while
    :mod:`varieties.closed_forms` is not installed.
    """
    mod = _optional("varieties.closed_forms")
    if mod is None or len(spec.layers) != 1 or spec.layers[0].power != 1:
        return None, None
    from ..actions import make_action
    from ..groups import get_group

    layer = spec.layers[0]
    group, kind = args["group"], args["kind"]
    G = get_group(group, spec.n_inputs)
    if group == "symmetric" and kind in ("invariant", "equivariant"):
        return mod.layer_function_dim(spec.n_inputs, layer.kind, kind), "partitions"
    if kind == "none" or G.order() > BURNSIDE_MAX_ORDER:
        return None, None
    action = make_action(G, kind, spec.n_outputs)
    pairs = [(g, action.rho(g)) for g in G.elements()]
    return mod.burnside_count(pairs, mod.LAYER_DEGREES[layer.kind]), "burnside"


def dimension_row(config: dict) -> dict:
    """Dimension (or bounds) of the variety of symmetric weights, by :func:`varieties.algebra.analyze`.

    Configuration keys: ``spec``, ``group``, ``kind`` (``none`` gives the
    plain neurovariety), ``exclude`` (list of degeneracy presets such as
    ``constant-output``), ``engine`` (``auto``: the fastest installed), ``method`` (``auto``),
    ``seed`` (0), ``full`` (false) and ``timeout`` (the analysis' own limit,
    set by the engine a little under the task's).

    Raises
    ------
    ImportError
        When :mod:`varieties.algebra` is not installed (the engine records the
        row with status ``error``).
    """
    from ..network import parse_spec

    args = _with_defaults("dimension_row", config)
    algebra = importlib.import_module("varieties.algebra")
    spec = parse_spec(args["spec"], full=args["full"])
    exclude = args["exclude"]
    exclude = (exclude,) if isinstance(exclude, str) else tuple(exclude or ())
    report = algebra.analyze(
        spec, group=args["group"], kind=args["kind"], engine=args["engine"],
        method=args["method"], exclude=exclude, timeout=float(config.get("timeout", 60.0)),
        seed=args["seed"], full=args["full"],
    )
    row: dict[str, Any] = {
        "spec": args["spec"], "group": args["group"], "kind": args["kind"],
        "exclude": list(exclude), "n": spec.n_inputs, "layers": _layers(spec),
        "weights": report.n_weights, "constraints": report.n_constraints,
        "dim": report.dim, "dim_lower": report.dim_lower, "dim_upper": report.dim_upper,
        "certainty": report.certainty, "prime": report.prime, "degree": report.degree,
        "method": report.method, "certificate": report.certificate,
        "census": report.census, "components": report.components,
        "function_dim": report.function_dim,
        "function_dim_lower": report.function_dim_lower,
        "function_dim_upper": report.function_dim_upper,
        "function_dim_certainty": report.function_dim_certainty,
        "top_families": "; ".join(f["name"] for f in report.families if f.get("top")),
        "engine": report.engine,
        "seconds": report.seconds, "status": report.status, "message": report.message,
    }
    return row


def neurovariety_row(config: dict) -> dict:
    """The neurovariety of one network (:func:`varieties.algebra.neurovariety.neurovariety`).

    Configuration keys: ``spec``, ``seed`` (0), ``primes`` (the default
    pair), ``max_memory`` (GB, default 3/4 of the available memory) and
    ``timeout`` (set by the engine a little under the task's). The columns
    are the field's (:data:`~varieties.algebra.neurovariety.FIELD_COLUMNS`),
    then ``spec``, the layer ``kinds``, whether the two primes ``agree`` and
    the number of sample rows.

    Examples
    --------
    >>> row = neurovariety_row({"spec": "3,l5^4,l1"})      # Alexander-Hirschowitz
    >>> row["dimension_computed"], row["expected_dimension"], row["defect"]
    (14, 15, 1)
    """
    from ..algebra.evaluation import PRIMES
    from ..algebra.neurovariety import neurovariety

    args = _with_defaults("neurovariety_row", config)
    timeout = config.get("timeout")
    res = neurovariety(args["spec"], primes=tuple(args["primes"] or PRIMES), seed=args["seed"],
                       timeout=float(timeout) if timeout else None,
                       max_memory=args["max_memory"])
    row = res.to_row()
    if res.status != "ok":
        row.update(status="timeout", message=f"the ranks were not done within {timeout} s")
    return row


def probe_row(config: dict) -> dict:
    """A task for testing the engine: sleeps ``sleep`` seconds, then answers.

    ``fail = true`` raises a :class:`VarietiesError`; ``value`` (and ``dim``) is echoed;
    ``spawn = S`` starts an external ``sleep S`` (standing in for an engine
    such as Singular), writes its pid to the file ``pidfile`` and waits for it;
    ``gate = PATH`` waits until the file ``PATH`` exists (at most ``gate_s``
    seconds, default 60, then fails), so that tests can hold tasks back
    until they have done something, instead of racing them with sleeps.

    Examples
    --------
    >>> probe_row({"spec": "2,l1", "value": 3})["value"]
    3
    """
    args = _with_defaults("probe_row", config)
    time.sleep(float(config.get("sleep", 0.0)))
    if config.get("gate"):
        import os

        limit = time.monotonic() + float(config.get("gate_s", 60.0))
        while not os.path.exists(config["gate"]):
            if time.monotonic() > limit:
                raise VarietiesError(f"probe gate {config['gate']} never opened")
            time.sleep(0.02)
    if config.get("spawn"):
        import subprocess

        proc = subprocess.Popen(["sleep", str(config["spawn"])])
        with open(config["pidfile"], "w") as fh:
            fh.write(str(proc.pid))
        proc.wait()
    if config.get("fail"):
        raise VarietiesError(f"probe asked to fail on {args['spec']}")
    out = {"spec": args["spec"], "group": args["group"], "kind": args["kind"],
           "value": config.get("value")}
    if "dim" in config:       # echoed, so that tests can leave a row unsettled
        out["dim"] = config["dim"]
    return out


def config_columns(config: dict, task: str) -> dict:
    """The task's columns that restate its configuration, defaults filled in.

    Those of :data:`CONFIG_COLUMNS` that are both arguments and columns of
    ``task``, set to the configuration's value or the task's default: what a
    row the task finished says about its configuration even where the grid
    leaves ``group`` or ``kind`` to the default.

    Examples
    --------
    >>> config_columns({"spec": "2,q1", "kind": "none"}, "dimension_row")
    {'spec': '2,q1', 'group': 'symmetric', 'kind': 'none', 'exclude': []}
    """
    columns = set(task_columns(task))
    out = {}
    for k, default in task_arguments(task).items():
        value = config.get(k, default)
        if k in CONFIG_COLUMNS and k in columns and value is not None:
            out[k] = value
    return out


def spec_columns(config: dict, task: str | None = None) -> dict:
    """``n``, ``layers`` and ``weights`` of the configuration's spec (cheap, no expansion).

    The engine fills these into rows whose task timed out or failed, so that
    every row says how big the network was. They are left out for a spec
    that does not parse. With ``task``, :func:`config_columns` come too.

    Examples
    --------
    >>> spec_columns({"spec": "3,q3,q1"})
    {'n': 3, 'layers': 'q-q', 'weights': 40}
    >>> spec_columns({"spec": "2,q1", "kind": "none"}, "dimension_row")["group"]
    'symmetric'
    """
    from ..network import parse_spec

    out = {} if task is None else config_columns(config, task)
    try:
        spec = parse_spec(config["spec"], full=bool(config.get("full", False)))
    except (VarietiesError, KeyError, TypeError):
        return out
    out.update(n=spec.n_inputs, layers=_layers(spec), weights=len(spec.weights))
    return out


# name -> (function, arguments with their defaults, columns)
TASKS: dict[str, tuple[Callable[[dict], dict], dict[str, Any], list[str]]] = {
    "constraint_row": (
        constraint_row,
        {"spec": None, "group": "symmetric", "kind": "invariant", "full": False,
         "mode": "generators"},
        CONSTRAINT_COLUMNS,
    ),
    "dimension_row": (
        dimension_row,
        {"spec": None, "group": "symmetric", "kind": "invariant", "exclude": [],
         "engine": "auto", "method": "auto", "seed": 0, "full": False},
        DIMENSION_COLUMNS,
    ),
    "neurovariety_row": (
        neurovariety_row,
        {"spec": None, "seed": 0, "primes": None, "max_memory": None},
        NEUROVARIETY_COLUMNS,
    ),
    "probe_row": (
        probe_row,
        {"spec": None, "group": "symmetric", "kind": "invariant", "value": None,
         "fail": False},
        PROBE_COLUMNS,
    ),
}


def resolve_task(name: str) -> Callable[[dict], dict]:
    """The task function for a registered name or a ``"package.module:function"`` path."""
    if name in TASKS:
        return TASKS[name][0]
    if ":" in name:
        module, _, attr = name.partition(":")
        try:
            fn = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise VarietiesError(f"cannot import task {name!r}: {exc}") from None
        return fn
    raise VarietiesError(f"unknown task {name!r}; choose one of {', '.join(TASKS)} or give "
                         "'package.module:function'")


def declares_arguments(name: str) -> bool:
    """Whether the task says which configuration keys it reads (every registered task does).

    A ``"module:function"`` task does so with an ``arguments`` attribute (a
    dict of names and defaults); one without it may read any grid variable.
    """
    return name in TASKS or hasattr(resolve_task(name), "arguments")


def task_arguments(name: str) -> dict[str, Any]:
    """The task's arguments and defaults (``spec``, ``group``, ``kind`` for custom tasks)."""
    if name in TASKS:
        return dict(TASKS[name][1])
    fn = resolve_task(name)
    return dict(getattr(fn, "arguments", {"spec": None, "group": "symmetric",
                                          "kind": "invariant"}))


def task_columns(name: str) -> list[str]:
    """The columns a task writes (before the engine's key/status/message/seconds)."""
    if name in TASKS:
        return list(TASKS[name][2])
    return list(getattr(resolve_task(name), "columns", ["spec", "group", "kind"]))


def _with_defaults(name: str, config: dict) -> dict:
    args = task_arguments(name)
    args.update({k: v for k, v in config.items() if k in args})
    if not args.get("spec"):
        raise VarietiesError(f"task {name} needs a 'spec' in its configuration")
    return args


def _optional(module: str):
    """Import ``module`` if it exists (only its own absence counts as missing)."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise
