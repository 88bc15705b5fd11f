"""Slicing and families agree with the full Groebner dimension where both finish."""

import random
from fractions import Fraction

import pytest

from varieties.algebra import build_problem, families, groebner, slice_bounds
from varieties.algebra.engines import msolve_binary
from varieties.algebra.slicing import slice_system
from varieties.groups import get_group
from varieties.network import evaluate

P = 32003
CASES = [("2,a1,q1", "invariant"), ("2,q1,l1", "invariant"), ("2,l2,q1", "invariant"),
         ("2,q1,q1", "invariant"), ("2,a2", "equivariant"), ("2,l2^2,l1", "invariant")]


@pytest.mark.parametrize("spec,kind", CASES)
def test_slices_agree_with_groebner_dimension(spec, kind):
    prob = build_problem(spec, kind=kind)
    full = groebner(prob.system(0), engine="sympy", timeout=60)
    assert full.status == "ok"
    engine = "msolve" if msolve_binary() else "sympy"
    sb = slice_bounds(prob.system(P), lower=0, upper=None, engine=engine, seed=3, timeout=60)
    assert sb.lower == sb.upper == full.dim


@pytest.mark.parametrize("spec,kind", CASES)
def test_families_lie_in_v_and_bound_below(spec, kind):
    prob = build_problem(spec, kind=kind)
    full = groebner(prob.system(0), engine="sympy", timeout=60)
    G = get_group("symmetric", prob.spec.n_inputs)
    for fam in families(prob.spec, "symmetric", kind, polys=prob.cs.polys):
        if not fam.matrix:
            continue
        assert fam.dim_lower <= full.dim
        # Independent check: a random rational family point gives a symmetric network.
        rng = random.Random(1)
        theta = [Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(fam.n_params)]
        w = {n: sum(a * t for a, t in zip(row, theta)) for n, row in zip(prob.spec.weights,
                                                                       fam.matrix)}
        x = [Fraction(rng.randint(-9, 9), 7) for _ in range(prob.spec.n_inputs)]
        for g in G.generators:
            gx = [None] * len(x)
            for i, gi in enumerate(g):
                gx[gi] = x[i]
            fx, fgx = evaluate(prob.spec, w, x), evaluate(prob.spec, w, gx)
            if kind == "invariant":
                assert fx == fgx
            else:
                assert [fx[i] for i in range(len(fx))] == [fgx[g[i]] for i in range(len(fx))]


def test_slice_substitution_preserves_points():
    """A point of the slice, lifted back, lies on V (checked on a circle mod p)."""
    from varieties.algebra.engines import System

    circle = System(("x", "y"), [{(2, 0): 1, (0, 2): 1, (0, 0): P - 1}], P)
    sl = slice_system(circle, 1, seed=0)
    assert sl.nvars == 1 and len(sl.polys) == 1
    assert max(sum(m) for m in sl.polys[0]) == 2


@pytest.mark.parametrize("spec", ["2,q2,q1", "2,q2,q2", "2,a2,s1", "2,l2^2,l1", "2,q2,q1,full",
                                  "2,q2,a2,q1"])
def test_reparametrisation_vectors_keep_the_function(spec):
    """Independent check of the orbit directions: J_F(w) v = 0 mod p at a random w."""
    from varieties.algebra.families import LARGE_PRIME, lie_vectors
    from varieties.algebra.function_dim import jacobian_mod_p
    from varieties.network import parse_spec

    sp = parse_spec(spec)
    p = LARGE_PRIME
    rng = random.Random(5)
    w = [rng.randrange(p) for _ in sp.weights]
    J = jacobian_mod_p(sp, w, p)
    vecs = lie_vectors(sp, dict(zip(sp.weights, w)), p)
    assert vecs
    for v in vecs:
        col = [v.get(n, 0) for n in sp.weights]
        assert any(col)
        assert all(sum(a * b for a, b in zip(row, col)) % p == 0 for row in J)


def test_slices_never_mix_in_the_rabinowitsch_variable():
    """With n_weights, y -> a x + c only: y t - 1 stays of degree 1 in t (no t^2 term)."""
    from varieties.algebra.engines import System

    s = System(("x", "y", "t"), [{(0, 1, 1): 1, (0, 0, 0): -1}], P)
    sl = slice_system(s, 1, seed=0, eliminate=[1], n_weights=2)
    assert sl.variables == ("x", "t")
    assert max(m[1] for m in sl.polys[0]) == 1
    assert all(m[0] + m[1] <= 2 and m != (0, 2) for m in sl.polys[0])


@pytest.mark.parametrize("gens,expected", [
    # V = {x = y}, g = x - y: V minus {g = 0} is empty (unit ideal after Rabinowitsch).
    ([{(1, 0, 0): 1, (0, 1, 0): -1}, {(1, 0, 1): 1, (0, 1, 1): -1, (0, 0, 0): -1}], -1),
    # V = {x = y}, g = x: the line minus a point, dimension 1.
    ([{(1, 0, 0): 1, (0, 1, 0): -1}, {(1, 0, 1): 1, (0, 0, 0): -1}], 1),
])
def test_slice_bounds_start_below_zero_when_the_excluded_part_may_be_empty(gens, expected):
    from varieties.algebra.engines import System

    s = System(("x", "y", "t"), gens, P)
    full = groebner(s, engine="sympy", timeout=30)   # independent: the whole basis over GF(p)
    assert full.dim == expected
    sb = slice_bounds(s, lower=-1, upper=2, engine="sympy", seed=0, timeout=30, n_weights=2)
    assert sb.lower == sb.upper == expected


def test_big_systems_are_sliced_in_a_child_with_the_same_answer(monkeypatch):
    from varieties.algebra import slicing
    from varieties.algebra.engines import System

    circle = System(("x", "y"), [{(2, 0): 1, (0, 2): 1, (0, 0): 32002}], 32003)
    here = [slicing.slice_test(circle, c, engine="sympy", seed=1).empty for c in (1, 2)]
    monkeypatch.setattr(slicing, "SLICE_CHILD_TERMS", 0)
    child = [slicing.slice_test(circle, c, engine="sympy", seed=1).empty for c in (1, 2)]
    assert here == child == [False, True]


def test_a_slice_too_big_to_build_in_time_is_not_started(monkeypatch):
    from varieties.algebra import slicing
    from varieties.algebra.engines import System

    circle = System(("x", "y"), [{(2, 0): 1, (0, 2): 1, (0, 0): 32002}], 32003)
    monkeypatch.setattr(slicing, "SLICE_SECONDS_PER_TERM", 100.0)
    r = slicing.slice_test(circle, 1, engine="sympy", timeout=30)
    assert r.status == "timeout" and r.empty is None and "would take" in r.message
