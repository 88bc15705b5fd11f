"""The exact expansion against a direct evaluation of the network, and flint against sympy."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import random_fraction, random_weights
from varieties import expand, parse_spec
from varieties.expand import flint_available
from varieties.network import LayerSpec, NetworkSpec, evaluate

BACKENDS = ["sympy"] + (["flint"] if flint_available() else [])


def eval_expansion(e, weights, x):
    """Evaluate an Expansion at exact weights and inputs via its sympy coefficients."""
    R = e.sympy_ring()
    vals = [R.domain.convert(weights[w].numerator) / R.domain.convert(weights[w].denominator)
            for w in e.weights]
    out = []
    for coeffs in e.coeffs:
        total = Fraction(0)
        for m, c in coeffs.items():
            v = e.to_sympy(c)(*vals) if len(e.weights) > 1 else e.to_sympy(c)(vals[0])
            mono = Fraction(1)
            for xi, ei in zip(x, m):
                mono *= xi**ei
            total += Fraction(int(v.numerator), int(v.denominator)) * mono
        out.append(total)
    return out


layer_st = st.builds(
    LayerSpec,
    kind=st.sampled_from("qsla"),
    width=st.integers(1, 3),
    power=st.sampled_from([1, 1, 2]),
)
def x_degree(spec: NetworkSpec) -> int:
    """Degree of the network in x: each quadratic layer doubles it, each power multiplies it."""
    d = 1
    for layer in spec.layers:
        d *= (2 if layer.kind in "qs" else 1) * layer.power
    return d


# Degree at most 8: a draw like 3,q3^2,q3^2 (degree 16) takes minutes and gigabytes in
# sympy, and a rare draw of it made the suite hang.
spec_st = st.builds(
    NetworkSpec,
    n_inputs=st.integers(1, 3),
    layers=st.lists(layer_st, min_size=1, max_size=2).map(tuple),
    full=st.booleans(),
).filter(lambda s: x_degree(s) <= 8)


@settings(max_examples=25, deadline=None)
@given(spec=spec_st, seed=st.integers(0, 10**6), backend=st.sampled_from(BACKENDS))
def test_expansion_matches_direct_evaluation(spec, seed, backend):
    rng = random.Random(seed)
    e = expand(spec, backend=backend)
    w = random_weights(spec, rng)
    x = [random_fraction(rng) for _ in range(spec.n_inputs)]
    assert eval_expansion(e, w, x) == evaluate(spec, w, x)


@pytest.mark.parametrize("text", ["3,q3,q1", "2,l2^2,l1", "3,a2^3,s1", "2,q2,q2,full"])
def test_expansion_of_deeper_networks_matches_evaluation(text, rng):
    spec = parse_spec(text)
    for backend in BACKENDS:
        e = expand(spec, backend=backend)
        for _ in range(2):
            w = random_weights(spec, rng)
            x = [random_fraction(rng) for _ in range(spec.n_inputs)]
            assert eval_expansion(e, w, x) == evaluate(spec, w, x)


@pytest.mark.skipif(not flint_available(), reason="python-flint not installed")
@pytest.mark.parametrize("text", ["2,q2,q1", "3,q3,q1", "2,l2^2,a2", "3,q2,s1,full"])
def test_flint_and_sympy_give_identical_coefficients(text):
    a = expand(text, backend="sympy")
    b = expand(text, backend="flint")
    assert a.weights == b.weights
    for ca, cb in zip(a.coeffs, b.coeffs):
        assert set(ca) == set(cb)
        for m in ca:
            assert dict(a.to_sympy(ca[m])) == dict(b.to_sympy(cb[m]))
    listed = sum(len(a.to_sympy(c)) for out in a.coeffs for c in out.values())
    assert a.n_terms == b.n_terms == listed


def test_expansion_degree_and_monomials_follow_the_spec():
    spec = parse_spec("2,q2,l1^2")
    e = expand(spec)
    # q doubles the degree, l^2 doubles it again
    assert max(sum(m) for m in e.monomials) == spec.degree == 2 * 2
