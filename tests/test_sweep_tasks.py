"""The sweep's task functions: rows consistent with independent counts."""

from __future__ import annotations

import importlib

import pytest

from varieties.constraints import CLASSES
from varieties.sweep import tasks
from varieties.sweep.config import expand_grid, is_defined

SMALL = [c for c in expand_grid({
    "n": [2, 3, 4], "layer": ["q", "s", "l", "a"],
    "group": ["symmetric", "cyclic", "dihedral", "hyperoctahedral"],
    "kind": ["invariant", "equivariant", "folded"], "spec": "{n},{layer}{out}"}) if is_defined(c)]


def test_constraint_rows_agree_with_independent_counts():
    pytest.importorskip("varieties.tying")
    pytest.importorskip("varieties.closed_forms")
    for config in SMALL:
        row = tasks.constraint_row(config)
        assert row["constraints"] == sum(row[c] for c in CLASSES)
        # tying's function_dim (rank of the tied layer's coefficient map) against the
        # partition closed form (S_n) or Burnside's orbit count (other groups)
        assert row["closed_form"] is not None, config
        assert row["agree"] is True, (config, row)
        assert row["free"] <= row["colors"] + row["zero_weights"] <= row["weights"]


def test_missing_modules_leave_their_columns_empty(monkeypatch):
    real = tasks._optional
    monkeypatch.setattr(tasks, "_optional",
                        lambda name: None if name in ("varieties.tying", "varieties.closed_forms")
                        else real(name))
    row = tasks.constraint_row({"spec": "3,q3", "group": "symmetric", "kind": "equivariant"})
    assert row["weights"] == 30 and row["constraints"] > 0
    assert all(row[c] is None for c in ("colors", "free", "function_dim", "closed_form", "agree"))


def test_rows_have_the_declared_columns():
    row = tasks.constraint_row({"spec": "2,q1"})
    assert set(row) == set(tasks.task_columns("constraint_row"))


def _analyze_available() -> bool:
    try:
        return hasattr(importlib.import_module("varieties.algebra"), "analyze")
    except ImportError:
        return False


@pytest.mark.skipif(not _analyze_available(), reason="varieties.algebra.analyze not there yet")
def test_dimension_rows_are_consistent():
    from varieties.algebra.variety_report import CERTAINTIES

    free = tasks.dimension_row({"spec": "2,l2^2,l1", "kind": "none", "timeout": 20})
    # no symmetry, no constraints: the variety is all of weight space, trivially exact
    assert free["status"] == "ok" and free["dim"] == free["weights"] == 6
    assert free["certainty"] == "exact" and free["prime"] is None
    row = tasks.dimension_row({"spec": "2,q1,q1", "kind": "invariant", "timeout": 20})
    lo = row["dim_lower"] if row["dim_lower"] is not None else 0
    hi = row["dim_upper"] if row["dim_upper"] is not None else row["weights"]
    assert 0 <= lo <= hi <= row["weights"]
    if row["dim"] is not None:
        assert lo <= row["dim"] <= hi
    assert row["certainty"] in CERTAINTIES
    # A modular bound names its prime; an exact one needs none.
    assert (row["prime"] is not None) == (row["certainty"] == "modular")
    assert set(row) >= set(tasks.task_columns("dimension_row"))


def test_unknown_task_is_named():
    from varieties.errors import VarietiesError

    with pytest.raises(VarietiesError, match="unknown task 'nope'"):
        tasks.resolve_task("nope")
    assert tasks.resolve_task("varieties.sweep.tasks:probe_row") is tasks.probe_row
