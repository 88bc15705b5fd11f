"""The sweep config format: grid expansion, filters, keys, undefined symmetries, bad input."""

from __future__ import annotations

import itertools
import pathlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from varieties.actions import make_action
from varieties.errors import VarietiesError
from varieties.groups import get_group
from varieties.network import parse_spec
from varieties.sweep.config import ConfigError, config_key, expand_grid, load_config, parse_config

ROOT = pathlib.Path(__file__).resolve().parent.parent


@settings(max_examples=40, deadline=None)
@given(
    ns=st.lists(st.integers(1, 6), min_size=1, max_size=4, unique=True),
    ws=st.lists(st.integers(1, 6), min_size=1, max_size=4, unique=True),
    bound=st.integers(-1, 3),
)
def test_grid_is_the_filtered_product(ns, ws, bound):
    grid = {"n": ns, "w": ws, "spec": "{n},q{w},q1", "where": f"w <= n + {bound}"}
    got = [(c["n"], c["w"], c["spec"]) for c in expand_grid(grid)]
    want = [(n, w, f"{n},q{w},q1") for n, w in itertools.product(ns, ws) if w <= n + bound]
    assert got == want


def test_out_follows_kind():
    configs = expand_grid({"n": [4], "kind": ["invariant", "equivariant", "folded", "none"],
                           "spec": "{n},l{out}"})
    specs = {c["kind"]: c["spec"] for c in configs}
    for kind, spec in specs.items():
        if kind != "none":  # the spec built from `out` fits the kind's action
            make_action(get_group("hyperoctahedral", 4), kind, parse_spec(spec).n_outputs)
    assert len(set(specs.values())) == 3  # invariant and none share width 1


def test_undefined_configurations_are_skipped_and_counted():
    grid = {"n": [2, 3, 4], "group": ["symmetric", "hyperoctahedral"],
            "kind": ["invariant", "folded"], "spec": "{n},l{out}"}
    [sweep] = parse_config({"sweep": {"task": "constraint_row", "grid": grid}})
    total = len(expand_grid(grid))
    assert sweep.skipped + len(sweep.configs) == total
    for c in sweep.configs:  # every kept one has an action; every dropped one does not
        make_action(get_group(c["group"], c["n"]), c["kind"], parse_spec(c["spec"]).n_outputs)
    kept = {c["spec"] + c["group"] + c["kind"] for c in sweep.configs}
    for c in expand_grid(grid):
        if c["spec"] + c["group"] + c["kind"] not in kept:
            with pytest.raises(VarietiesError):
                make_action(get_group(c["group"], c["n"]), c["kind"],
                            parse_spec(c["spec"]).n_outputs)


def test_keys_are_stable_and_distinct():
    a = config_key("constraint_row", {"spec": "3,q3", "group": "cyclic", "kind": "equivariant"})
    b = config_key("constraint_row", {"kind": "equivariant", "group": "cyclic", "spec": "3,q3",
                                      "full": False, "mode": "generators", "n": 3})
    c = config_key("constraint_row", {"spec": "3,q3", "group": "cyclic", "kind": "equivariant",
                                      "full": True})
    assert a == b and a != c
    d1 = config_key("dimension_row", {"spec": "2,q2,q1", "exclude": []})
    d2 = config_key("dimension_row", {"spec": "2,q2,q1", "exclude": ["constant-output"]})
    assert d1 != d2


def test_overlapping_grids_run_once():
    grid = {"n": [2, 3], "kind": "invariant", "spec": "{n},q1"}
    [sweep] = parse_config({"sweep": {"task": "constraint_row", "grid": [grid, grid]}})
    assert len(sweep.configs) == 2


@pytest.mark.parametrize("name", ["default", "constraint_tables", "variety_dimensions"])
def test_shipped_configs_load(name):
    sweeps = load_config(ROOT / "configs" / f"{name}.toml")
    for s in sweeps:
        keys = [c["key"] for c in s.configs]
        assert keys and len(keys) == len(set(keys))
        for c in s.configs:
            parse_spec(c["spec"])


@pytest.mark.parametrize("table, fragment", [
    ({"sweep": {"task": "nope", "grid": {"spec": "2,q1"}}}, "unknown task"),
    ({"sweep": {"task": "constraint_row"}}, "no [[sweep.grid]]"),
    ({"sweep": {"task": "constraint_row", "grid": {"n": [2]}}}, "needs 'spec'"),
    ({"sweep": {"task": "constraint_row", "grid": {"spec": "{m},q1", "n": [2]}}}, "template"),
    ({"sweep": {"task": "constraint_row", "timeout": -1, "grid": {"spec": "2,q1"}}}, "timeout"),
    ({"sweep": {"task": "constraint_row", "grid": {"spec": "2,q1", "n": []}}}, "empty list"),
    ({"sweep": {"task": "constraint_row", "colour": 1, "grid": {"spec": "2,q1"}}}, "unknown key"),
    ({"sweep": {"task": "constraint_row",
                "grid": {"spec": "2,q1", "where": "__import__('os').system('true')"}}}, "only"),
    ({}, "no [[sweep]]"),
])
def test_bad_configs_say_what_is_wrong(table, fragment):
    with pytest.raises(VarietiesError, match=None) as info:
        parse_config(table)
    assert fragment in str(info.value)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[sweep]\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_default_grid_is_a_subset_of_the_full_grids():
    """`make run` and the two scripts write the same CSVs: same keys, same time limits."""
    full = {}
    for name in ("constraint_tables", "variety_dimensions"):
        for s in load_config(ROOT / "configs" / f"{name}.toml"):
            full[s.output] = ({c["key"] for c in s.configs}, s.timeout, s.task)
    for s in load_config(ROOT / "configs" / "default.toml"):
        keys, timeout, task = full[s.output]
        assert {c["key"] for c in s.configs} <= keys
        assert (s.timeout, s.task) == (timeout, task)
