"""The sweep config format: grid expansion, filters, keys, undefined symmetries, bad input."""

from __future__ import annotations

import csv
import itertools
import pathlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from varieties.actions import make_action
from varieties.errors import VarietiesError
from varieties.groups import get_group
from varieties.network import parse_spec
from varieties.sweep.config import (
    ConfigError,
    config_key,
    expand_grid,
    load_config,
    parse_config,
)

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
    ({"sweep": {"task": "constraint_row", "timeout": float("nan"), "grid": {"spec": "2,q1"}}},
     "timeout nan is invalid"),
    ({"sweep": {"task": "constraint_row", "timeout": float("inf"), "grid": {"spec": "2,q1"}}},
     "timeout inf is invalid"),
    ({"sweep": {"task": "constraint_row", "timeout": True, "grid": {"spec": "2,q1"}}},
     "timeout True is invalid"),
    ({"sweep": {"task": "constraint_row", "timeout": 10**400, "grid": {"spec": "2,q1"}}},
     "is invalid"),
    ({"sweep": {"task": "constraint_row", "timeout": "60", "grid": {"spec": "2,q1"}}},
     "timeout '60' is invalid"),
    ({"sweep": 3}, "'sweep' is 3"),
    ({"sweep": [3]}, "a sweep is a [[sweep]] table"),
    ({"sweep": {"task": "constraint_row", "output": 3, "grid": {"spec": "2,q1"}}}, "output 3"),
    ({"sweep": {"task": "constraint_row", "name": 3, "grid": {"spec": "2,q1"}}}, "name 3"),
    ({"sweep": {"task": "constraint_row", "grid": 3}}, "'grid' is 3"),
    ({"sweep": {"task": "constraint_row", "skip_undefined": "no", "grid": {"spec": "2,q1"}}},
     "skip_undefined 'no' must be true or false"),
    ({"sweep": {"task": "constraint_row", "retries": 2, "grid": {"spec": "2,q1"}}}, "unknown key"),
    ({"sweep": {"task": "constraint_row", "grid": {"spec": "2,q1", "where": "1 // 0"}}},
     "ZeroDivisionError"),
    ({"sweep": {"task": "constraint_row", "grid": {"spec": "2,q1", "where": "'a' < 1"}}},
     "TypeError"),
    ({"sweep": {"task": "constraint_row", "grid": {"spec": "2,q1", "where": 3}}}, "'where' is 3"),
    ({"sweep": {"task": "constraint_row", "grid": {"spec": "{n.foo},q1", "n": 2}}}, "template"),
])
def test_bad_configs_say_what_is_wrong(table, fragment):
    with pytest.raises(VarietiesError) as info:
        parse_config(table)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)  # the CLI prints it as one line


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


def test_timeouts_are_positive_finite_seconds():
    from varieties.timelimit import check_timeout

    assert check_timeout(60) == 60.0 and check_timeout(0.5) == 0.5
    for bad in (0, -5, float("nan"), float("inf"), True, None, "60", 10**7):
        with pytest.raises(ConfigError, match="is invalid"):
            check_timeout(bad, "timeout", ConfigError)


CUSTOM = "varieties.sweep.tasks:spec_columns"  # a function without an `arguments` attribute


def test_custom_tasks_are_keyed_on_every_grid_variable():
    [sweep] = parse_config({"sweep": {"task": CUSTOM, "output": "c.csv", "grid": {
        "n": [2], "spec": "{n},q1", "alpha": [1, 2, 3]}}})
    keys = [c["key"] for c in sweep.configs]
    assert len(keys) == 3 and len(set(keys)) == 3
    # n is inside spec already; alpha is what tells the three apart
    assert keys[0] == "spec=2,q1;group=symmetric;kind=invariant;alpha=1"


def test_custom_task_keys_do_not_depend_on_the_order_variables_are_written():
    grids = [{"spec": "2,q1", "alpha": 1, "beta": "x"}, {"beta": "x", "spec": "2,q1", "alpha": 1}]
    [sweep] = parse_config({"sweep": {"task": CUSTOM, "grid": grids}})
    assert [c["key"] for c in sweep.configs] == [
        "spec=2,q1;group=symmetric;kind=invariant;alpha=1;beta=x"]


def test_a_task_that_declares_its_arguments_is_keyed_on_them(monkeypatch):
    from varieties.sweep import tasks

    monkeypatch.setattr(tasks.spec_columns, "arguments", {"spec": None, "alpha": 0},
                        raising=False)
    assert config_key(CUSTOM, {"spec": "2,q1", "alpha": 0, "note": "x"}) == "spec=2,q1"
    assert config_key(CUSTOM, {"spec": "2,q1", "alpha": 2}) == "spec=2,q1;alpha=2"


def test_sweeps_sharing_an_output_are_refused():
    table = {"sweep": [
        {"name": "a", "task": "constraint_row", "output": "all.csv", "grid": {"spec": "2,q1"}},
        {"name": "b", "task": "probe_row", "output": "./all.csv", "grid": {"spec": "2,q1"}},
    ]}
    with pytest.raises(ConfigError, match="sweeps 'a' and 'b' both write output"):
        parse_config(table)
    table["sweep"][1]["output"] = "b.csv"
    assert [s.output for s in parse_config(table)] == ["all.csv", "b.csv"]


def test_a_variable_outside_the_key_cannot_collapse_configurations():
    grid = {"spec": "3,q1", "grop": ["symmetric", "cyclic"]}  # a misspelt `group`
    with pytest.raises(ConfigError, match="'grop' do not enter the key") as info:
        parse_config({"sweep": {"task": "constraint_row", "grid": grid}})
    assert "grop='symmetric'" in str(info.value) and "grop='cyclic'" in str(info.value)
    # across grids, naming the first one
    grids = [{"spec": "2,l1", "value": 1, "sleep": 0}, {"spec": "2,l1", "value": 1, "sleep": 5}]
    with pytest.raises(ConfigError, match="'sleep'.*the first from <config> sweep #1 grid #1"):
        parse_config({"sweep": {"task": "probe_row", "grid": grids}})


def test_one_configuration_written_two_ways_runs_once():
    grids = [
        {"n": [2], "spec": "{n},q1", "full": False},  # n is in the template; full is the default
        {"spec": "2,q1"},
        {"n": [2], "w": [1], "spec": "{n},q{w}", "group": "symmetric"},
    ]
    [sweep] = parse_config({"sweep": {"task": "constraint_row", "grid": grids}})
    assert [c["key"] for c in sweep.configs] == ["spec=2,q1;group=symmetric;kind=invariant"]


def test_committed_results_are_still_recognised_by_the_configs():
    """Resumption: every key in results/*.csv is one a shipped config still produces."""
    produced: dict = {}
    for name in ("default", "constraint_tables", "variety_dimensions"):
        for s in load_config(ROOT / "configs" / f"{name}.toml"):
            produced.setdefault(s.output, set()).update(c["key"] for c in s.configs)
    checked = 0
    for output, keys in produced.items():
        path = ROOT / "results" / output
        if not path.exists():
            continue
        with open(path, newline="") as fh:
            committed = [row["key"] for row in csv.DictReader(fh)]
        assert committed and set(committed) <= keys, set(committed) - keys
        checked += 1
    if not checked:
        pytest.skip("no committed results/ to check")
