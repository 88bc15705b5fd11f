"""Exclusions: the recipe's values against the expanded polynomial, and the families' check."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from varieties.algebra.evaluation import output_coefficients_mod
from varieties.algebra.exclusions import (Exclusion, exclusion, exclusion_poly, excluded_at,
                                          rabinowitsch)
from varieties.algebra.families import eval_mod_p
from varieties.expand import expand
from varieties.network import parse_spec

P = 2**31 - 1


def _expanded_coefficients_mod(spec, w, p):
    """The coefficients of the expansion in the weights (sympy), evaluated at ``w``."""
    e = expand(spec, backend="sympy")
    out = []
    for k in range(spec.n_outputs):
        d = {}
        for m, c in e.coeffs[k].items():
            v = eval_mod_p(c, w, p)
            if v:
                d[m] = v
        out.append(d)
    return out


@pytest.mark.parametrize("spec", ["2,q1", "3,q2,q1", "2,a2^3,l1", "3,q2,l2^2,q2", "2,s2,a1"])
@pytest.mark.parametrize("full", [False, True])
def test_output_coefficients_at_a_point_are_the_expansion_evaluated(spec, full):
    s = parse_spec(spec, full=full)
    rng = random.Random(f"{spec}{full}")
    w = [rng.randrange(P) for _ in s.weights]
    assert output_coefficients_mod(s, w, P) == _expanded_coefficients_mod(s, w, P)


@settings(max_examples=15, deadline=None)
@given(spec=st.sampled_from(["2,q1,q1", "2,q2,q1", "2,a2,q1", "3,q1,l2^2,q1", "2,q1,q1,q1"]),
       what=st.sampled_from(["constant-output", "dead-unit"]),
       seed=st.integers(0, 5), zero=st.sets(st.integers(0, 40), max_size=12),
       full=st.booleans())
def test_the_recipe_and_the_polynomial_agree_at_any_point(spec, what, seed, zero, full):
    """``value_mod`` (one evaluation on polynomials in x) equals g evaluated from its expansion,
    also at points where some weights vanish (a dead unit, a constant output)."""
    s = parse_spec(spec, full=full)
    rng = random.Random(seed)
    w = [0 if i in zero else rng.randrange(P) for i in range(len(s.weights))]
    lazy = exclusion(s, what, seed)
    assert lazy.poly is None
    value = lazy.value_mod(w, P)
    assert lazy.poly is None            # evaluating did not expand
    g = exclusion_poly(s, what, seed).poly
    assert value == eval_mod_p(g, w, P)
    assert lazy.polynomial() == g       # the lazy polynomial is the eager one


def test_a_constant_output_is_excluded_and_a_live_one_is_not():
    from varieties.learn.numpy_backend import layout

    spec = parse_spec("2,q1,q1")
    ex = exclusion(spec, "constant-output")
    live = [random.Random(1).randrange(1, P) for _ in spec.weights]
    out_layer = layout(spec)[-1]
    dead = list(live)
    for i in out_layer.a_idx.ravel().tolist() + out_layer.b_idx.ravel().tolist():
        dead[i] = 0                      # the output is its constant C
    assert any(any(m) for m in output_coefficients_mod(spec, live, P)[0])
    assert not any(any(m) for m in output_coefficients_mod(spec, dead, P)[0])
    assert not excluded_at(ex, live, P) and excluded_at(ex, dead, P)


def test_rabinowitsch_relation_from_flint_equals_the_sympy_one():
    from varieties.algebra import build_problem

    a, b = build_problem("2,q2,q1"), build_problem("2,q2,q1")
    fast = exclusion(a.spec, "constant-output")
    slow = exclusion_poly(b.spec, "constant-output")
    slow_copy = Exclusion(slow.name, slow.poly, slow.description)   # no recipe: sympy path
    rabinowitsch(a, fast)
    rabinowitsch(b, slow_copy)
    assert a.extra_polys == b.extra_polys and a.extra_vars == b.extra_vars


def test_analyze_bounds_a_three_layer_network_with_an_exclusion_within_its_time():
    """The families are checked against the exclusion by evaluation: ``3,q3,q3,q1`` with
    constant-output excluded was killed (no bounds) while 1.6 million terms were evaluated."""
    from varieties.algebra import analyze

    # 30 s: the families take 2 s here; the slices of the 1.6-million-term system are
    # refused up front (building one takes about 50 s), so the status does not hang on speed.
    r = analyze("3,q3,q3,q1", exclude=("constant-output",), timeout=30, function_dim=False)
    assert r.status == "timeout" and r.dim_upper == r.n_weights
    assert r.dim_lower > 0 and "exclu" in r.certificate + r.message
