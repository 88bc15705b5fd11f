"""Krull dimension and Hilbert series from leading monomials, against brute force."""

import itertools

from hypothesis import given, settings, strategies as st

from varieties.algebra.groebner import (hilbert_numerator, hilbert_reduced, krull_dimension,
                                        min_hitting_set)

monos = st.lists(st.tuples(*[st.integers(0, 2)] * 4).filter(any), min_size=1, max_size=5)


def brute_dim(leading, n):
    """Largest set of variables containing no leading monomial's support."""
    best = -1
    for k in range(n + 1):
        for S in itertools.combinations(range(n), k):
            if all(any(m[i] and i not in S for i in range(n)) for m in leading):
                best = max(best, k)
    return best


@settings(max_examples=60, deadline=None)
@given(monos)
def test_krull_dimension_matches_brute_force(leading):
    assert krull_dimension(leading, 4) == brute_dim(leading, 4)


def standard_count(leading, n, deg):
    return sum(1 for m in itertools.product(range(deg + 1), repeat=n) if sum(m) == deg
               and not any(all(a >= b for a, b in zip(m, g)) for g in leading))


@settings(max_examples=40, deadline=None)
@given(monos)
def test_hilbert_numerator_counts_standard_monomials(leading):
    n = 4
    q = hilbert_numerator(leading)
    # Series Q(t)/(1-t)^n: coefficient of t^d is sum_k q_k C(d-k+n-1, n-1).
    from math import comb

    for d in range(6):
        pred = sum(c * comb(d - k + n - 1, n - 1) for k, c in enumerate(q) if k <= d)
        assert pred == standard_count(leading, n, d)
    red, dim = hilbert_reduced(q, n)
    assert dim == krull_dimension(leading, n)
    assert sum(red) > 0


def test_unit_ideal_and_hitting_set():
    assert krull_dimension([(0, 0, 0)], 3) == -1
    sets = [frozenset({0, 1}), frozenset({1, 2}), frozenset({2, 3})]
    brute = min(k for k in range(5) for S in itertools.combinations(range(4), k)
                if all(s & set(S) for s in sets))
    assert min_hitting_set(sets) == brute
