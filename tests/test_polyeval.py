"""The float64 polynomial evaluator against exact sympy evaluation and differentiation."""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from varieties.expand import expand, flint_available
from varieties.polyeval import compile_polys, compile_terms, native_terms

N_VARS = 3
monomials = st.tuples(*[st.integers(0, 3)] * N_VARS)
coefficients = st.fractions(min_value=-5, max_value=5, max_denominator=7).filter(bool)
polynomials = st.dictionaries(monomials, coefficients, min_size=0, max_size=6)
points = st.lists(st.fractions(min_value=-2, max_value=2, max_denominator=5),
                  min_size=N_VARS, max_size=N_VARS)


def _sympy(poly, xs):
    return sum((sp.Rational(c.numerator, c.denominator) * sp.Mul(*[x ** e for x, e in zip(xs, m)])
                for m, c in poly.items()), sp.Integer(0))


@settings(max_examples=60, deadline=None)
@given(st.lists(polynomials, min_size=1, max_size=4), points)
def test_values_and_jacobian_match_exact(polys, point):
    xs = sp.symbols(f"x0:{N_VARS}")
    exact = [_sympy(f, xs) for f in polys]
    subs = dict(zip(xs, [sp.Rational(p.numerator, p.denominator) for p in point]))
    w = np.array([float(p) for p in point])
    cp = compile_polys(polys, N_VARS)
    vals, scale = cp.values_and_scale(w)
    J = cp.jacobian(w)
    assert vals.shape == (len(polys),) and J.shape == (len(polys), N_VARS)
    for r, e in enumerate(exact):
        # float64 rounding is bounded by a few ulps of the sum of |terms|.
        tol = 1e-13 * (1 + scale[r])
        assert abs(vals[r] - float(e.subs(subs))) <= tol
        for i, x in enumerate(xs):
            assert abs(J[r, i] - float(sp.diff(e, x).subs(subs))) <= 1e-12 * (1 + scale[r])
    # The scale is exactly the sum of |terms|, the quantity the tolerances rely on.
    for r, f in enumerate(polys):
        ref = sum(abs(float(c) * np.prod([float(p) ** e for p, e in zip(point, m)]))
                  for m, c in f.items())
        assert abs(scale[r] - ref) <= 1e-12 * (1 + ref)


def test_normalize_divides_by_largest_coefficient_per_polynomial():
    polys = [{(1, 0): Fraction(-6), (0, 0): 3}, {(0, 2): Fraction(1, 4)}]
    raw = compile_polys(polys, 2)
    normed = compile_polys(polys, 2, normalize=True)
    w = np.array([0.3, -1.7])
    tops = np.array([max(abs(float(c)) for c in f.values()) for f in polys])
    assert np.allclose(normed.values(w), raw.values(w) / tops, rtol=1e-15, atol=0)
    assert np.allclose(normed.jacobian(w), raw.jacobian(w) / tops[:, None], rtol=1e-15, atol=0)


def test_empty_system_and_constant_polynomial():
    empty = compile_terms([], 4, 0)
    assert empty.values(np.ones(4)).shape == (0,) and empty.jacobian(np.ones(4)).shape == (0, 4)
    const = compile_polys([{(0, 0): 2}], 2)
    assert const.values([7.0, 9.0]).tolist() == [2.0]
    assert const.jacobian([7.0, 9.0]).tolist() == [[0.0, 0.0]]


@pytest.mark.parametrize("backend", ["sympy"] + (["flint"] if flint_available() else []))
@pytest.mark.parametrize("text", ["2,q2,q1", "3,a2^2,q1", "2,q1,full", "2,s2,l1^3"])
def test_native_terms_compile_to_the_exact_polynomials(text, backend):
    """Expansion coefficients read natively (flint strings, sympy items) in another order."""
    import random

    e = expand(text, backend=backend)
    order = list(reversed(e.weights))  # not the ring's order: indices must be mapped
    pos = {name: i for i, name in enumerate(order)}
    coeffs = [c for out in e.coeffs for c in out.values()]
    cp = compile_terms(((k, v, fs) for k, c in enumerate(coeffs) for v, fs in native_terms(c, pos)),
                       len(order), len(coeffs))
    rng = random.Random(text)
    for _ in range(3):
        point = {name: Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for name in e.weights}
        w = np.array([float(point[name]) for name in order])
        vals, scale = cp.values_and_scale(w)
        for k, c in enumerate(coeffs):
            exact = e.to_sympy(c)(*[point[name] for name in e.weights])
            assert abs(vals[k] - float(exact)) <= 1e-12 * (1 + scale[k])
