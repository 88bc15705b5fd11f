"""`varieties tying`, the pattern display, and the closed forms' building blocks."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sympy.utilities.iterables import partitions

from varieties.cli import main
from varieties.closed_forms import equivariant_count, invariant_count, partitions_at_most
from varieties.patterns import format_pattern, layer_patterns, pattern_frame
from varieties.tying import tying

KEYS = {"weights", "colors", "zero", "free", "function_dim", "method"}


def run_cli(*args):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("method", ["auto", "orbits", "constraints"])
def test_json_has_exactly_the_keys_and_matches_the_api(method):
    code, out, _ = run_cli("tying", "4,q4", "--json", "--method", method)
    assert code == 0
    data = json.loads(out)
    assert set(data) == KEYS
    t = tying("4,q4", method=method)
    assert data == t.counts()
    assert data["method"] == ("orbits" if method == "auto" else method)


def test_multilayer_json_reports_each_layer():
    code, out, _ = run_cli("tying", "3,q3,q1", "--kind", "invariant", "--json", "--full")
    assert code == 0
    data = json.loads(out)
    t = tying("3,q3,q1", kind="invariant", full=True)
    assert [set(d) for d in data] == [KEYS, KEYS]
    assert data == [layer.counts() for layer in t.layers]


def test_text_show_and_csv():
    code, out, _ = run_cli("tying", "6,l3", "--group", "hyperoctahedral", "--kind", "folded", "--show")
    assert code == 0 and "2 colors" in out and "outputs folded" in out
    assert format_pattern(tying("6,l3", "hyperoctahedral", "folded")) in out
    code, out, _ = run_cli("tying", "3,q3", "--csv")
    df = pd.read_csv(io.StringIO(out))
    assert df["color"].tolist() == tying("3,q3").color_ids.tolist()
    code, out, _ = run_cli("tying", "3,q3^2,q1", "--kind", "invariant")
    assert "pre-activation" in out and "total:" in out


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "pattern.png"
    code, out, _ = run_cli("tying", "3,q3,q1", "--kind", "invariant", "--plot", str(path))
    assert code == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("args,needle", [
    (["6,l3", "--kind", "folded"], "hyperoctahedral"),
    (["3,q2"], "equivariant"),
    (["3,x3"], "layer kind"),
    (["5,q5", "--group", "hyperoctahedral"], "odd"),
])
def test_bad_input_is_one_line_with_status_2(args, needle):
    code, out, err = run_cli("tying", *args)
    assert code == 2 and needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("spec,full", [("4,q4", False), ("3,q3", True), ("3,a2,s1", False)])
def test_patterns_show_the_tying_colors(spec, full):
    t = tying(spec, "cyclic", "equivariant" if spec == "4,q4" or spec == "3,q3" else "invariant", full=full)
    pats = layer_patterns(t)
    frame = pattern_frame(t)
    for _, row in frame.iterrows():
        pat = pats[row["layer"] - 1]
        color = row["color"] + 1
        if row["part"] == "A":
            assert pat.A[row["k"], row["i"], row["j"]] == color
            if not full:
                assert pat.A[row["k"], row["j"], row["i"]] == color
        elif row["part"] == "B":
            assert pat.B[row["k"], row["i"]] == color
        else:
            assert pat.C[row["k"]] == color
    assert (frame["color"].to_numpy() == t.color_ids).all()


@given(st.integers(0, 14), st.integers(0, 8))
def test_partition_counts_match_enumeration(e, m):
    count = sum(1 for p in partitions(e) if sum(p.values()) <= m) if e else 1
    assert partitions_at_most(e, m) == count


@pytest.mark.parametrize("n", range(1, 6))
def test_closed_forms_count_orbits_of_monomials(n):
    """Degree-d orbit counts against the orbit engine's counts on pure degree-d layers."""
    assert invariant_count(n, 2) == tying(f"{n},s1", kind="invariant").n_free
    assert invariant_count(n, 1) == tying(f"{n},l1", kind="invariant").n_free
    assert equivariant_count(n, 2) == tying(f"{n},s{n}").n_free
    assert equivariant_count(n, 1) == tying(f"{n},l{n}").n_free
    assert np.all(tying(f"{n},s{n}").matrix() >= 0)
