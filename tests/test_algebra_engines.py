"""Engines agree on reduced bases and dimensions; time limits fire and are reported."""

import time

import pytest
from hypothesis import given, settings, strategies as st

from varieties.algebra import build_problem, groebner, run_groebner
from varieties.algebra.engines import System, msolve_binary, singular_binary
from varieties.errors import EngineError

HAS_SINGULAR = singular_binary() is not None
HAS_MSOLVE = msolve_binary() is not None
needs_singular = [pytest.mark.singular,
                  pytest.mark.skipif(not HAS_SINGULAR, reason="Singular binary absent")]
needs_msolve = [pytest.mark.msolve,
                pytest.mark.skipif(not HAS_MSOLVE, reason="msolve binary absent")]
P = 32003
SMALL = ["2,a1,q1", "2,q1,l1", "2,l2,q1", "2,q1,q1", "2,l2^2,l1"]


def _engines(char):
    out = ["sympy"]
    if HAS_SINGULAR:
        out.append("singular")
    if HAS_MSOLVE and char:
        out.append("msolve")
    return out


def _canon(basis):
    return sorted(tuple(sorted(f.items())) for f in basis)


@pytest.mark.parametrize("spec", SMALL)
@pytest.mark.parametrize("char", [0, P])
def test_engines_agree_on_network_ideals(spec, char):
    system = build_problem(spec).system(char)
    results = {e: groebner(system, engine=e, timeout=60) for e in _engines(char)}
    assert all(r.status == "ok" for r in results.values()), {e: r.message for e, r in results.items()}
    dims = {r.dim for r in results.values()}
    bases = {str(_canon(r.basis)) for r in results.values()}
    assert len(dims) == 1 and len(bases) == 1


polys = st.lists(
    st.dictionaries(st.tuples(*[st.integers(0, 2)] * 3), st.integers(-5, 5), min_size=1,
                    max_size=4),
    min_size=1, max_size=3)


@settings(max_examples=15, deadline=None)
@given(polys)
def test_engines_agree_on_random_systems_mod_p(ps):
    system = System(("x", "y", "z"), ps, P)
    if not system.polys:
        return
    res = [run_groebner(system, e, 30) for e in _engines(P)]
    assert all(r.ok for r in res)
    assert len({str(_canon(r.basis)) for r in res}) == 1


def test_sympy_time_limit_fires_and_is_reported():
    system = build_problem("3,l3^2,l1").system(0)
    start = time.perf_counter()
    r = run_groebner(system, "sympy", timeout=0.5)
    assert r.status == "timeout" and r.basis is None
    assert time.perf_counter() - start < 60  # unbounded: many minutes


@pytest.mark.singular
@pytest.mark.skipif(not HAS_SINGULAR, reason="Singular binary absent")
def test_singular_time_limit_fires():
    system = build_problem("2,q2,q1").system(0)
    r = run_groebner(system, "singular", timeout=0.5)
    assert r.status == "timeout"


@pytest.mark.msolve
@pytest.mark.skipif(not HAS_MSOLVE, reason="msolve binary absent")
def test_msolve_time_limit_fires_and_refuses_qq():
    system = build_problem("3,q3,q1").system(P)
    assert run_groebner(system, "msolve", timeout=0.2).status == "timeout"
    with pytest.raises(EngineError, match="GF\\(p\\)"):
        run_groebner(build_problem("2,a1,q1").system(0), "msolve", 10)


def test_unknown_engine_and_bad_timeout():
    s = System(("x",), [{(1,): 1}], 0)
    with pytest.raises(EngineError, match="unknown engine"):
        run_groebner(s, "magma", 1)
    with pytest.raises(EngineError, match="timeout"):
        run_groebner(s, "sympy", 0)


@pytest.mark.singular
@pytest.mark.skipif(not HAS_SINGULAR, reason="Singular binary absent")
def test_singular_errors_are_reported(tmp_path):
    from varieties.algebra.engines import run_singular_script

    out = str(tmp_path / "out.txt")
    status, text, _ = run_singular_script(
        f'ring r = 0, (x), dp;\nlink L = ":w {out}";\nideal i = x +* ;\nquit;\n', out, 30)
    assert status == "error" and "?" in text


