"""The public API's conventions (0.2.0): keyword-only options, one default for
``kind``, ``timeout`` and ``prime``, deprecated 0.1 forms that warn and still
work, and ``to_dict``/``to_frame``/``summary`` on every result type."""

from __future__ import annotations

import inspect
import json
import time

import numpy as np
import pandas as pd
import pytest

import varieties as v
from varieties import algebra
from varieties.actions import default_kind
from varieties.errors import ActionError

FIVE = {"constraints": v.constraints, "tying": v.tying, "analyze": v.analyze,
        "function_dim": v.function_dim, "train": v.train}


def _params(fn):
    return inspect.signature(fn).parameters.values()


@pytest.mark.parametrize("name", sorted(FIVE))
def test_keyword_only_after_spec_group_kind(name):
    params = list(_params(FIVE[name]))
    lead = ["spec", "group", "kind"] + (["X", "y"] if name == "train" else [])
    positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert positional == lead
    assert all(p.kind is p.KEYWORD_ONLY for p in params[len(lead):])


@pytest.mark.parametrize("fn", [v.expand, v.groebner, algebra.census,
                                v.synthetic_data, algebra.families, algebra.build_problem,
                                v.run_sweep])
def test_other_entry_points_are_keyword_only_too(fn):
    params = list(_params(fn))
    n_pos = sum(p.kind is p.POSITIONAL_OR_KEYWORD for p in params)
    assert n_pos <= 3
    assert all(p.kind is p.KEYWORD_ONLY for p in params[n_pos:])


def test_algebra_functions_take_the_system_positionally_and_the_rest_by_keyword():
    for fn in (algebra.slice_bounds, algebra.minimal_primes):
        params = list(_params(fn))
        assert [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD] == ["system"]
        assert all(p.kind is p.KEYWORD_ONLY for p in params[1:]), fn.__name__
    # Per-test `timeout` and overall `total_timeout`, both in seconds; no absolute deadline.
    names = inspect.signature(algebra.slice_bounds).parameters
    assert "timeout" in names and "total_timeout" in names and "deadline" not in names


def test_invariance_error_takes_its_data_positionally():
    # spec, group, kind, then the data (weights w and inputs X), like X, y in train.
    params = list(_params(v.learn.invariance_error))
    assert [p.name for p in params] == ["spec", "group", "kind", "w", "X"]
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params)


def test_algebra_deprecated_forms_warn_and_work():
    from varieties.algebra.engines import System

    s = System(("x", "y"), [{(1, 0): 1, (0, 1): -1}], 32003)
    with pytest.deprecated_call(match="positionally to minimal_primes"):
        res = algebra.minimal_primes(s, 30, 2)   # a codim-2 slice: no variables left
    assert res.status == "ok" and res.codim == 2
    with pytest.deprecated_call(match="positionally to slice_bounds"):
        sb = algebra.slice_bounds(s, 0, 2, "sympy", 0, 30)
    assert sb.lower == sb.upper == 1
    with pytest.deprecated_call(match=r"slice_bounds\(deadline=...\) is deprecated; "
                                      r"use total_timeout"):
        sb = algebra.slice_bounds(s, lower=0, upper=2, deadline=time.perf_counter() - 1)
    assert (sb.lower, sb.upper, sb.tests) == (0, 2, [])   # past the deadline: no test


def test_one_default_for_kind():
    for name, fn in FIVE.items():
        assert inspect.signature(fn).parameters["kind"].default is None, name
    for fn in (v.synthetic_data, algebra.families, algebra.build_problem):
        assert inspect.signature(fn).parameters["kind"].default is None


def test_the_kind_rule():
    assert default_kind("3,q3,q1") == "invariant"
    assert default_kind("3,q3") == "equivariant"
    with pytest.raises(ActionError, match="give a kind"):
        default_kind("4,q2")
    assert v.constraints("3,l3").kind == "equivariant"
    assert v.constraints("2,l1").kind == "invariant"
    assert v.tying("3,q3,q1").kind == "invariant"
    assert v.tying("3,l3").kind == "equivariant"
    assert v.analyze("2,l1", timeout=30).kind == "invariant"
    with pytest.raises(ActionError):
        v.tying("4,l2")


def test_function_dim_kind_follows_the_rule_with_a_group():
    # No group: the neurovariety, as in 0.1.
    assert v.function_dim("2,q2,q1") == 12
    # A group: kind inferred (invariant for one output), the tied subspace.
    assert (v.function_dim("2,q2,q1", group="symmetric")
            == v.function_dim("2,q2,q1", group="symmetric", kind="invariant") == 7)
    assert v.function_dim("2,q2,q1", group="symmetric", kind="none") == 12


def test_timeout_and_prime_are_the_names():
    for fn in (v.constraints, v.expand, v.function_dim, algebra.families, algebra.census,
               v.analyze, v.neurovariety, v.groebner):
        names = inspect.signature(fn).parameters
        assert "timeout" in names and "deadline" not in names, fn.__name__
    assert "prime" in inspect.signature(v.analyze).parameters
    assert "prime" in inspect.signature(algebra.families).parameters
    assert "prime" in inspect.signature(v.groebner).parameters
    assert "primes" in inspect.signature(v.function_dim).parameters
    assert "primes" in inspect.signature(v.neurovariety).parameters


