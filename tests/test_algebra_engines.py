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
    results = {e: groebner(system, e, timeout=60) for e in _engines(char)}
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
    assert time.perf_counter() - start < 10


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
