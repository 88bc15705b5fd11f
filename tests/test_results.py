"""Reading sweep results: typed columns, exact round trips, summaries and figures."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from varieties import results
from varieties.errors import DataError
from varieties.sweep.config import parse_config
from varieties.sweep.engine import atomic_write_csv, run_sweep

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def constraint_csv(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    [sweep] = parse_config({"sweep": {"task": "constraint_row", "output": "constraint_tables.csv",
                                      "grid": {"n": [2, 3, 4], "layer": ["q", "l"],
                                               "group": ["symmetric", "cyclic"],
                                               "kind": ["invariant", "equivariant"],
                                               "spec": "{n},{layer}{out}"}}})
    run_sweep(sweep, out, mode="inprocess", progress=False)
    return out / "constraint_tables.csv"


@pytest.fixture
def dimension_csv(tmp_path):
    """A dimension table as the engine writes it (values made up: this tests reading, not algebra)."""
    cols = ["key", "spec", "group", "kind", "exclude", "n", "weights", "dim", "dim_lower",
            "dim_upper", "method", "census", "function_dim", "engine", "status", "message",
            "seconds"]
    rows = [
        {"key": "a", "spec": "2,q2,q1", "group": "symmetric", "kind": "invariant",
         "exclude": "[]", "n": 2, "weights": 18, "dim": 12, "dim_lower": 12, "dim_upper": 12,
         "method": "slice", "census": json.dumps({"12": 30, "9": 2}, sort_keys=True,
                                                  separators=(",", ":")),
         "function_dim": 6, "engine": "sympy", "status": "ok", "message": "", "seconds": 1.25},
        {"key": "b", "spec": "3,q3,q1", "group": "symmetric", "kind": "invariant",
         "exclude": '["constant-output"]', "n": 3, "weights": 40, "dim": "", "dim_lower": 20,
         "dim_upper": 25, "method": "slice", "census": "", "function_dim": "",
         "engine": "sympy", "status": "timeout", "message": "killed, after 30 s",
         "seconds": 30.0},
    ]
    path = tmp_path / "variety_dimensions.csv"
    atomic_write_csv(path, cols, rows)
    return path


def test_load_types_the_columns(constraint_csv):
    df = results.load(constraint_csv)
    assert str(df["n"].dtype) == "Int64" and str(df["colors"].dtype) == "Int64"
    assert str(df["agree"].dtype) == "boolean"
    assert str(df["spec"].dtype) == "string" and df["seconds"].dtype == "float64"
    assert len(df) == len(pd.read_csv(constraint_csv))


def test_engine_csvs_round_trip_exactly(constraint_csv, dimension_csv, tmp_path):
    for path in (constraint_csv, dimension_csv):
        df = results.load(path)
        copy = results.save(df, tmp_path / ("copy_" + path.name))
        assert copy.read_bytes() == path.read_bytes()
        pd.testing.assert_frame_equal(results.load(copy), df)


def test_json_and_missing_values(dimension_csv):
    df = results.load(dimension_csv)
    assert df.loc[0, "census"] == {"12": 30, "9": 2}
    assert df.loc[1, "census"] is None and df.loc[1, "exclude"] == ["constant-output"]
    assert pd.isna(df.loc[1, "dim"]) and df.loc[1, "dim_lower"] == 20
    assert df.loc[1, "message"] == "killed, after 30 s"  # a comma inside a cell


cell_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(
    st.one_of(st.none(), st.integers(-10**12, 10**12)),
    st.one_of(st.none(), st.booleans()),
    st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 4))),
    st.one_of(st.none(), st.dictionaries(st.sampled_from("abc"), st.integers(0, 9))),
    st.one_of(st.none(), cell_text.filter(lambda s: s.strip() == s and s != "")),
), min_size=1, max_size=6))
def test_save_load_round_trip_property(tmp_path, rows):
    cols = ["key", "dim", "agree", "seconds", "census", "message"]
    records = [{"key": f"k{i}", "dim": d, "agree": a, "seconds": s, "census": c, "message": m}
               for i, (d, a, s, c, m) in enumerate(rows)]
    first = tmp_path / "first.csv"
    atomic_write_csv(first, cols, [
        {**r, "census": None if r["census"] is None else json.dumps(r["census"], sort_keys=True,
                                                                     separators=(",", ":"))}
        for r in records])
    df = results.load(first)
    for r, got in zip(records, df.itertuples()):
        assert (pd.isna(got.dim) and r["dim"] is None) or got.dim == r["dim"]
        assert (pd.isna(got.agree) and r["agree"] is None) or got.agree == r["agree"]
        assert got.census == r["census"]
    second = results.save(df, tmp_path / "second.csv")
    assert second.read_bytes() == first.read_bytes()


def test_summary_counts_match_the_table(constraint_csv):
    df = results.load(constraint_csv)
    summary = results.summarize(df)
    assert summary["cases"].sum() == len(df)
    for r in summary.itertuples():
        sub = df[(df["group"] == r.group) & (df["kind"] == r.kind)]
        assert r.cases == len(sub) and r.ok == int((sub["status"] == "ok").sum())


def test_figures_are_written_next_to_the_csvs(constraint_csv, dimension_csv):
    pytest.importorskip("matplotlib")
    pngs = results.figures([constraint_csv, dimension_csv])
    names = [p.name for p in pngs]
    assert names[:2] == ["constraint_tables.png", "variety_dimensions.png"]
    # Two-layer invariant rows also get the dimensions against the hidden width.
    assert names[2:] in ([], ["variety_dimensions_by_width.png"])
    for p in pngs:
        assert p.parent == constraint_csv.parent or p.parent == dimension_csv.parent
        data = p.read_bytes()
        assert data[:8] == PNG_MAGIC and len(data) > 5000


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        results.load(tmp_path / "none.csv")


def test_integers_in_float_columns_round_trip(tmp_path):
    """A grid's `timeout = 5` is written 5 by the engine and must be saved as 5, not 5.0."""
    text = ("key,sleep,timeout,alpha,seconds\n"
            "a,5,2.5,1,0.1\n"
            "b,2.5,5,2.5,0.0042\n"
            "c,,1e-05,-3,30.0\n")
    path = tmp_path / "p.csv"
    path.write_text(text)
    df = results.load(path)
    assert df["sleep"].dtype == "float64" and df["alpha"].dtype == "float64"
    assert list(df["timeout"]) == [2.5, 5.0, 1e-05]
    assert results.save(df, tmp_path / "copy.csv").read_text() == text
    # rows keep their own text through filtering and reordering
    part = df[df["key"] != "a"].iloc[::-1]
    assert results.save(part, tmp_path / "part.csv").read_text().splitlines()[1:] == [
        "c,,1e-05,-3,30.0", "b,2.5,5,2.5,0.0042"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.one_of(st.none(), st.integers(-10**6, 10**6),
                                 st.floats(allow_nan=False, allow_infinity=False)),
                       min_size=1, max_size=6))