# ---------------------------------------------------------------------------- coefficients, primes

def test_rational_coefficients_are_reduced_mod_p_not_truncated():
    """x/2 - 1 = 0 is x = 2: over GF(p) as over QQ, never the unit ideal."""
    from fractions import Fraction

    half = System(("x",), [{(1,): Fraction(1, 2), (0,): -1}], P)
    doubled = System(("x",), [{(1,): 1, (0,): -2}], P)   # the same ideal, by hand
    for e in _engines(P):
        r = run_groebner(half, e, 30)
        assert r.ok and not r.is_unit
        assert r.basis == run_groebner(doubled, e, 30).basis == [{(1,): 1, (0,): P - 2}]
    over_qq = run_groebner(System(("x",), [{(1,): Fraction(1, 2), (0,): -1}], 0), "sympy", 30)
    assert over_qq.basis == [{(1,): 1, (0,): -2}]


def test_bad_coefficients_and_denominators_raise():
    from fractions import Fraction

    for p in (0, P):
        with pytest.raises(EngineError, match="float"):
            System(("x",), [{(1,): 0.5}], p)
    with pytest.raises(EngineError, match="denominator divisible by the prime"):
        System(("x",), [{(1,): Fraction(1, P)}], P)


@pytest.mark.parametrize("bad", [-7, 0, 1, 2, 1021, 32001, 2**31 + 11, 2**31 - 1 + 2**31, 7.5,
                                 "32003", True])
def test_bad_primes_are_refused(bad):
    """1021 is prime but below 2^10; 32001 = 3 * 10667; 2^31 + 11 is prime but too large."""
    from varieties.algebra.engines import check_engine, check_prime

    assert 32001 == 3 * 10667
    with pytest.raises(EngineError, match="prime"):
        check_prime(bad)
    if isinstance(bad, int) and bad > 0 and bad is not True:
        with pytest.raises(EngineError, match="prime"):
            System(("x",), [{(1,): 1}], bad)
        with pytest.raises(EngineError, match="prime"):
            check_engine("sympy", bad)


@pytest.mark.parametrize("good", [1031, 32003, 2**31 - 1])
def test_good_primes_pass(good):
    from varieties.algebra.engines import check_prime

    assert check_prime(good) == good
    assert run_groebner(System(("x",), [{(1,): 1, (0,): -1}], good), "sympy", 30).ok


@pytest.mark.parametrize("char", [0, P])
def test_empty_system_gives_the_empty_basis_in_every_engine(char):
    system = System(("x", "y"), [], char)
    results = {e: run_groebner(system, e, 30) for e in _engines(char)}
    assert all(r.status == "ok" and r.basis == [] for r in results.values()), results


# ---------------------------------------------------------------------------- elimination

def test_elimination_by_hand():
    """xy = x^2 and xz^2 = xy^3 with x != 0 (t x = 1): x = y and y^3 = z^2, t gone."""
    from varieties.algebra.engines import run_elimination

    s = [{(1, 1, 0, 0): 1, (2, 0, 0, 0): -1}, {(1, 0, 2, 0): 1, (1, 3, 0, 0): -1},
         {(1, 0, 0, 1): 1, (0, 0, 0, 0): -1}]
    for char in (0, P):
        system = System(("x", "y", "z", "t"), s, char)
        for e in _engines(char):
            r = run_elimination(system, 1, e, 30)
            assert r.ok, r.message
            want = [{(1, 0, 0): 1, (0, 1, 0): -1 % char if char else -1},
                    {(0, 3, 0): 1, (0, 0, 2): -1 % char if char else -1}]
            assert r.basis == want


@settings(max_examples=10, deadline=None)
@given(polys)
def test_engines_agree_on_eliminating_a_rabinowitsch_variable(ps):
    """Random x, y, z systems with t * (x + y + 1) = 1: every engine eliminates t alike."""
    from varieties.algebra.engines import run_elimination

    rab = {(1, 0, 0, 1): 1, (0, 1, 0, 1): 1, (0, 0, 0, 1): 1, (0, 0, 0, 0): -1}
    system = System(("x", "y", "z", "t"), [{m + (0,): c for m, c in f.items()} for f in ps]
                    + [rab], P)
    res = [run_elimination(system, 1, e, 30) for e in _engines(P)]
    assert all(r.ok for r in res)
    assert len({str(_canon(r.basis)) for r in res}) == 1