def test_deprecated_positional_calls_warn_and_work():
    with pytest.deprecated_call(match="positionally to constraints"):
        cs = v.constraints("3,l3", "symmetric", "equivariant", "elements")
    assert cs.mode == "elements"
    with pytest.deprecated_call(match="positionally to tying"):
        t = v.tying("3,q3", "symmetric", "equivariant", True)
    assert t.full
    with pytest.deprecated_call(match="positionally to function_dim"):
        assert v.function_dim("2,q2,q1", None, "none", None, 0) == 12
    with pytest.deprecated_call(match="positionally to analyze"):
        assert v.analyze("2,l1", "symmetric", "invariant", "auto", "auto", (), 30).dim == 1
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (8, 2))
    with pytest.deprecated_call(match="positionally to train"):
        res = v.train("2,l1", "symmetric", "invariant", X, X.sum(axis=1), "free", "numpy", 3)
    assert res.method == "free" and res.steps == 3
    with pytest.raises(TypeError):
        v.expand("2,l1", "auto", None, False, "surplus")


def test_deprecated_keywords_warn_and_work():
    with pytest.deprecated_call(match=r"constraints\(deadline=...\)"):
        assert len(v.constraints("2,l1", deadline=time.perf_counter() + 600)) == 1
    from varieties.timelimit import TimeLimit

    with pytest.deprecated_call(match="deadline"), pytest.raises(TimeLimit):
        v.expand("3,q3,q1", deadline=time.perf_counter() - 1)
    with pytest.deprecated_call(match=r"families\(p=...\)"):
        fams = algebra.families("2,l1", p=32003)
    assert all(f.prime == 32003 for f in fams if f.dim_lower is not None)
    from sympy import QQ, ring

    R, a, b = ring("a,b", QQ)
    with pytest.deprecated_call(match=r"groebner\(characteristic=...\)"):
        g = v.groebner([a * b, a - 1], characteristic=32003)
    assert g.system.characteristic == 32003 and g.dim == 0   # ab = 0, a = 1: the point (1, 0)
    with pytest.raises(TypeError, match="give only 'timeout'"):
        v.expand("2,l1", deadline=1.0, timeout=1.0)


def test_no_deprecation_warning_from_the_new_forms(recwarn):
    v.constraints("2,l1", kind="invariant", mode="generators", timeout=60)
    v.tying("3,q3", full=False, method="orbits")
    v.function_dim("2,q2,q1", seed=0, timeout=60)
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)]


def test_train_and_cli_share_defaults():
    from varieties.cli import build_parser
    from varieties.learn.train import DEFAULT_LR, DEFAULT_METHOD, DEFAULT_STEPS

    sig = inspect.signature(v.train).parameters
    assert sig["method"].default == DEFAULT_METHOD == "tied"
    assert sig["steps"].default == DEFAULT_STEPS
    assert sig["lr"].default == DEFAULT_LR
    args = build_parser().parse_args(["train", "2,l1"])
    assert (args.method, args.steps, args.lr, args.kind) == (
        DEFAULT_METHOD, DEFAULT_STEPS, DEFAULT_LR, None)


def test_cli_reads_the_library_constants():
    from varieties.actions import KINDS
    from varieties.algebra.analyze import DEFAULT_TIMEOUT, METHODS
    from varieties.algebra.engines import DEFAULT_PRIME
    from varieties.cli import build_parser

    p = build_parser()
    a = p.parse_args(["analyze", "2,l1"])
    assert (a.timeout, a.prime, a.method, a.kind) == (DEFAULT_TIMEOUT, DEFAULT_PRIME,
                                                      METHODS[0], None)
    for kind in KINDS:
        assert p.parse_args(["tying", "3,l3", "--kind", kind]).kind == kind


def test_tying_equality():
    assert v.tying("3,q3") == v.tying("3,q3")
    assert v.tying("3,q3", "symmetric") != v.tying("3,q3", "cyclic")
    assert v.tying("3,q3") != v.tying("3,q3", full=True)
    with pytest.raises(TypeError):
        hash(v.tying("3,q3"))


def test_arrays_dataclasses_compare_by_value():
    a = v.synthetic_data("2,l1", n_train=4, n_test=2, seed=1)
    b = v.synthetic_data("2,l1", n_train=4, n_test=2, seed=1)
    assert a == b and a != v.synthetic_data("2,l1", n_train=4, n_test=2, seed=2)


def _probe_sweep_result():
    import tempfile

    from varieties.sweep.config import parse_config

    [sweep] = parse_config({"sweep": {"task": "probe_row", "output": "p.csv",
                                      "grid": {"spec": "2,l1", "value": [1]}}})
    with tempfile.TemporaryDirectory() as d:
        return v.run_sweep(sweep, d, mode="inprocess", progress=False)


def _results():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (12, 2))
    from varieties.algebra import build_problem

    system = build_problem("2,q1,q1").system(0)
    fams = algebra.families("2,l1")
    out = {
        "VarietyReport": v.analyze("2,l1", timeout=30),
        "ConstraintSet": v.constraints("2,l1"),
        "Tying": v.tying("3,l3"),
        "Expansion": v.expand("2,l1"),
        "TrainResult": v.train("2,l1", X=X, y=X.sum(axis=1), steps=3),
        "NeurovarietyResult": v.neurovariety("2,q2,q1"),
        "CensusResult": algebra.census(system, n_points=3, seed=0),
        "GroebnerResult": v.groebner(system, engine="sympy", timeout=60),
        "Family": fams[0],
        "SliceBounds": algebra.SliceBounds(1, 2),
        "ComponentsResult": algebra.ComponentsResult("ok", 0.1),
        "SyntheticData": v.synthetic_data("2,l1", n_train=4, n_test=2),
        "SweepResult": _probe_sweep_result(),
    }
    return out


def test_every_result_type_has_the_three_methods():
    for name, res in _results().items():
        d = res.to_dict()
        assert isinstance(d, dict), name
        json.dumps(d)   # JSON-serialisable
        assert isinstance(res.to_frame(), pd.DataFrame), name
        text = res.summary()
        assert isinstance(text, str) and text, name
        js = res.to_json()
        assert isinstance(js, str) and isinstance(json.loads(js), dict), name
