"""The command-line interface: output formats and one-line errors with status 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

import pandas as pd
import pytest

from varieties import constraints
from varieties.cli import main


def run_cli(*args):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_constraints_json_matches_the_api():
    code, out, _ = run_cli("constraints", "3,q3,full", "--kind", "equivariant", "--json")
    assert code == 0
    data = json.loads(out)
    cs = constraints("3,q3,full", kind="equivariant")
    assert data["weights"] == list(cs.weights)
    assert data["constraints"] == [str(c) for c in cs]
    assert data["counts"] == cs.counts()
    assert set(data["counts"]) == {"equality", "zero", "linear", "polynomial"}


def test_constraints_csv_and_table():
    code, out, _ = run_cli("constraints", "2,q2,q1", "--csv", "--mode", "transpositions")
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert len(df) == len(constraints("2,q2,q1")) and "class" in df.columns
    code, out, _ = run_cli("constraints", "2,l1")
    assert code == 0 and "B1_0_0 - B1_0_1" in out


@pytest.mark.parametrize("args,word", [
    (["constraints", "3,q3x"], "q3x"),
    (["constraints", "6,l3", "--kind", "folded"], "hyperoctahedral"),
    (["constraints", "3,q2", "--kind", "equivariant"], "width"),
    (["constraints", "3,q1", "--group", "gens:(0 7)"], "cycle"),
])
def test_bad_input_prints_one_line_and_exits_2(args, word):
    code, out, err = run_cli(*args)
    assert code == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and word in lines[0] and "Traceback" not in err


@pytest.mark.parametrize("args", [
    ["constraints", "3,q1", "--kind", "sideways"],
    ["constraints", "3,q1", "--bogus-flag"],
    ["no-such-command"],
])
def test_usage_errors_are_one_line_with_status_2(args):
    code, out, err = run_cli(*args)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2 and len(lines) == 1 and "error" in lines[0]


def test_module_entry_point_runs():
    proc = subprocess.run([sys.executable, "-m", "varieties", "constraints", "2,l1", "--json"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and json.loads(proc.stdout)["counts"]["equality"] == 1
    proc = subprocess.run([sys.executable, "-m", "varieties", "constraints", "2,q0"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_constraints_timeout_stops_with_status_124():
    import time

    t0 = time.perf_counter()
    code, out, err = run_cli("constraints", "4,q4,q4,q1", "--timeout", "0.5")
    assert code == 124 and out == ""
    assert "not done within 0.5 s" in err and "--timeout" in err
    assert time.perf_counter() - t0 < 45      # unbounded, it takes minutes
    # A generous limit changes nothing.
    code, out, _ = run_cli("constraints", "2,q2,q1", "--csv", "--timeout", "600")
    assert code == 0 and len(pd.read_csv(io.StringIO(out))) == len(constraints("2,q2,q1"))
    code, _, err = run_cli("constraints", "2,q2,q1", "--timeout", "0")
    assert code == 2 and "--timeout" in err