def test_mixed_numbers_round_trip_property(tmp_path, values):
    first = tmp_path / "first.csv"
    atomic_write_csv(first, ["key", "sleep", "x"],
                     [{"key": f"k{i}", "sleep": v, "x": v} for i, v in enumerate(values)])
    second = results.save(results.load(first), tmp_path / "second.csv")
    assert second.read_bytes() == first.read_bytes()


def test_figures_skip_a_csv_without_rows(tmp_path):
    path = tmp_path / "variety_dimensions.csv"
    atomic_write_csv(path, ["key", "spec", "kind", "dim", "dim_lower", "status", "seconds"], [])
    assert results.figures([path]) == []
    assert not path.with_suffix(".png").exists()


def test_committed_results_round_trip(tmp_path):
    """The README's `results.save(df, "copy.csv")` is byte-identical for every CSV in results/."""
    import pathlib

    paths = sorted((pathlib.Path(__file__).resolve().parent.parent / "results").glob("*.csv"))
    if not paths:
        pytest.skip("no committed results/")
    for path in paths:
        copy = results.save(results.load(path), tmp_path / path.name)
        assert copy.read_bytes() == path.read_bytes(), path.name



@pytest.mark.parametrize("old, new", [
    ("varieties.report", "varieties.results"),
    ("varieties.algebra.report", "varieties.algebra.variety_report"),
])
def test_old_module_names_warn_and_reexport_everything(old, new, monkeypatch):
    import importlib
    import sys

    monkeypatch.delitem(sys.modules, old, raising=False)
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        shim = importlib.import_module(old)
    target = importlib.import_module(new)
    names = [k for k in vars(target) if not k.startswith("__")]
    assert "load" in names or "VarietyReport" in names
    assert all(getattr(shim, k) is getattr(target, k) for k in names)


def test_package_attribute_report_is_lazy_and_warns(monkeypatch):
    import sys

    import varieties

    monkeypatch.delitem(sys.modules, "varieties.report", raising=False)
    monkeypatch.delattr(varieties, "report", raising=False)
    with pytest.warns(DeprecationWarning, match="varieties.results"):
        assert varieties.report.load is results.load
    with pytest.raises(AttributeError, match="no_such_name"):
        varieties.no_such_name


def test_our_own_imports_do_not_warn():
    import subprocess
    import sys

    code = ("import warnings; warnings.simplefilter('error', DeprecationWarning); "
            "import varieties, varieties.algebra, varieties.sweep, varieties.cli; "
            "from varieties import *")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_width_figure_draws_one_point_per_network_and_width():
    # n,qw,q1 only: the affine n,aw,q1 and the exclusions at the same width
    # would put several points on one line (the figure once drew them as
    # vertical zigzags).
    df = pd.DataFrame({
        "spec": ["3,q3,q1", "3,a3,q1", "3,q3,q1", "3,q2,q1", "3,q2,q2,q1", "3,q3,q3"],
        "kind": ["invariant", "invariant", "invariant", "invariant", "invariant", "equivariant"],
        "group": ["symmetric"] * 6,
        "exclude": ["[]", "[]", '["constant-output"]', [], "[]", "[]"],
    })
    got = [(g, n, w, r.spec) for g, n, w, r in results._width_rows(df)]
    assert got == [("symmetric", 3, 3, "3,q3,q1"), ("symmetric", 3, 2, "3,q2,q1")]