def test_auto_engine_prefers_msolve_then_singular_then_sympy(monkeypatch):
    import inspect
    import shutil

    from varieties.algebra import engines
    from varieties.algebra.analyze import analyze

    have_singular = shutil.which("Singular") is not None
    have_msolve = engines.msolve_binary() is not None
    expected = "msolve" if have_msolve else "singular" if have_singular else "sympy"
    expected_qq = "singular" if have_singular else "sympy"
    assert engines.resolve_engine("auto") == engines.resolve_engine("auto", 32003) == expected
    assert engines.resolve_engine("auto", 0) == expected_qq    # msolve cannot work over QQ
    assert engines.resolve_engine("msolve") == "msolve"  # named engines pass through
    # The default everywhere: analyze, the command line, the sweep task.
    assert inspect.signature(analyze).parameters["engine"].default == "auto"
    from varieties.sweep.tasks import task_arguments
    assert task_arguments("dimension_row")["engine"] == "auto"
    # 3,q2,q1 is settled by slices mod p: by the engine auto names, as named.
    rep = analyze("3,q2,q1", timeout=60, function_dim=False)
    named = analyze("3,q2,q1", engine=expected, timeout=60, function_dim=False)
    assert rep.status == "ok" and rep.engine == expected and rep.dim == named.dim is not None
    # Nothing but the embedded engine installed: auto falls back, and says so.
    monkeypatch.setattr(engines, "singular_binary", lambda: None)
    monkeypatch.setattr(engines, "msolve_binary", lambda: None)
    assert engines.resolve_engine("auto") == engines.resolve_engine("auto", 0) == "sympy"
    rep = analyze("2,q1,q1", timeout=60, function_dim=False)
    named = analyze("2,q1,q1", engine="sympy", timeout=60, function_dim=False)
    assert rep.status == "ok" and rep.engine == "sympy" and rep.dim == named.dim is not None


@pytest.mark.msolve
@pytest.mark.parametrize("pairs", [1, 4])
@pytest.mark.parametrize("spec", ["2,q1,q1", "2,l2,q1", "2,l2^2,l1"])
def test_msolve_chunks_of_critical_pairs_give_the_same_reduced_basis(monkeypatch, spec, pairs):
    # msolve's -m (engines.MSOLVE_MAX_PAIRS) splits each degree's pairs into
    # chunks; the reduced basis is unique, so it must not change, and the
    # flag must reach the command line.
    pytest.importorskip("flint")
    if not HAS_MSOLVE:
        pytest.skip("msolve binary absent")
    import subprocess

    from varieties.algebra import engines

    calls = []
    real_run = subprocess.run

    def recording_run(cmd, *a, **k):
        calls.append(list(cmd))
        return real_run(cmd, *a, **k)

    monkeypatch.setattr(engines.subprocess, "run", recording_run)
    system = build_problem(spec).system(P)
    got = {}
    for m in (0, pairs):
        monkeypatch.setattr(engines, "MSOLVE_MAX_PAIRS", m)
        res = run_groebner(system, "msolve", 60)
        assert res.ok
        got[m] = _canon(res.basis)
        assert ("-m" in calls[-1]) == bool(m)
        if m:
            assert calls[-1][calls[-1].index("-m") + 1] == str(m)
    assert got[0] == got[pairs]


@pytest.mark.msolve
@pytest.mark.skipif(not HAS_MSOLVE, reason="msolve binary absent")
@settings(max_examples=10, deadline=None)
@given(polys)
def test_msolve_chunks_agree_on_random_systems(ps):
    from varieties.algebra import engines

    system = System(("x", "y", "z"), ps, P)
    if not system.polys:
        return
    saved = engines.MSOLVE_MAX_PAIRS
    try:
        bases = []
        for m in (0, 1):
            engines.MSOLVE_MAX_PAIRS = m
            res = run_groebner(system, "msolve", 30)
            assert res.ok
            bases.append(_canon(res.basis))
    finally:
        engines.MSOLVE_MAX_PAIRS = saved
    assert bases[0] == bases[1]
